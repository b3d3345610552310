// Behaviours of the limit order book one at a time: priority, time in force, cancel and fill,
// expiry, insertion by time, depth, the state hash and the read-only walk over crossing makers.
import { describe, expect, it } from 'vitest'
import { OrderBookError } from '../../../../ledger/orderbook/errors.ts'
import {
  OrderBook,
  type RestingOrderInit,
  type Side,
  type TakerOrder,
  type TimeInForce,
} from '../../../../ledger/orderbook/order-book.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const errorCode = (run: () => unknown) => expectRefusal(run, OrderBookError).code

function resting(
  key: number,
  side: Side,
  price: number,
  qty: number,
  time = key,
  extra: Partial<RestingOrderInit> = {},
): RestingOrderInit {
  return { key, side, price, qty, time, ...extra }
}

function taker(key: number, side: Side, price: number, qty: number, tif: TimeInForce = 'gtc'): TakerOrder {
  return { key, side, price, qty, tif, time: key }
}

function bookWith(...orders: RestingOrderInit[]): OrderBook {
  const book = new OrderBook()
  for (const order of orders) book.insert(order)
  return book
}

/** Submits and records every trade as [makerKey, price, qty]. */
function submitRecording(book: OrderBook, order: TakerOrder) {
  const trades: Array<[number, number, number]> = []
  const result = book.submit(order, (makerKey, price, qty) => trades.push([makerKey, price, qty]))
  return { ...result, trades }
}

describe('OrderBook price-time priority', () => {
  it('matches a better price before an earlier order at a worse price', () => {
    const book = bookWith(resting(1, 'sell', 101, 5, 1), resting(2, 'sell', 100, 5, 2))
    expect(submitRecording(book, taker(10, 'buy', 101, 7)).trades).toEqual([
      [2, 100, 5],
      [1, 101, 2],
    ])
  })

  it('matches the earlier order first at the same price', () => {
    const book = bookWith(resting(1, 'buy', 100, 5, 20), resting(2, 'buy', 100, 5, 10))
    expect(submitRecording(book, taker(10, 'sell', 100, 6)).trades).toEqual([
      [2, 100, 5],
      [1, 100, 1],
    ])
  })

  it('breaks a tie in time by tiebreak, then by arrival', () => {
    const book = bookWith(
      resting(1, 'sell', 100, 1, 5, { tiebreak: 'b' }),
      resting(2, 'sell', 100, 1, 5, { tiebreak: 'a' }),
      resting(3, 'sell', 100, 1, 5, { tiebreak: 'b' }),
    )
    expect(submitRecording(book, taker(10, 'buy', 100, 3)).trades.map(([key]) => key)).toEqual([2, 1, 3])
  })

  it('trades at the maker price, not at the taker limit', () => {
    const book = bookWith(resting(1, 'sell', 97, 4))
    expect(submitRecording(book, taker(10, 'buy', 105, 4)).trades).toEqual([[1, 97, 4]])
    const bids = bookWith(resting(2, 'buy', 103, 4))
    expect(submitRecording(bids, taker(11, 'sell', 90, 4)).trades).toEqual([[2, 103, 4]])
  })

  it('does not trade with orders that do not cross the limit', () => {
    const book = bookWith(resting(1, 'sell', 101, 5))
    const result = submitRecording(book, taker(10, 'buy', 100, 5))
    expect(result).toEqual({ filled: 0, rested: true, trades: [] })
    expect(book.bestBid()).toBe(100)
    expect(book.bestAsk()).toBe(101)
  })

  it('partially fills the head maker and leaves it first in line', () => {
    const book = bookWith(resting(1, 'sell', 100, 10, 1), resting(2, 'sell', 100, 10, 2))
    expect(submitRecording(book, taker(10, 'buy', 100, 4)).trades).toEqual([[1, 100, 4]])
    expect(book.get(1)?.qty).toBe(6)
    expect(submitRecording(book, taker(11, 'buy', 100, 8)).trades).toEqual([
      [1, 100, 6],
      [2, 100, 2],
    ])
    expect(book.get(1)).toBeUndefined()
    expect(book.get(2)?.qty).toBe(8)
  })
})

