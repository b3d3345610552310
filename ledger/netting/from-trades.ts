// The market's co-signed trades as the netting engine sees them: who bought, who sold.

import type { TradeBody } from '../../protocols/market/messages.ts'
import type { NettableTrade } from './net-lines.ts'

const address = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`

export function nettableTrade(trade: TradeBody): NettableTrade {
  const takerBuys = trade.takerSide === 'buy'
  return {
    instrument: trade.inst,
    price: trade.px,
    qty: trade.qty,
    buyer: address(takerBuys ? trade.takerAcct : trade.makerAcct),
    seller: address(takerBuys ? trade.makerAcct : trade.takerAcct),
  }
}
