// What one node knows of the market, in memory: every live order in a price-time book per
// instrument, the quantity filled on each order by the co-signed trades seen so far, and
// the reservations on this node's own orders. No I/O: the market persists around it.

import { OrderBook } from '../../ledger/orderbook/order-book.ts'
import type { SignedOrder, SignedTrade } from '../../protocols/market/messages.ts'

export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'expired'

export interface OrderEntry {
  readonly order: SignedOrder
  readonly ownerPeerId: string
  /** The peer that answers fill requests for this order: the owner, or a light client's gateway. */
  readonly viaPeerId: string
  readonly own: boolean
  status: OrderStatus
  /** Quantity of the co-signed trades seen on this order. */
  filled: bigint
  /** Own orders: quantity promised to fill requests in flight. */
  reserved: bigint
  /** Own orders placed here: false while the taker pass runs, so nobody hits it yet. */
  resting: boolean
  key: number
  nextTradeSeq: number
}

export class MarketState {
  readonly books = new Map<string, OrderBook>()
  readonly orders = new Map<string, OrderEntry>()
  private readonly byKey = new Map<number, OrderEntry>()
  /** Fills of orders not (yet) known here: a trade can arrive before its order. */
  private readonly pendingFills = new Map<string, bigint>()
  private readonly appliedTrades = new Set<string>()
  private readonly cancelled = new Set<string>()
  private nextKey = 1

  book(instrument: string): OrderBook {
    let book = this.books.get(instrument)
    if (book === undefined) {
      book = new OrderBook()
      this.books.set(instrument, book)
    }
    return book
  }

  entryByKey(key: number): OrderEntry | undefined {
    return this.byKey.get(key)
  }

  hasTrade(tradeId: string): boolean {
    return this.appliedTrades.has(tradeId)
  }

  isCancelled(orderId: string): boolean {
    return this.cancelled.has(orderId)
  }

  /**
   * Adds an order. It rests in its book unless it is filled, cancelled, expired or (own and
   * `resting` false) still taking liquidity. Returns the entry, or the existing one.
   */
  addOrder(
    order: SignedOrder,
    meta: { ownerPeerId: string; viaPeerId: string; own: boolean; resting: boolean; status?: OrderStatus },
    now: number,
  ): OrderEntry {
    const existing = this.orders.get(order.id)
    if (existing !== undefined) return existing
    const filled = this.pendingFills.get(order.id) ?? 0n
    this.pendingFills.delete(order.id)
    const entry: OrderEntry = {
      order,
      ownerPeerId: meta.ownerPeerId,
      viaPeerId: meta.viaPeerId,
      own: meta.own,
      status: meta.status ?? 'open',
      filled,
      reserved: 0n,
      resting: false,
      key: this.nextKey++,
      nextTradeSeq: 0,
    }
    this.orders.set(order.id, entry)
    this.byKey.set(entry.key, entry)
    if (this.cancelled.has(order.id)) entry.status = 'cancelled'
    else if (filled >= order.body.qty) entry.status = 'filled'
    else if (order.body.exp !== 0 && order.body.exp <= now) entry.status = 'expired'
    if (meta.resting) this.rest(entry)
    return entry
  }

  /** Puts an open order with quantity left into its book (an own order after its taker pass). */
  rest(entry: OrderEntry): void {
    if (entry.resting || entry.status !== 'open') return
    if (entry.order.body.tif !== 'gtc') return
    const remaining = entry.order.body.qty - entry.filled
    if (remaining <= 0n) return
    const { body } = entry.order
    entry.resting = true
    this.book(body.inst).insert({
      key: entry.key,
      side: body.side,
      price: Number(body.px),
      qty: Number(remaining),
      time: body.ts,
      tiebreak: entry.order.id,
      expiresAt: body.exp === 0 ? Number.POSITIVE_INFINITY : body.exp,
    })
  }

  /** Applies a co-signed trade to both orders (or remembers it for orders not yet known). */
  applyTrade(trade: SignedTrade): Array<{ entry: OrderEntry; status: OrderStatus }> {
    if (this.appliedTrades.has(trade.id)) return []
    this.appliedTrades.add(trade.id)
    const changed: Array<{ entry: OrderEntry; status: OrderStatus }> = []
    for (const id of [hex(trade.body.maker), hex(trade.body.taker)]) {
      const entry = this.orders.get(id)
      if (entry === undefined) {
        this.pendingFills.set(id, (this.pendingFills.get(id) ?? 0n) + trade.body.qty)
        continue
      }
      const before = entry.status
      entry.filled += trade.body.qty
      if (entry.resting) {
        const book = this.book(entry.order.body.inst)
        const left = book.get(entry.key)?.qty ?? 0
        // A maker that signed past its quantity lied; the book never goes below zero.
        if (left > 0) book.fill(entry.key, Math.min(left, Number(trade.body.qty)))
      }
      if (entry.filled >= entry.order.body.qty && entry.status === 'open') this.close(entry, 'filled')
      if (entry.status !== before) changed.push({ entry, status: entry.status })
    }
    return changed
  }

  cancel(orderId: string): OrderEntry | undefined {
    this.cancelled.add(orderId)
    const entry = this.orders.get(orderId)
    if (entry === undefined || entry.status !== 'open') return undefined
    this.close(entry, 'cancelled')
    return entry
  }

  /** Expires every resting order past its expiry; returns the entries it closed. */
  expire(now: number): OrderEntry[] {
    const expired: OrderEntry[] = []
    for (const book of this.books.values()) {
      for (const key of book.expire(now)) {
        const entry = this.byKey.get(key)
        if (entry === undefined) continue
        entry.resting = false
        if (entry.status === 'open') {
          entry.status = 'expired'
          expired.push(entry)
        }
      }
    }
    return expired
  }

  /** Quantity of an own order that is neither filled nor promised to a request in flight. */
  available(entry: OrderEntry, now: number): bigint {
    if (entry.status !== 'open') return 0n
    if (entry.order.body.exp !== 0 && entry.order.body.exp <= now) return 0n
    const left = entry.order.body.qty - entry.filled - entry.reserved
    return left > 0n ? left : 0n
  }

  /** Reserves up to `qty` of an own order, synchronously, so racing requests cannot overfill. */
  reserve(entry: OrderEntry, qty: bigint, now: number): bigint {
    const available = this.available(entry, now)
    const taken = qty < available ? qty : available
    entry.reserved += taken
    return taken
  }

  release(entry: OrderEntry, qty: bigint): void {
    entry.reserved -= qty
  }

  private close(entry: OrderEntry, status: OrderStatus): void {
    entry.status = status
    if (entry.resting) {
      this.book(entry.order.body.inst).cancel(entry.key)
      entry.resting = false
    }
  }
}

/** What a user is told of an order: an open order with fills is `partial`. */
export function placedStatus(entry: OrderEntry): 'open' | 'partial' | OrderStatus {
  if (entry.status === 'open') return entry.filled > 0n ? 'partial' : 'open'
  return entry.status
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