describe('OrderBook time in force', () => {
  it('gtc: rests the unfilled remainder at its limit price', () => {
    const book = bookWith(resting(1, 'sell', 100, 3))
    expect(book.submit(taker(10, 'buy', 101, 5, 'gtc'))).toEqual({ filled: 3, rested: true })
    expect(book.get(10)).toEqual({
      key: 10,
      side: 'buy',
      price: 101,
      qty: 2,
      time: 10,
      tiebreak: '',
      expiresAt: Number.POSITIVE_INFINITY,
    })
    expect(book.bestBid()).toBe(101)
  })

  it('gtc: a fully filled taker does not rest', () => {
    const book = bookWith(resting(1, 'sell', 100, 5))
    expect(book.submit(taker(10, 'buy', 100, 5, 'gtc'))).toEqual({ filled: 5, rested: false })
    expect(book.size).toBe(0)
  })

  it('ioc: drops the unfilled remainder', () => {
    const book = bookWith(resting(1, 'sell', 100, 3))
    expect(book.submit(taker(10, 'buy', 101, 5, 'ioc'))).toEqual({ filled: 3, rested: false })
    expect(book.get(10)).toBeUndefined()
    expect(book.size).toBe(0)
  })

  it('fok: trades nothing when the crossing liquidity falls short', () => {
    const book = bookWith(resting(1, 'sell', 100, 3), resting(2, 'sell', 101, 3), resting(3, 'sell', 102, 10))
    const result = submitRecording(book, taker(10, 'buy', 101, 7, 'fok'))
    expect(result).toEqual({ filled: 0, rested: false, trades: [] })
    expect(book.depth().asks).toEqual([
      [100, 3],
      [101, 3],
      [102, 10],
    ])
  })

  it('fok: fills in full across levels when the crossing liquidity suffices', () => {
    const book = bookWith(resting(1, 'sell', 100, 3), resting(2, 'sell', 101, 3), resting(3, 'sell', 102, 10))
    const result = submitRecording(book, taker(10, 'buy', 102, 7, 'fok'))
    expect(result.filled).toBe(7)
    expect(result.rested).toBe(false)
    expect(result.trades).toEqual([
      [1, 100, 3],
      [2, 101, 3],
      [3, 102, 1],
    ])
    expect(book.depth().asks).toEqual([[102, 9]])
  })

  it('fok: fills when the liquidity is exactly enough', () => {
    const book = bookWith(resting(1, 'buy', 100, 3), resting(2, 'buy', 99, 4))
    expect(book.submit(taker(10, 'sell', 99, 7, 'fok'))).toEqual({ filled: 7, rested: false })
    expect(book.size).toBe(0)
  })
})

