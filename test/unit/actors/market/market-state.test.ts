import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MarketState, type OrderEntry, placedStatus } from '../../../../actors/market/market-state.ts'
import {
  encodeOrderBody,
  encodeTradeBody,
  messageId,
  type OrderBody,
  type SignedOrder,
  type SignedTrade,
  type TradeBody,
} from '../../../../protocols/market/messages.ts'

const INSTRUMENT = 'SPOT:gpu.h100'
const NOW = 1_000
let nonce = 0

/** A signed order (the state trusts what the validator passed: the signature is not checked here). */
function order(overrides: Partial<OrderBody> = {}): SignedOrder {
  const body: OrderBody = {
    v: 1,
    net: 'testnet',
    inst: INSTRUMENT,
    side: 'sell',
    px: 2_500n,
    qty: 10n,
    tif: 'gtc',
    exp: 0,
    ts: NOW,
    nonce: ++nonce,
    owner: new Uint8Array(32).fill(1),
    acct: new Uint8Array(20).fill(2),
    minRep: 5_000,
    ...overrides,
  }
  const bodyBytes = encodeOrderBody(body)
  return { id: messageId(bodyBytes), body, bodyBytes, signature: new Uint8Array(64) }
}

let tradeSeq = 0

function trade(maker: SignedOrder, qty: bigint, taker: SignedOrder = order({ side: 'buy' })): SignedTrade {
  const body: TradeBody = {
    v: 1,
    net: 'testnet',
    inst: maker.body.inst,
    px: maker.body.px,
    qty,
    maker: Uint8Array.from(Buffer.from(maker.id, 'hex')),
    taker: Uint8Array.from(Buffer.from(taker.id, 'hex')),
    makerOwner: maker.body.owner,
    takerOwner: taker.body.owner,
    makerAcct: maker.body.acct,
    takerAcct: taker.body.acct,
    takerSide: taker.body.side,
    ts: NOW + 1,
    seq: tradeSeq++,
  }
  const bodyBytes = encodeTradeBody(body)
  return {
    id: messageId(bodyBytes),
    body,
    bodyBytes,
    makerSignature: new Uint8Array(64),
    takerSignature: new Uint8Array(64),
  }
}

function add(
  state: MarketState,
  signed: SignedOrder,
  meta: { own?: boolean; resting?: boolean } = {},
  now = NOW,
): OrderEntry {
  return state.addOrder(
    signed,
    { ownerPeerId: 'peer-a', viaPeerId: 'peer-a', own: meta.own ?? false, resting: meta.resting ?? true },
    now,
  )
}

/** The quantity resting in the book for an entry, or undefined when it is not in the book. */
function resting(state: MarketState, entry: OrderEntry): number | undefined {
  return state.book(entry.order.body.inst).get(entry.key)?.qty
}

describe('market state: the book', () => {
  it('rests a live gtc order in its instrument’s book with its whole quantity', () => {
    const state = new MarketState()
    const entry = add(state, order({ qty: 7n }))
    expect(resting(state, entry)).toBe(7)
    expect(placedStatus(entry)).toBe('open')
  })

  it('returns the existing entry when an order is added twice', () => {
    const state = new MarketState()
    const signed = order()
    const first = add(state, signed)
    expect(add(state, signed)).toBe(first)
    expect(state.book(INSTRUMENT).depth().asks).toHaveLength(1)
  })

  it('keeps an own order out of the book during its taker pass, then rests what is left', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    const entry = add(state, signed, { own: true, resting: false })
    expect(resting(state, entry)).toBeUndefined()
    state.applyTrade(trade(signed, 3n))
    state.rest(entry)
    expect(resting(state, entry)).toBe(7)
  })

  it('never rests an ioc or fok order', () => {
    const state = new MarketState()
    for (const tif of ['ioc', 'fok'] as const) {
      const entry = add(state, order({ tif }))
      expect(resting(state, entry)).toBeUndefined()
    }
  })

  it('takes a cancelled resting order out of the book', () => {
    const state = new MarketState()
    const signed = order()
    const entry = add(state, signed)
    expect(state.cancel(signed.id)).toBe(entry)
    expect(resting(state, entry)).toBeUndefined()
    expect(placedStatus(entry)).toBe('cancelled')
  })

  it('adds an order that is already past its expiry as expired, out of the book', () => {
    const state = new MarketState()
    const entry = add(state, order({ ts: NOW - 100, exp: NOW }))
    expect(entry.status).toBe('expired')
    expect(resting(state, entry)).toBeUndefined()
  })
})

