import { describe, expect, it } from 'vitest'
import { nettableTrade } from '../../../../ledger/netting/from-trades.ts'
import type { TradeBody } from '../../../../protocols/market/messages.ts'

const makerAcct = new Uint8Array(20).fill(0xaa)
const takerAcct = new Uint8Array(20).fill(0xbb)
const body = (takerSide: 'buy' | 'sell'): TradeBody => ({
  v: 1,
  net: 'main',
  inst: 'SPOT:gpu.h100',
  px: 2_500_000n,
  qty: 4n,
  maker: new Uint8Array(32),
  taker: new Uint8Array(32).fill(1),
  makerOwner: new Uint8Array(32).fill(2),
  takerOwner: new Uint8Array(32).fill(3),
  makerAcct,
  takerAcct,
  takerSide,
  ts: 0,
  seq: 0,
})

describe('trades for netting', () => {
  it('names the taker the buyer when the taker bought, and the maker otherwise', () => {
    expect(nettableTrade(body('buy'))).toEqual({
      instrument: 'SPOT:gpu.h100',
      price: 2_500_000n,
      qty: 4n,
      buyer: `0x${'bb'.repeat(20)}`,
      seller: `0x${'aa'.repeat(20)}`,
    })
    expect(nettableTrade(body('sell'))).toMatchObject({
      buyer: `0x${'aa'.repeat(20)}`,
      seller: `0x${'bb'.repeat(20)}`,
    })
  })
})
