// The market's co-signed trades as the netting engine sees them: who bought, who sold.

import type { TradeBody } from '../../protocols/market/messages.ts'
import type { NettableTrade } from './net-lines.ts'

/** A 20-byte settlement account as lowercase 0x-prefixed hex. */
export const accountAddress = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`

export function nettableTrade(trade: TradeBody): NettableTrade {
  const takerBuys = trade.takerSide === 'buy'
  return {
    instrument: trade.inst,
    price: trade.px,
    qty: trade.qty,
    buyer: accountAddress(takerBuys ? trade.takerAcct : trade.makerAcct),
    seller: accountAddress(takerBuys ? trade.makerAcct : trade.takerAcct),
  }
}
