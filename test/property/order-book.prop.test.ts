// Random streams of submit, insert, cancel, fill and expire commands run against OrderBook and a
// deliberately naive reference book (one array, sorted on every use): same trades, same orders,
// conservation of every order's quantity, no overfill, and replay to the same state hash.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrderBookError } from '../../ledger/orderbook/errors.ts'
import {
  OrderBook,
  type RestingOrder,
  type Side,
  type TimeInForce,
} from '../../ledger/orderbook/order-book.ts'
import { expectRefusal } from '../helpers/refusal.ts'

const errorCode = (run: () => unknown) => expectRefusal(run, OrderBookError).code

type Trade = [makerKey: number, price: number, qty: number]

type Command =
  | { kind: 'submit'; side: Side; price: number; qty: number; tif: TimeInForce; expiresIn: number | null }
  | { kind: 'insert'; side: Side; price: number; qty: number; timeBack: number; expiresIn: number | null }
  | { kind: 'cancel'; pick: number }
  | { kind: 'fill'; pick: number; part: number }
  | { kind: 'expire'; advance: number }

interface RefOrder {
  key: number
  side: Side
  price: number
  qty: number
  time: number
  tiebreak: string
  expiresAt: number
  /** Arrival order, the last word among orders equal in price, time and tiebreak. */
  seq: number
}

/** The obvious book: every question answered by sorting all the orders again. */
class ReferenceBook {
  orders: RefOrder[] = []
  private seq = 0

  rest(order: Omit<RefOrder, 'seq'>): void {
    this.orders.push({ ...order, seq: this.seq++ })
  }

  /** Priority order: bids best first, then asks best first; price, then time, tiebreak, arrival. */
  sorted(): RefOrder[] {
    return [...this.orders].sort((a, b) => {
      if (a.side !== b.side) return a.side === 'buy' ? -1 : 1
      if (a.price !== b.price) return a.side === 'buy' ? b.price - a.price : a.price - b.price
      if (a.time !== b.time) return a.time - b.time
      if (a.tiebreak !== b.tiebreak) return a.tiebreak < b.tiebreak ? -1 : 1
      return a.seq - b.seq
    })
  }

  submit(taker: Omit<RefOrder, 'seq' | 'tiebreak'> & { tif: TimeInForce }): {
    filled: number
    rested: boolean
    trades: Trade[]
  } {
    const crossing = this.sorted().filter(
      (o) =>
        o.side !== taker.side && (taker.side === 'buy' ? o.price <= taker.price : o.price >= taker.price),
    )
    const available = crossing.reduce((sum, o) => sum + o.qty, 0)
    if (taker.tif === 'fok' && available < taker.qty) return { filled: 0, rested: false, trades: [] }
    const trades: Trade[] = []
    let left = taker.qty
    for (const maker of crossing) {
      if (left === 0) break
      const qty = Math.min(left, maker.qty)
      maker.qty -= qty
      left -= qty
      trades.push([maker.key, maker.price, qty])
    }
    this.orders = this.orders.filter((o) => o.qty > 0)
    const rested = left > 0 && taker.tif === 'gtc'
    if (rested) this.rest({ ...taker, qty: left, tiebreak: '' })
    return { filled: taker.qty - left, rested, trades }
  }

  expire(now: number): number[] {
    const due = this.orders.filter((o) => o.expiresAt <= now)
    this.orders = this.orders.filter((o) => o.expiresAt > now)
    return due.sort((a, b) => a.expiresAt - b.expiresAt || a.key - b.key).map((o) => o.key)
  }
}

/** Quantity per price level of orders listed in priority order. */
function depthOf(sorted: RefOrder[]): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
  const levels = (side: Side) => {
    const out: Array<[number, number]> = []
    for (const o of sorted.filter((order) => order.side === side)) {
      const last = out[out.length - 1]
      if (last !== undefined && last[0] === o.price) last[1] += o.qty
      else out.push([o.price, o.qty])
    }
    return out
  }
  return { bids: levels('buy'), asks: levels('sell') }
}

/** toEqual, with a cheap comparison first: this runs after every one of some 20,000 commands. */
function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected)
}

const side = fc.constantFrom<Side>('buy', 'sell')
const price = fc.integer({ min: 96, max: 104 })
const qty = fc.integer({ min: 1, max: 12 })
const expiresIn = fc.option(fc.integer({ min: 0, max: 30 }), { nil: null, freq: 2 })
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      side,
      price,
      qty,
      tif: fc.constantFrom<TimeInForce>('gtc', 'gtc', 'ioc', 'fok'),
      expiresIn,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      side,
      price,
      qty,
      timeBack: fc.integer({ min: 0, max: 40 }),
      expiresIn,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), part: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('expire' as const), advance: fc.integer({ min: 0, max: 10 }) }),
  },
)
const stream = fc.array(command, { maxLength: 200, size: 'max' })

/** What happened to each order's quantity, from what the engine reported. */
interface Ledger {
  submitted: number
  traded: number
  removed: number
}

interface Outcome {
  hash: string
  trades: Trade[]
  book: OrderBook
}

/**
 * Runs one stream on a fresh OrderBook, checking each step against the reference book. Keys are
 * reused once their order is gone, so that stale expiry entries of an old holder get exercised.
 */