describe('market state: trades', () => {
  it('applies a trade that arrived before its order once the order arrives', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    expect(state.applyTrade(trade(signed, 4n))).toEqual([])
    const entry = add(state, signed)
    expect(entry.filled).toBe(4n)
    expect(placedStatus(entry)).toBe('partial')
    expect(resting(state, entry)).toBe(6)
  })

  it('adds an order already filled by earlier trades as filled, out of the book', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    state.applyTrade(trade(signed, 4n))
    state.applyTrade(trade(signed, 6n))
    const entry = add(state, signed)
    expect(placedStatus(entry)).toBe('filled')
    expect(resting(state, entry)).toBeUndefined()
  })

  it('keeps an order cancelled before it arrived out of the book', () => {
    const state = new MarketState()
    const signed = order()
    expect(state.cancel(signed.id)).toBeUndefined()
    const entry = add(state, signed)
    expect(entry.status).toBe('cancelled')
    expect(resting(state, entry)).toBeUndefined()
    expect(state.book(INSTRUMENT).depth().asks).toEqual([])
  })

  it('applies a trade once, however often it arrives', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    const entry = add(state, signed)
    const fill = trade(signed, 4n)
    state.applyTrade(fill)
    expect(state.applyTrade(fill)).toEqual([])
    expect(state.applyTrade({ ...fill })).toEqual([])
    expect(entry.filled).toBe(4n)
    expect(resting(state, entry)).toBe(6)
    expect(state.hasTrade(fill.id)).toBe(true)
  })

  it('closes an order filled to its quantity as filled and takes it out of the book', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    const entry = add(state, signed)
    expect(state.applyTrade(trade(signed, 4n))).toEqual([])
    expect(placedStatus(entry)).toBe('partial')
    expect(state.applyTrade(trade(signed, 6n))).toEqual([{ entry, status: 'filled' }])
    expect(placedStatus(entry)).toBe('filled')
    expect(resting(state, entry)).toBeUndefined()
    expect(state.available(entry, NOW)).toBe(0n)
  })

  it('fills both the maker and the taker of a trade', () => {
    const state = new MarketState()
    const maker = order({ side: 'sell', qty: 10n })
    const taker = order({ side: 'buy', px: 2_600n, qty: 3n })
    const makerEntry = add(state, maker)
    const takerEntry = add(state, taker, { own: true, resting: false })
    const changed = state.applyTrade(trade(maker, 3n, taker))
    expect(changed).toEqual([{ entry: takerEntry, status: 'filled' }])
    expect(placedStatus(makerEntry)).toBe('partial')
    expect(placedStatus(takerEntry)).toBe('filled')
  })

  it('never takes the book below zero for a maker that signed past its quantity', () => {
    const state = new MarketState()
    const signed = order({ qty: 5n })
    const entry = add(state, signed)
    expect(() => state.applyTrade(trade(signed, 8n))).not.toThrow()
    expect(entry.status).toBe('filled')
    expect(resting(state, entry)).toBeUndefined()
  })
})