describe('OrderBook cancel and fill', () => {
  it('cancel removes a resting order, and says when there was none', () => {
    const book = bookWith(resting(1, 'buy', 100, 5), resting(2, 'buy', 100, 5))
    expect(book.cancel(1)).toBe(true)
    expect(book.cancel(1)).toBe(false)
    expect(book.cancel(99)).toBe(false)
    expect(book.get(1)).toBeUndefined()
    expect(book.depth().bids).toEqual([[100, 5]])
  })

  it('cancelling the last order of a level removes the level', () => {
    const book = bookWith(resting(1, 'buy', 100, 5), resting(2, 'buy', 99, 5), resting(3, 'sell', 102, 1))
    book.cancel(1)
    expect(book.bestBid()).toBe(99)
    book.cancel(2)
    expect(book.bestBid()).toBeUndefined()
    expect(book.depth()).toEqual({ bids: [], asks: [[102, 1]] })
  })

  it('cancelling from the middle of a level keeps the others in order', () => {
    const book = bookWith(resting(1, 'sell', 100, 1), resting(2, 'sell', 100, 1), resting(3, 'sell', 100, 1))
    book.cancel(2)
    expect(submitRecording(book, taker(10, 'buy', 100, 2)).trades.map(([key]) => key)).toEqual([1, 3])
  })

  it('fill reduces a resting order and removes it at zero', () => {
    const book = bookWith(resting(1, 'sell', 100, 10))
    expect(book.fill(1, 4)).toBe(6)
    expect(book.depth().asks).toEqual([[100, 6]])
    expect(book.fill(1, 6)).toBe(0)
    expect(book.get(1)).toBeUndefined()
    expect(book.size).toBe(0)
    expect(book.bestAsk()).toBeUndefined()
  })

  it('fill refuses to take more than rests, and leaves the order as it was', () => {
    const book = bookWith(resting(1, 'sell', 100, 10))
    expect(errorCode(() => book.fill(1, 11))).toBe('ORDER_BOOK_OVERFILL')
    expect(book.get(1)?.qty).toBe(10)
  })

  it('fill of an order that is not resting is refused', () => {
    const book = bookWith(resting(1, 'sell', 100, 10))
    expect(errorCode(() => book.fill(2, 1))).toBe('ORDER_BOOK_UNKNOWN_ORDER')
    expect(errorCode(() => book.fill(1, 0))).toBe('ORDER_BOOK_INVALID_ORDER')
    expect(errorCode(() => book.fill(1, 1.5))).toBe('ORDER_BOOK_INVALID_ORDER')
  })
})

describe('OrderBook expiry', () => {
  it('removes every order whose time has come and keeps the rest', () => {
    const book = bookWith(
      resting(1, 'buy', 100, 1, 1, { expiresAt: 50 }),
      resting(2, 'buy', 99, 1, 2, { expiresAt: 40 }),
      resting(3, 'sell', 101, 1, 3, { expiresAt: 60 }),
      resting(4, 'sell', 102, 1, 4),
    )
    expect(book.expire(39)).toEqual([])
    expect(book.expire(50)).toEqual([2, 1])
    expect(book.size).toBe(2)
    expect(book.expire(1e12)).toEqual([3])
    expect([...book.orders()].map((order) => order.key)).toEqual([4])
  })

  it('skips orders that were filled or cancelled before their time', () => {
    const book = bookWith(
      resting(1, 'sell', 100, 5, 1, { expiresAt: 10 }),
      resting(2, 'sell', 100, 5, 2, { expiresAt: 10 }),
      resting(3, 'sell', 100, 5, 3, { expiresAt: 10 }),
    )
    book.cancel(1)
    book.submit(taker(10, 'buy', 100, 5, 'ioc'))
    expect(book.expire(10)).toEqual([3])
    expect(book.size).toBe(0)
  })

  it('follows a key that was cancelled and inserted again with a later expiry', () => {
    const book = bookWith(resting(1, 'buy', 100, 5, 1, { expiresAt: 10 }))
    book.cancel(1)
    book.insert(resting(1, 'buy', 100, 5, 2, { expiresAt: 20 }))
    expect(book.expire(15)).toEqual([])
    expect(book.get(1)?.qty).toBe(5)
    expect(book.expire(20)).toEqual([1])
  })

  it('still expires the right orders after many expiring orders were cancelled', () => {
    const book = new OrderBook()
    for (let key = 0; key < 5_000; key++)
      book.insert(resting(key, 'buy', 100 + (key % 7), 1, key, { expiresAt: key }))
    for (let key = 0; key < 5_000; key++) if (key % 10 !== 0) book.cancel(key)
    expect(book.size).toBe(500)
    const expired = book.expire(2_500)
    expect(expired).toEqual(Array.from({ length: 251 }, (_, i) => i * 10))
    expect(book.size).toBe(249)
  })
})