function run(commands: Command[], compareEachStep = true): Outcome {
  const book = new OrderBook()
  const ref = new ReferenceBook()
  const ledgers: Ledger[] = []
  /** Ledger of the order now holding each key. */
  const current = new Map<number, Ledger>()
  const allTrades: Trade[] = []
  const freeKeys: number[] = []
  let nextKey = 1
  let now = 0
  let step = 0

  const open = (key: number, submitted: number): Ledger => {
    const ledger = { submitted, traded: 0, removed: 0 }
    ledgers.push(ledger)
    current.set(key, ledger)
    return ledger
  }
  const takeKey = (): number =>
    step % 3 === 0 && freeKeys.length > 0 ? (freeKeys.shift() as number) : nextKey++
  const release = (key: number) => {
    current.delete(key)
    freeKeys.push(key)
  }
  const pickResting = (pick: number): RestingOrder | undefined => {
    const resting = [...book.orders()]
    return resting.length === 0 ? undefined : resting[pick % resting.length]
  }

  for (const cmd of commands) {
    step++
    switch (cmd.kind) {
      case 'submit': {
        const key = takeKey()
        const expiresAt = cmd.expiresIn === null ? Number.POSITIVE_INFINITY : now + cmd.expiresIn
        const ledger = open(key, cmd.qty)
        const trades: Trade[] = []
        const order = {
          key,
          side: cmd.side,
          price: cmd.price,
          qty: cmd.qty,
          tif: cmd.tif,
          time: step,
          expiresAt,
        }
        const result = book.submit(order, (makerKey, p, q) => trades.push([makerKey, p, q]))
        const expected = ref.submit(order)
        same(trades, expected.trades)
        expect(result).toEqual({ filled: expected.filled, rested: expected.rested })
        for (const [makerKey, , q] of trades) {
          ;(current.get(makerKey) as Ledger).traded += q
          if (book.get(makerKey) === undefined && current.has(makerKey)) release(makerKey)
        }
        ledger.traded += result.filled
        if (!result.rested) {
          ledger.removed += cmd.qty - result.filled
          release(key)
        }
        allTrades.push(...trades)
        break
      }
      case 'insert': {
        const key = takeKey()
        const expiresAt = cmd.expiresIn === null ? Number.POSITIVE_INFINITY : now + cmd.expiresIn
        // Inserted orders carry a unique tiebreak, so (time, tiebreak) is unique across the book.
        const { side, price, qty } = cmd
        const order = { key, side, price, qty, time: step - cmd.timeBack, tiebreak: `i${step}`, expiresAt }
        book.insert(order)
        ref.rest(order)
        open(key, cmd.qty)
        break
      }
      case 'cancel': {
        const target = pickResting(cmd.pick)
        const key = cmd.pick % 5 === 0 || target === undefined ? nextKey + 7 : target.key
        expect(book.cancel(key)).toBe(target !== undefined && key === target.key)
        if (target !== undefined && key === target.key) {
          ;(current.get(key) as Ledger).removed += target.qty
          ref.orders = ref.orders.filter((o) => o.key !== key)
          release(key)
        }
        break
      }
      case 'fill': {
        const target = pickResting(cmd.pick)
        if (target === undefined) break
        const part = 1 + (cmd.part % (target.qty + 1))
        if (part > target.qty) {
          expect(errorCode(() => book.fill(target.key, part))).toBe('ORDER_BOOK_OVERFILL')
          break
        }
        expect(book.fill(target.key, part)).toBe(target.qty - part)
        ;(current.get(target.key) as Ledger).traded += part
        const refOrder = ref.orders.find((o) => o.key === target.key) as RefOrder
        refOrder.qty -= part
        ref.orders = ref.orders.filter((o) => o.qty > 0)
        if (part === target.qty) release(target.key)
        break
      }
      case 'expire': {
        now += cmd.advance
        const before = new Map([...book.orders()].map((o) => [o.key, o.qty]))
        const expired = book.expire(now)
        expect(expired).toEqual(ref.expire(now))
        for (const key of expired) {
          ;(current.get(key) as Ledger).removed += before.get(key) as number
          release(key)
        }
        break
      }
    }
    if (compareEachStep) {
      const sorted = ref.sorted()
      same(book.depth(), depthOf(sorted))
      same(
        [...book.orders()].map((o) => [o.key, o.qty]),
        sorted.map((o) => [o.key, o.qty]),
      )
      expect(book.size).toBe(sorted.length)
    }
  }
  // Conservation, per order: what came in traded, still rests, or left by cancel, expiry or drop.
  const restingByLedger = new Map<Ledger, number>()
  for (const [key, ledger] of current) restingByLedger.set(ledger, book.get(key)?.qty ?? 0)
  for (const ledger of ledgers) {
    const resting = restingByLedger.get(ledger) ?? 0
    expect(ledger.traded).toBeLessThanOrEqual(ledger.submitted)
    expect(ledger.traded + resting + ledger.removed).toBe(ledger.submitted)
  }
  return { hash: book.stateHash(), trades: allTrades, book }
}

describe('OrderBook against a naive reference book', () => {
  it('trades, rests and removes exactly as the reference does, and conserves every quantity', () => {
    fc.assert(
      fc.property(stream, (commands) => {
        run(commands)
      }),
      { numRuns: 200 },
    )
  })

  it('replays a stream to the same trades and state hash, and rebuilds to that hash in any order', () => {
    fc.assert(
      fc.property(stream, fc.integer(), (commands, seed) => {
        const first = run(commands, false)
        const again = run(commands, false)
        expect(again.trades).toEqual(first.trades)
        expect(again.hash).toBe(first.hash)

        // The same orders under other keys, inserted in a shuffled order, hash the same.
        const orders = [...first.book.orders()]
        const shuffled = fc.sample(fc.shuffledSubarray(orders, { minLength: orders.length }), {
          seed,
          numRuns: 1,
        })[0]
        const rebuilt = new OrderBook()
        for (const [i, order] of (shuffled ?? orders).entries()) rebuilt.insert({ ...order, key: 10_000 + i })
        expect(rebuilt.stateHash()).toBe(first.hash)
      }),
      { numRuns: 60 },
    )
  })
})
