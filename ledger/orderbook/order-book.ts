// The limit order book of one instrument: price-time priority over integer ticks and quantities.
// Pure and deterministic (no clock, randomness or I/O), so a book replayed from its journal hashes the same.
import { createHash } from 'node:crypto'
import { OrderBookError } from './errors.ts'

export type Side = 'buy' | 'sell'
export type TimeInForce = 'gtc' | 'ioc' | 'fok'

export interface RestingOrderInit {
  /** The caller's handle: a safe integer, unique among the resting orders of this book. */
  key: number
  side: Side
  /** Ticks; a safe integer > 0. */
  price: number
  /** Remaining quantity; a safe integer > 0. */
  qty: number
  /** Priority time: earlier ranks first at the same price. */
  time: number
  /** Orders equal in time rank by this, in code-unit order (e.g. the order id). Default ''. */
  tiebreak?: string
  /** Same unit as `now` in expire(). Default Infinity: never. */
  expiresAt?: number
}

export interface RestingOrder {
  readonly key: number
  readonly side: Side
  readonly price: number
  readonly qty: number
  readonly time: number
  readonly tiebreak: string
  readonly expiresAt: number
}

export interface TakerOrder {
  key: number
  side: Side
  price: number
  qty: number
  tif: TimeInForce
  time: number
  tiebreak?: string
  expiresAt?: number
}

/** `rested`: the unfilled remainder now rests in the book (gtc only). */
export interface SubmitResult {
  filled: number
  rested: boolean
}

/** Called once per trade while the book is being changed: it must not call back into the book. */
export type TradeVisitor = (makerKey: number, price: number, qty: number) => void

export interface BookDepth {
  bids: Array<[price: number, qty: number]>
  asks: Array<[price: number, qty: number]>
}

/** "No slot": the end of a level's queue, of a key chain or of the free list. */
const NONE = -1
const INITIAL_SLOTS = 1024
/** Factor by which the slots grow when they run out (see OrderSlots.grow). */
const GROWTH = 8
/** Levels next to the best that a price lookup scans before it falls back to a binary search. */
const NEAR_BEST_LEVELS = 4
/** Entries of each side's price-to-level cache: a power of two, indexed by a price's low bits. */
const PRICE_CACHE_SIZE = 64
const PRICE_CACHE_MASK = PRICE_CACHE_SIZE - 1

// One order per 64-byte slot, so that the matching loop meets one cache line per order it
// touches. Fields in float64 units: key, price, qty, time, expiresAt; then in int32 units, from
// byte 40: the level-queue links, the key-chain link and the flags; bytes 56-63 are spare.
const F64_PER_SLOT = 8
const I32_PER_SLOT = 16
const KEY = 0
const PRICE = 1
const QTY = 2
const TIME = 3
const EXPIRES_AT = 4
const PREV = 10
const NEXT = 11
const CHAIN = 12
const FLAGS = 13
const FLAG_SELL = 1
const FLAG_EXPIRES = 2

/** The orders resting at one price, as slots of OrderSlots, head first. */
class Level {
  readonly price: number
  /** Sum of the level's quantities, so that fok and depth never walk the orders. */
  total = 0
  head = NONE
  tail = NONE

  constructor(price: number) {
    this.price = price
  }
}

/**
 * Every resting order, in fixed-size slots of one growable buffer, with a free list and a key
 * index. One object per order sends every resting order through the young-generation collector,
 * and a Map from key to order costs more per set and delete than the rest of a matching step:
 * built that way, the same book matched about 2M orders/s instead of about 10M.
 *
 * The key index chains slots from buckets picked by the key's low bits (folded with its high bits),
 * so the usual keys, a sequence that mostly grows, land in neighbouring buckets and stay in cache.
 * Any safe-integer keys work; keys spaced by a large power of two would share buckets and slow down.
 */
class OrderSlots {
  /** Resting orders. */
  count = 0
  private f64 = new Float64Array(INITIAL_SLOTS * F64_PER_SLOT)
  private i32 = new Int32Array(this.f64.buffer)
  /** Tiebreaks by slot, stored only as far as the last slot that had one: most books use none. */
  private tiebreaks: string[] = []
  /** Head slot of each key bucket, plus one: zero marks an empty bucket, so a new array needs no fill. */
  private buckets = new Int32Array(INITIAL_SLOTS)
  private bucketBits = Math.log2(INITIAL_SLOTS)
  private free = NONE
  /** Slots ever handed out: the ones from here on were never used. */
  private used = 0
  /** The largest key ever entered: a larger one cannot be resting, and needs no index probe. */
  private maxKey = Number.NEGATIVE_INFINITY

