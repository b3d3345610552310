import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { linesBalance, type NettableTrade, netTrades } from '../../../../ledger/netting/net-lines.ts'

const A = `0x${'a'.repeat(40)}`
const B = `0x${'b'.repeat(40)}`
const C = `0x${'c'.repeat(40)}`
const SPOT = 'SPOT:gpu.h100'
const trade = (
  buyer: string,
  seller: string,
  price: bigint,
  qty: bigint,
  instrument = SPOT,
): NettableTrade => ({
  instrument,
  price,
  qty,
  buyer,
  seller,
})

describe('netting', () => {
  it('turns trades into one position and cash line per account and instrument', () => {
    const lines = netTrades([trade(A, B, 100n, 3n), trade(B, C, 110n, 2n), trade(A, C, 90n, 1n)])
    expect(lines).toEqual([
      { account: A, instrument: SPOT, position: 4n, cash: -390n },
      { account: B, instrument: SPOT, position: -1n, cash: 80n },
      { account: C, instrument: SPOT, position: -3n, cash: 310n },
    ])
    expect(linesBalance(lines)).toBe(true)
  })

  it('leaves out an account whose trades cancel out exactly', () => {
    expect(netTrades([trade(A, B, 100n, 2n), trade(B, A, 100n, 2n)])).toEqual([])
  })

  it('treats account addresses case-insensitively', () => {
    const lines = netTrades([trade(A.toUpperCase().replace('0X', '0x'), B, 5n, 1n), trade(A, B, 5n, 1n)])
    expect(lines.map((l) => [l.account, l.position])).toEqual([
      [A, 2n],
      [B, -2n],
    ])
  })

  it('refuses a trade with a non-positive quantity or a malformed account', () => {
    expect(() => netTrades([trade(A, B, 100n, 0n)])).toThrow(RangeError)
    expect(() => netTrades([trade('0x1234', B, 100n, 1n)])).toThrow(RangeError)
  })

  it('gives the same balanced lines for the same trades in any order', () => {
    const account = fc.constantFrom(A, B, C, `0x${'d'.repeat(40)}`)
    const trades = fc.array(
      fc.record({
        instrument: fc.constantFrom(SPOT, 'SPOT:cpu.x86', 'FUT:gpu.h100:20270101T0000Z:1h'),
        price: fc.bigInt({ min: 1n, max: 10n ** 12n }),
        qty: fc.bigInt({ min: 1n, max: 10n ** 9n }),
        buyer: account,
        seller: account,
      }),
      { maxLength: 60 },
    )
    const tradesInTwoOrders = trades.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
      ),
    )
    fc.assert(
      fc.property(tradesInTwoOrders, ([list, shuffled]) => {
        const lines = netTrades(list)
        expect(linesBalance(lines)).toBe(true)
        expect(netTrades(shuffled)).toEqual(lines)
      }),
      { numRuns: 300 },
    )
  })
})