describe('OrderBook insert', () => {
  it('places an order inserted out of time order by its time', () => {
    const book = bookWith(resting(1, 'sell', 100, 1, 10), resting(2, 'sell', 100, 1, 30))
    book.insert(resting(3, 'sell', 100, 1, 20))
    book.insert(resting(4, 'sell', 100, 1, 5))
    expect([...book.orders()].map((order) => order.key)).toEqual([4, 1, 3, 2])
    expect(submitRecording(book, taker(10, 'buy', 100, 4)).trades.map(([key]) => key)).toEqual([4, 1, 3, 2])
  })

  it('rests without matching, even when it crosses', () => {
    const book = bookWith(resting(1, 'sell', 100, 5))
    book.insert(resting(2, 'buy', 105, 5))
    expect(book.size).toBe(2)
    expect(book.bestBid()).toBe(105)
    expect(book.bestAsk()).toBe(100)
  })

  it('refuses a key that already rests, on insert and on submit, before any trade', () => {
    const book = bookWith(resting(1, 'sell', 100, 5), resting(2, 'buy', 99, 5))
    expect(errorCode(() => book.insert(resting(1, 'buy', 90, 1)))).toBe('ORDER_BOOK_DUPLICATE_KEY')
    expect(errorCode(() => book.submit(taker(2, 'buy', 100, 5, 'ioc')))).toBe('ORDER_BOOK_DUPLICATE_KEY')
    expect(book.get(1)?.qty).toBe(5)
  })

  it('refuses orders whose numbers the engine cannot hold exactly', () => {
    const book = new OrderBook()
    const bad: Array<Partial<TakerOrder>> = [
      { price: 100.5 },
      { price: 0 },
      { price: -1 },
      { qty: 0 },
      { qty: 2 ** 53 },
      { qty: Number.NaN },
      { key: 1.5 },
      { side: 'bid' as Side },
      { tif: 'day' as TimeInForce },
      { time: Number.NaN },
      { expiresAt: Number.NaN },
    ]
    for (const fields of bad) {
      expect(errorCode(() => book.submit({ ...taker(1, 'buy', 100, 5), ...fields }))).toBe(
        'ORDER_BOOK_INVALID_ORDER',
      )
    }
    expect(errorCode(() => book.insert({ ...resting(1, 'buy', 100, 5), price: 1e20 }))).toBe(
      'ORDER_BOOK_INVALID_ORDER',
    )
    expect(book.size).toBe(0)
  })

  it('refuses an order that would take its level past 2^53 - 1', () => {
    const book = bookWith(resting(1, 'buy', 100, Number.MAX_SAFE_INTEGER - 5))
    expect(errorCode(() => book.insert(resting(2, 'buy', 100, 6)))).toBe('ORDER_BOOK_INVALID_ORDER')
    book.insert(resting(3, 'buy', 100, 5))
    expect(book.depth().bids).toEqual([[100, Number.MAX_SAFE_INTEGER]])
  })
})

describe('OrderBook views', () => {
  it('aggregates depth per level, best first, and caps the levels', () => {
    const book = bookWith(
      resting(1, 'buy', 99, 2),
      resting(2, 'buy', 100, 3),
      resting(3, 'buy', 100, 4),
      resting(4, 'buy', 97, 1),
      resting(5, 'sell', 103, 6),
      resting(6, 'sell', 101, 1),
      resting(7, 'sell', 101, 2),
    )
    expect(book.depth()).toEqual({
      bids: [
        [100, 7],
        [99, 2],
        [97, 1],
      ],
      asks: [
        [101, 3],
        [103, 6],
      ],
    })
    expect(book.depth(1)).toEqual({ bids: [[100, 7]], asks: [[101, 3]] })
    expect(book.size).toBe(7)
  })

  it('lists orders bids best first, then asks best first, in priority order', () => {
    const book = bookWith(
      resting(1, 'sell', 102, 1, 1),
      resting(2, 'buy', 99, 1, 2),
      resting(3, 'sell', 101, 1, 3),
      resting(4, 'buy', 100, 1, 4),
      resting(5, 'buy', 100, 1, 0),
    )
    expect([...book.orders()].map((order) => order.key)).toEqual([5, 4, 2, 3, 1])
  })

  it('keeps levels apart whose prices share their low bits', () => {
    const book = bookWith(resting(1, 'sell', 100, 1), resting(2, 'sell', 164, 2), resting(3, 'sell', 228, 3))
    book.insert(resting(4, 'sell', 164, 4))
    book.cancel(1)
    book.insert(resting(5, 'sell', 100, 5))
    expect(book.depth().asks).toEqual([
      [100, 5],
      [164, 6],
      [228, 3],
    ])
  })

  it('handles large, negative and sparse keys across growth of its storage', () => {
    const book = new OrderBook()
    const keys = Array.from({ length: 10_000 }, (_, i) =>
      i % 3 === 0 ? 2 ** 40 + i * 2 ** 20 : i % 3 === 1 ? -i : i,
    )
    for (const [i, key] of keys.entries()) {
      book.insert(resting(key, i % 2 === 0 ? 'buy' : 'sell', i % 2 === 0 ? 100 : 200, 1, i))
    }
    expect(book.size).toBe(10_000)
    for (const key of keys.filter((_, i) => i % 2 === 0)) expect(book.cancel(key)).toBe(true)
    expect(book.size).toBe(5_000)
    for (const [i, key] of keys.entries()) expect(book.get(key)?.qty).toBe(i % 2 === 0 ? undefined : 1)
  })
})