  key(slot: number): number {
    return this.f64[slot * F64_PER_SLOT + KEY] as number
  }
  price(slot: number): number {
    return this.f64[slot * F64_PER_SLOT + PRICE] as number
  }
  qty(slot: number): number {
    return this.f64[slot * F64_PER_SLOT + QTY] as number
  }
  setQty(slot: number, qty: number): void {
    this.f64[slot * F64_PER_SLOT + QTY] = qty
  }
  time(slot: number): number {
    return this.f64[slot * F64_PER_SLOT + TIME] as number
  }
  expiresAt(slot: number): number {
    return this.f64[slot * F64_PER_SLOT + EXPIRES_AT] as number
  }
  tiebreak(slot: number): string {
    return this.tiebreaks[slot] ?? ''
  }
  isSell(slot: number): boolean {
    return ((this.i32[slot * I32_PER_SLOT + FLAGS] as number) & FLAG_SELL) !== 0
  }
  expires(slot: number): boolean {
    return ((this.i32[slot * I32_PER_SLOT + FLAGS] as number) & FLAG_EXPIRES) !== 0
  }
  prev(slot: number): number {
    return this.i32[slot * I32_PER_SLOT + PREV] as number
  }
  setPrev(slot: number, prev: number): void {
    this.i32[slot * I32_PER_SLOT + PREV] = prev
  }
  next(slot: number): number {
    return this.i32[slot * I32_PER_SLOT + NEXT] as number
  }
  setNext(slot: number, next: number): void {
    this.i32[slot * I32_PER_SLOT + NEXT] = next
  }

  find(key: number): number {
    // Keys that only grow (a sequence, the usual case) would mostly probe buckets held by old
    // orders and touch their cold slots just to learn that the key is new.
    if (key > this.maxKey) return NONE
    let slot = (this.buckets[this.bucketOf(key)] as number) - 1
    while (slot !== NONE && this.key(slot) !== key) slot = this.chain(slot)
    return slot
  }

  /** A slot holding a new order, entered in the index; the caller has checked that the key is absent. */
  allocate(
    key: number,
    sell: boolean,
    price: number,
    qty: number,
    time: number,
    tiebreak: string,
    expiresAt: number,
  ): number {
    let slot = this.free
    if (slot !== NONE) this.free = this.chain(slot)
    else {
      if (this.used * F64_PER_SLOT === this.f64.length) this.grow()
      slot = this.used++
    }
    const f = slot * F64_PER_SLOT
    this.f64[f + KEY] = key
    if (key > this.maxKey) this.maxKey = key
    this.f64[f + PRICE] = price
    this.f64[f + QTY] = qty
    this.f64[f + TIME] = time
    this.f64[f + EXPIRES_AT] = expiresAt
    const expires = expiresAt === Number.POSITIVE_INFINITY ? 0 : FLAG_EXPIRES
    this.i32[slot * I32_PER_SLOT + FLAGS] = (sell ? FLAG_SELL : 0) | expires
    const tiebreaks = this.tiebreaks
    if (slot < tiebreaks.length) tiebreaks[slot] = tiebreak
    else if (tiebreak !== '') {
      while (tiebreaks.length < slot) tiebreaks.push('')
      tiebreaks.push(tiebreak)
    }
    this.enter(slot, key)
    this.count++
    return slot
  }

  /** Drops a slot from the index and puts it on the free list. */
  release(slot: number): void {
    const bucket = this.bucketOf(this.key(slot))
    let at = (this.buckets[bucket] as number) - 1
    if (at === slot) this.buckets[bucket] = this.chain(slot) + 1
    else {
      while (this.chain(at) !== slot) at = this.chain(at)
      this.setChain(at, this.chain(slot))
    }
    this.setQty(slot, 0)
    this.setChain(slot, this.free)
    this.free = slot
    this.count--
  }