describe('market state: expiry', () => {
  it('expires resting orders past their expiry and leaves the others', () => {
    const state = new MarketState()
    const soon = add(state, order({ exp: 5_000 }))
    const never = add(state, order({ exp: 0 }))
    const later = add(state, order({ exp: 9_000, side: 'buy', px: 2_000n }))
    const ownTaking = add(state, order({ exp: 5_000 }), { own: true, resting: false })

    expect(state.expire(6_000)).toEqual([soon])
    expect(placedStatus(soon)).toBe('expired')
    expect(resting(state, soon)).toBeUndefined()
    for (const entry of [never, later]) {
      expect(entry.status).toBe('open')
      expect(resting(state, entry)).toBeDefined()
    }
    expect(ownTaking.status).toBe('open')
    expect(state.expire(6_000)).toEqual([])
  })

  it('expires an order exactly at its expiry time', () => {
    const state = new MarketState()
    const entry = add(state, order({ exp: 5_000 }))
    expect(state.expire(4_999)).toEqual([])
    expect(state.expire(5_000)).toEqual([entry])
  })

  it('offers nothing of an own order past its expiry, even before the sweep', () => {
    const state = new MarketState()
    const entry = add(state, order({ exp: 5_000 }), { own: true })
    expect(state.available(entry, 4_999)).toBe(10n)
    expect(state.available(entry, 5_000)).toBe(0n)
    expect(state.reserve(entry, 1n, 5_000)).toBe(0n)
  })
})

describe('market state: reservations', () => {
  it('never reserves more than is available', () => {
    const state = new MarketState()
    const entry = add(state, order({ qty: 10n }), { own: true })
    expect(state.reserve(entry, 6n, NOW)).toBe(6n)
    expect(state.reserve(entry, 6n, NOW)).toBe(4n)
    expect(state.reserve(entry, 1n, NOW)).toBe(0n)
    expect(state.available(entry, NOW)).toBe(0n)
    state.release(entry, 4n)
    expect(state.available(entry, NOW)).toBe(4n)
    expect(state.reserve(entry, 10n, NOW)).toBe(4n)
  })

  it('reserves only what trades have not filled', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    const entry = add(state, signed, { own: true })
    state.applyTrade(trade(signed, 7n))
    expect(state.reserve(entry, 5n, NOW)).toBe(3n)
  })

  it('reserves nothing of a cancelled order', () => {
    const state = new MarketState()
    const signed = order({ qty: 10n })
    const entry = add(state, signed, { own: true })
    state.cancel(signed.id)
    expect(state.reserve(entry, 1n, NOW)).toBe(0n)
  })

  it('never promises more than the order holds across interleaved reserve, release and fill', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), qty: fc.bigInt({ min: 1n, max: 15n }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fill' as const), pick: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 30n }), fc.array(op, { maxLength: 60 }), (qty, ops) => {
        const state = new MarketState()
        const signed = order({ qty })
        const entry = add(state, signed, { own: true })
        const outstanding: bigint[] = []
        let filled = 0n
        for (const step of ops) {
          if (step.kind === 'reserve') {
            const before = state.available(entry, NOW)
            const taken = state.reserve(entry, step.qty, NOW)
            expect(taken).toBe(step.qty < before ? step.qty : before)
            if (taken > 0n) outstanding.push(taken)
          } else if (outstanding.length > 0) {
            // A request in flight ends: refused (its reservation released) or filled (released, then traded).
            const [held] = outstanding.splice(step.pick % outstanding.length, 1) as [bigint]
            state.release(entry, held)
            if (step.kind === 'fill') {
              state.applyTrade(trade(signed, held))
              filled += held
            }
          }
          const promised = outstanding.reduce((sum, held) => sum + held, 0n)
          expect(filled + promised).toBeLessThanOrEqual(qty)
          expect(state.available(entry, NOW)).toBe(qty - filled - promised)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('placed status', () => {
  it('reports open, partial and filled from the fills seen', () => {
    const state = new MarketState()
    const signed = order({ qty: 4n })
    const entry = add(state, signed)
    expect(placedStatus(entry)).toBe('open')
    state.applyTrade(trade(signed, 1n))
    expect(placedStatus(entry)).toBe('partial')
    state.applyTrade(trade(signed, 3n))
    expect(placedStatus(entry)).toBe('filled')
  })
})