describe('OrderBook forEachCrossing', () => {
  it('visits the makers a taker would meet, best price first then time, and stops on false', () => {
    const book = bookWith(
      resting(1, 'sell', 101, 1, 1),
      resting(2, 'sell', 100, 1, 3),
      resting(3, 'sell', 100, 1, 2),
      resting(4, 'sell', 102, 1, 0),
      resting(5, 'buy', 99, 1, 0),
    )
    const seen: number[] = []
    book.forEachCrossing('buy', 101, (order) => {
      seen.push(order.key)
      return undefined
    })
    expect(seen).toEqual([3, 2, 1])

    const firstTwo: number[] = []
    book.forEachCrossing('buy', 200, (order) => {
      firstTwo.push(order.key)
      return firstTwo.length < 2
    })
    expect(firstTwo).toEqual([3, 2])

    const bids: number[] = []
    book.forEachCrossing('sell', 99, (order) => {
      bids.push(order.key)
      return true
    })
    expect(bids).toEqual([5])
  })

  it('leaves the book as it was', () => {
    const book = bookWith(resting(1, 'sell', 100, 5), resting(2, 'sell', 101, 5))
    const before = book.stateHash()
    book.forEachCrossing('buy', 101, () => true)
    expect(book.stateHash()).toBe(before)
    expect(book.size).toBe(2)
  })
})

describe('OrderBook stateHash', () => {
  const orders = [
    resting(1, 'buy', 100, 5, 10, { tiebreak: 'x' }),
    resting(2, 'buy', 100, 3, 11),
    resting(3, 'sell', 101, 2, 12, { expiresAt: 99 }),
    resting(4, 'sell', 105, 7, 9),
  ]

  it('is the same for the same orders inserted in another order under other keys', () => {
    const a = bookWith(...orders)
    const b = bookWith(...[...orders].reverse().map((order) => ({ ...order, key: order.key + 1000 })))
    expect(b.stateHash()).toBe(a.stateHash())
    expect(a.stateHash()).toMatch(/^[0-9a-f]{64}$/)
  })

  it('changes after a fill and after a cancel', () => {
    const book = bookWith(...orders)
    const before = book.stateHash()
    book.fill(2, 1)
    const afterFill = book.stateHash()
    expect(afterFill).not.toBe(before)
    book.cancel(4)
    expect(book.stateHash()).not.toBe(afterFill)
  })

  it('cannot be forged by a tiebreak that spells out other orders', () => {
    const forged = bookWith(resting(1, 'buy', 100, 7, 1, { tiebreak: 'x 5\nbuy 100 2 y' }))
    const real = bookWith(
      resting(1, 'buy', 100, 5, 1, { tiebreak: 'x' }),
      resting(2, 'buy', 100, 7, 2, { tiebreak: 'y' }),
    )
    expect(forged.stateHash()).not.toBe(real.stateHash())
  })
})