  /** Next slot in the same key bucket, or in the free list for a free slot. */
  private chain(slot: number): number {
    return this.i32[slot * I32_PER_SLOT + CHAIN] as number
  }
  private setChain(slot: number, chain: number): void {
    this.i32[slot * I32_PER_SLOT + CHAIN] = chain
  }

  private enter(slot: number, key: number): void {
    const bucket = this.bucketOf(key)
    this.setChain(slot, (this.buckets[bucket] as number) - 1)
    this.buckets[bucket] = slot + 1
  }

  private bucketOf(key: number): number {
    let folded = key | 0
    // Keys past 32 bits fold their high half in; the division is skipped for the common small keys.
    if (folded !== key) folded ^= Math.imul((key / 4294967296) | 0, 0x27d4eb2d)
    return (folded ^ (folded >>> this.bucketBits)) & (this.buckets.length - 1)
  }

  /**
   * Multiplies the slots by GROWTH and rebuilds the index with as many buckets as slots. A new
   * buffer's pages cost nothing until a slot on them is first used, so growing eightfold costs
   * address space rather than memory, and copies a seventh of the book over its life where
   * doubling copies all of it: with doubling, the copies were a quarter of the time on workload A.
   */
  private grow(): void {
    const f64 = new Float64Array(this.f64.length * GROWTH)
    f64.set(this.f64)
    this.f64 = f64
    this.i32 = new Int32Array(f64.buffer)
    this.buckets = new Int32Array(this.buckets.length * GROWTH)
    this.bucketBits += Math.log2(GROWTH)
    // Only called when no slot is free, so every slot below `used` holds an order.
    for (let slot = 0; slot < this.used; slot++) this.enter(slot, this.key(slot))
  }
}

/** Fills the price cache's empty entries: its NaN price matches no lookup. */
const NO_LEVEL = new Level(Number.NaN)

/**
 * One side of the book. `levels` runs from the worst price to the best, so the level a taker meets
 * first is the last one and emptying it is a pop(), not a shift of the whole array.
 *
 * A price is looked up first in a small cache indexed by its low bits, which holds every level of
 * a book whose prices span fewer ticks than the cache has entries; then by a short scan back from
 * the best price, where most orders arrive, and a binary search beyond it. Both beat hashing the
 * price into a Map, which took a fifth of the time per order.
 */
class BookSide {
  readonly isBid: boolean
  readonly levels: Level[] = []
  private readonly cache: Level[] = new Array<Level>(PRICE_CACHE_SIZE).fill(NO_LEVEL)
  /** Sum of all the side's quantities: when it is far from 2^53 no level total can overflow. */
  total = 0

  constructor(isBid: boolean) {
    this.isBid = isBid
  }

  /** True when price `a` is strictly better than `b` for a maker on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b
  }

  /** True when a level at `price` trades with a taker whose limit is `limit`. */
  crosses(price: number, limit: number): boolean {
    return this.isBid ? price >= limit : price <= limit
  }

  best(): Level | undefined {
    return this.levels[this.levels.length - 1]
  }

  /** The level at `price`, if it holds orders. */
  find(price: number): Level | undefined {
    const cached = this.cache[price & PRICE_CACHE_MASK] as Level
    if (cached.price === price) return cached
    const level = this.levels[this.indexOf(price)]
    if (level === undefined || level.price !== price) return undefined
    this.cache[price & PRICE_CACHE_MASK] = level
    return level
  }

  /** The level at `price`, made (empty) if it is not there. */
  levelAt(price: number): Level {
    const cached = this.cache[price & PRICE_CACHE_MASK] as Level
    if (cached.price === price) return cached
    const i = this.indexOf(price)
    let level = this.levels[i]
    if (level === undefined || level.price !== price) {
      level = new Level(price)
      if (i === this.levels.length) this.levels.push(level)
      else this.levels.splice(i, 0, level)
    }
    this.cache[price & PRICE_CACHE_MASK] = level
    return level
  }

  /** Removes an emptied level; the matching loop pops the best one itself and calls forget(). */
  dropLevel(level: Level): void {
    if (this.best() === level) this.levels.pop()
    else this.levels.splice(this.indexOf(level.price), 1)
    this.forget(level)
  }

  forget(level: Level): void {
    if (this.cache[level.price & PRICE_CACHE_MASK] === level)
      this.cache[level.price & PRICE_CACHE_MASK] = NO_LEVEL
  }

  /** True when adding `qty` at `price` would take that level's total past 2^53 - 1. */
  wouldOverflow(price: number, qty: number): boolean {
    if (this.total <= Number.MAX_SAFE_INTEGER - qty) return false
    const level = this.find(price)
    return level !== undefined && level.total > Number.MAX_SAFE_INTEGER - qty
  }

  /** Index of the first level at least as good as `price`: where that price is or would go. */
  private indexOf(price: number): number {
    const levels = this.levels
    let hi = levels.length
    const stop = hi > NEAR_BEST_LEVELS ? hi - NEAR_BEST_LEVELS : 0
    while (hi > stop && !this.better(price, (levels[hi - 1] as Level).price)) hi--
    if (hi > stop) return hi
    let lo = 0
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.better(price, (levels[mid] as Level).price)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/**
 * Min-heap of (expiresAt, key) with lazy deletion: filling or cancelling an order leaves its entry
 * behind, and expire() skips entries whose order is gone or was re-inserted with another expiry.
 * Equal times pop by key, so expire() returns the same list for the same book.
 */
class ExpiryHeap {
  private at: number[] = []
  private keys: number[] = []

  get size(): number {
    return this.at.length
  }

  topAt(): number {
    return this.at[0] as number
  }

  push(at: number, key: number): void {
    this.at.push(at)
    this.keys.push(key)
    this.siftUp(this.at.length - 1)
  }

  /** Removes the earliest entry and returns its key. */
  pop(): number {
    const key = this.keys[0] as number
    const lastAt = this.at.pop() as number
    const lastKey = this.keys.pop() as number
    if (this.at.length > 0) {
      this.at[0] = lastAt
      this.keys[0] = lastKey
      this.siftDown(0)
    }
    return key
  }

  /** Keeps only the entries `keep` accepts, and restores the heap order in O(n). */
  retain(keep: (at: number, key: number) => boolean): void {
    const at: number[] = []
    const keys: number[] = []
    for (let i = 0; i < this.at.length; i++) {
      const t = this.at[i] as number
      const k = this.keys[i] as number
      if (keep(t, k)) {
        at.push(t)
        keys.push(k)
      }
    }
    this.at = at
    this.keys = keys
    for (let i = (at.length >>> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  private less(i: number, j: number): boolean {
    const a = this.at[i] as number
    const b = this.at[j] as number
    return a < b || (a === b && (this.keys[i] as number) < (this.keys[j] as number))
  }

  private swap(i: number, j: number): void {
    const at = this.at[i] as number
    const key = this.keys[i] as number
    this.at[i] = this.at[j] as number
    this.keys[i] = this.keys[j] as number
    this.at[j] = at
    this.keys[j] = key
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >>> 1
      if (!this.less(i, parent)) return
      this.swap(i, parent)
      i = parent
    }
  }

  private siftDown(i: number): void {
    const n = this.at.length
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) return
      const right = left + 1
      const child = right < n && this.less(right, left) ? right : left
      if (!this.less(child, i)) return
      this.swap(i, child)
      i = child
    }
  }
}

function invalid(key: number, field: string, why: string): OrderBookError {
  return new OrderBookError({ code: 'ORDER_BOOK_INVALID_ORDER', key, field }, `order ${key}: ${field} ${why}`)
}

function isPositiveSafeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0
}

/** Checked where orders enter, so that the matching loop can trust every number it meets. */
function checkOrder(order: RestingOrderInit | TakerOrder): void {
  const { key } = order
  if (!Number.isSafeInteger(key)) throw invalid(key, 'key', 'must be a safe integer')
  if (order.side !== 'buy' && order.side !== 'sell') throw invalid(key, 'side', "must be 'buy' or 'sell'")
  if (!isPositiveSafeInteger(order.price)) throw invalid(key, 'price', 'must be a whole number of ticks > 0')
  if (!isPositiveSafeInteger(order.qty)) throw invalid(key, 'qty', 'must be a safe integer > 0')
  if (typeof order.time !== 'number' || Number.isNaN(order.time))
    throw invalid(key, 'time', 'must be a number')
  const { tiebreak, expiresAt } = order
  if (tiebreak !== undefined && typeof tiebreak !== 'string')
    throw invalid(key, 'tiebreak', 'must be a string')
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || Number.isNaN(expiresAt))) {
    throw invalid(key, 'expiresAt', 'must be a number')
  }
}

/** checkOrder, and the time in force that only a taker has. */
function checkTaker(taker: TakerOrder): void {
  checkOrder(taker)
  const { tif } = taker
  if (tif !== 'gtc' && tif !== 'ioc' && tif !== 'fok') {
    throw invalid(taker.key, 'tif', "must be 'gtc', 'ioc' or 'fok'")
  }
}

function refuseOverflow(own: BookSide, key: number, price: number, qty: number): void {
  if (own.wouldOverflow(price, qty)) throw invalid(key, 'qty', 'would take its price level past 2^53 - 1')
}

// The state hash's input goes to update() in chunks: one call per order would cost more than hashing.
const HASH_CHUNK_CHARS = 1 << 16

export class OrderBook {
  private readonly slots = new OrderSlots()
  private readonly bids = new BookSide(true)
  private readonly asks = new BookSide(false)
  private readonly expiries = new ExpiryHeap()
  /** Resting orders with a finite expiry: bounds the heap's stale entries (see pushExpiry). */
  private expiring = 0

  /** Rests an order without matching it (an order learnt from a peer), placed by (time, tiebreak). */
  insert(order: RestingOrderInit): void {
    checkOrder(order)
    this.refuseDuplicate(order.key)
    const own = order.side === 'buy' ? this.bids : this.asks
    refuseOverflow(own, order.key, order.price, order.qty)
    this.rest(
      order.key,
      own,
      order.price,
      order.qty,
      order.time,
      order.tiebreak ?? '',
      order.expiresAt ?? Number.POSITIVE_INFINITY,
    )
  }

  /** Reduces a resting order by a fill agreed elsewhere; returns what remains (removed at 0). */
  fill(key: number, qty: number): number {
    const slot = this.slots.find(key)
    if (slot === NONE) {
      throw new OrderBookError(
        { code: 'ORDER_BOOK_UNKNOWN_ORDER', key },
        `order ${key} is not resting in this book: it was filled, cancelled or expired, or never entered`,
      )
    }
    if (!isPositiveSafeInteger(qty)) throw invalid(key, 'fill qty', 'must be a safe integer > 0')
    const remaining = this.slots.qty(slot)
    if (qty > remaining) {
      throw new OrderBookError(
        { code: 'ORDER_BOOK_OVERFILL', key, qty, remaining },
        `order ${key}: a fill of ${qty} exceeds the ${remaining} that rests; fill at most the remainder`,
      )
    }
    if (qty === remaining) {
      this.remove(slot)
      return 0
    }
    const side = this.sideOf(slot)
    this.slots.setQty(slot, remaining - qty)
    ;(side.find(this.slots.price(slot)) as Level).total -= qty
    side.total -= qty
    return remaining - qty
  }

  /** Removes a resting order; false when it is not in the book. */
  cancel(key: number): boolean {
    const slot = this.slots.find(key)
    if (slot === NONE) return false
    this.remove(slot)
    return true
  }

  /** Removes every order with expiresAt <= now and returns their keys, earliest expiry first. */
  expire(now: number): number[] {
    const expired: number[] = []
    const heap = this.expiries
    while (heap.size > 0 && heap.topAt() <= now) {
      const at = heap.topAt()
      const key = heap.pop()
      const slot = this.slots.find(key)
      if (slot === NONE || this.slots.expiresAt(slot) !== at) continue
      this.remove(slot)
      expired.push(key)
    }
    return expired
  }

  /**
   * Visits the resting orders a taker on `side` at `limitPrice` would meet, in the order it would
   * meet them, until `visit` returns false. The visitor must not change the book.
   */
  forEachCrossing(side: Side, limitPrice: number, visit: (order: RestingOrder) => boolean | undefined): void {
    const makers = side === 'buy' ? this.asks : this.bids
    const levels = makers.levels
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i] as Level
      if (!makers.crosses(level.price, limitPrice)) return
      for (let slot = level.head; slot !== NONE; slot = this.slots.next(slot)) {
        if (visit(this.view(slot)) === false) return
      }
    }
  }

  /**
   * Matches a taker in price-time priority at each maker's price. A gtc remainder rests as insert()
   * would place it, an ioc remainder is dropped, and a fok order trades in full or not at all.
   */
  submit(taker: TakerOrder, onTrade?: TradeVisitor): SubmitResult {
    checkTaker(taker)
    const { key, price, qty, tif } = taker
    // Every refusal comes before the first trade: a submit applies in full or not at all.
    this.refuseDuplicate(key)
    const buy = taker.side === 'buy'
    const own = buy ? this.bids : this.asks
    if (tif === 'gtc') refuseOverflow(own, key, price, qty)
    const makers = buy ? this.asks : this.bids
    if (tif === 'fok' && this.crossingQty(makers, price, qty) < qty) return { filled: 0, rested: false }
    const filled = this.take(makers, price, qty, onTrade)
    if (filled === qty || tif !== 'gtc') return { filled, rested: false }
    this.rest(
      key,
      own,
      price,
      qty - filled,
      taker.time,
      taker.tiebreak ?? '',
      taker.expiresAt ?? Number.POSITIVE_INFINITY,
    )
    return { filled, rested: true }
  }

  get(key: number): RestingOrder | undefined {
    const slot = this.slots.find(key)
    return slot === NONE ? undefined : this.view(slot)
  }

  bestBid(): number | undefined {
    return this.bids.best()?.price
  }

  bestAsk(): number | undefined {
    return this.asks.best()?.price
  }

  /** Quantity per price level, best first; `levels` caps how many per side. */
  depth(levels = Number.POSITIVE_INFINITY): BookDepth {
    return { bids: sideDepth(this.bids, levels), asks: sideDepth(this.asks, levels) }
  }

  get size(): number {
    return this.slots.count
  }

  /**
   * sha256 over every resting order's (side, price, time, tiebreak, qty) in priority order. Keys
   * are left out, so two books holding the same orders hash the same whoever numbered them.
   */
  stateHash(): string {
    const hash = createHash('sha256')
    let chunk = ''
    for (const order of this.orders()) {
      // Length-prefixing the tiebreak keeps whatever it holds from faking a field boundary.
      const { side, price, time, tiebreak, qty } = order
      chunk += `${side} ${price} ${time} ${tiebreak.length}:${tiebreak} ${qty}\n`
      if (chunk.length >= HASH_CHUNK_CHARS) {
        hash.update(chunk)
        chunk = ''
      }
    }
    hash.update(chunk)
    return hash.digest('hex')
  }

  /** Every resting order: bids best first, then asks best first, each level in priority order. */
  *orders(): Iterable<RestingOrder> {
    for (const side of [this.bids, this.asks]) {
      const levels = side.levels
      for (let i = levels.length - 1; i >= 0; i--) {
        for (let slot = (levels[i] as Level).head; slot !== NONE; slot = this.slots.next(slot)) {
          yield this.view(slot)
        }
      }
    }
  }

  private view(slot: number): RestingOrder {
    const s = this.slots
    return {
      key: s.key(slot),
      side: s.isSell(slot) ? 'sell' : 'buy',
      price: s.price(slot),
      qty: s.qty(slot),
      time: s.time(slot),
      tiebreak: s.tiebreak(slot),
      expiresAt: s.expiresAt(slot),
    }
  }

  private sideOf(slot: number): BookSide {
    return this.slots.isSell(slot) ? this.asks : this.bids
  }

  private refuseDuplicate(key: number): void {
    if (this.slots.find(key) !== NONE) {
      throw new OrderBookError(
        { code: 'ORDER_BOOK_DUPLICATE_KEY', key },
        `order ${key} already rests in this book; give each resting order its own key`,
      )
    }
  }

  private rest(
    key: number,
    own: BookSide,
    price: number,
    qty: number,
    time: number,
    tiebreak: string,
    expiresAt: number,
  ): void {
    const level = own.levelAt(price)
    const slot = this.slots.allocate(key, !own.isBid, price, qty, time, tiebreak, expiresAt)
    this.link(level, slot, time, tiebreak)
    level.total += qty
    own.total += qty
    if (expiresAt !== Number.POSITIVE_INFINITY) this.pushExpiry(expiresAt, key)
  }

  /** Places a slot by (time, tiebreak), walking back from the tail: new orders almost always go last. */
  private link(level: Level, slot: number, time: number, tiebreak: string): void {
    const s = this.slots
    let after = level.tail
    while (after !== NONE) {
      const t = s.time(after)
      if (t < time || (t === time && s.tiebreak(after) <= tiebreak)) break
      after = s.prev(after)
    }
    const before = after === NONE ? level.head : s.next(after)
    s.setPrev(slot, after)
    s.setNext(slot, before)
    if (after === NONE) level.head = slot
    else s.setNext(after, slot)
    if (before === NONE) level.tail = slot
    else s.setPrev(before, slot)
  }

  /** Takes a resting order out of its level and the index, and drops the level if it empties. */
  private remove(slot: number): void {
    const s = this.slots
    const side = this.sideOf(slot)
    const level = side.find(s.price(slot)) as Level
    const prev = s.prev(slot)
    const next = s.next(slot)
    if (prev === NONE) level.head = next
    else s.setNext(prev, next)
    if (next === NONE) level.tail = prev
    else s.setPrev(next, prev)
    const qty = s.qty(slot)
    level.total -= qty
    side.total -= qty
    this.release(slot)
    if (level.head === NONE) side.dropLevel(level)
  }

  private release(slot: number): void {
    if (this.slots.expires(slot)) this.expiring--
    this.slots.release(slot)
  }

  private pushExpiry(expiresAt: number, key: number): void {
    this.expiring++
    this.expiries.push(expiresAt, key)
    // Entries of orders that were filled or cancelled pile up until their time comes; once they
    // outnumber the live ones, sweep them so that memory follows the book rather than its history.
    if (this.expiries.size > 2 * this.expiring + 64) {
      const kept = new Set<number>()
      this.expiries.retain((at, k) => {
        const slot = this.slots.find(k)
        if (slot === NONE || this.slots.expiresAt(slot) !== at || kept.has(k)) return false
        kept.add(k)
        return true
      })
    }
  }

  /** Liquidity a taker at `limit` could reach, summed per level and stopping once `want` is met. */
  private crossingQty(makers: BookSide, limit: number, want: number): number {
    const levels = makers.levels
    let total = 0
    for (let i = levels.length - 1; i >= 0 && total < want; i--) {
      const level = levels[i] as Level
      if (!makers.crosses(level.price, limit)) break
      total += level.total
    }
    return total
  }

  /** Trades up to `qty` against the best crossing levels; returns the quantity traded. */
  private take(makers: BookSide, limit: number, qty: number, onTrade: TradeVisitor | undefined): number {
    const levels = makers.levels
    let left = qty
    while (left > 0 && levels.length > 0) {
      const level = levels[levels.length - 1] as Level
      if (!makers.crosses(level.price, limit)) break
      left = this.takeFromLevel(level, left, onTrade)
      if (level.head === NONE) {
        levels.pop()
        makers.forget(level)
      }
    }
    makers.total -= qty - left
    return qty - left
  }

  /**
   * Trades from the head of one level; returns what the taker still wants. Consumed orders all
   * leave from the head, so the level is relinked once at the end rather than once per order.
   */
  private takeFromLevel(level: Level, want: number, onTrade: TradeVisitor | undefined): number {
    const s = this.slots
    const price = level.price
    let left = want
    let slot = level.head
    while (slot !== NONE) {
      const qty = s.qty(slot)
      if (qty > left) {
        s.setQty(slot, qty - left)
        if (onTrade !== undefined) onTrade(s.key(slot), price, left)
        left = 0
        break
      }
      left -= qty
      const key = s.key(slot)
      const next = s.next(slot)
      this.release(slot)
      if (onTrade !== undefined) onTrade(key, price, qty)
      slot = next
      if (left === 0) break
    }
    level.head = slot
    if (slot === NONE) level.tail = NONE
    else s.setPrev(slot, NONE)
    level.total -= want - left
    return left
  }
}

function sideDepth(side: BookSide, max: number): Array<[price: number, qty: number]> {
  const out: Array<[price: number, qty: number]> = []
  const levels = side.levels
  for (let i = levels.length - 1; i >= 0 && out.length < max; i--) {
    const level = levels[i] as Level
    out.push([level.price, level.total])
  }
  return out
}
