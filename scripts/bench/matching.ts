// Matching-engine benchmark (BENCHMARKS.md, "Matching engine"): our OrderBook against
// nodejs-order-book 10.1.1 on the same seeded stream of limit orders, in the same run.
//
//   npx tsx scripts/bench/matching.ts [--orders N] [--competitor-orders N] [--runs N] [--seed N]
//
// Workload A (deep book): N gtc limit orders, price = mid ± up to 5 ticks, sizes 1–100, about 40%
// of them aggressive (priced through the mid so that they cross), no cancels. Workload B (shallow
// book): the same stream, and every order still resting 1,000 orders later is cancelled.
// nodejs-order-book walks a whole price level per fill or cancel, so it is quadratic on A: by
// default it runs only the first 50,000 orders of A (all of B), and the ratio compares both engines
// on that same prefix. Both must report the same traded volume on it, or the script exits 1.
//
// Prints one JSON object per figure on stdout: orders/s by wall clock and by CPU time (the median
// of --runs for our engine, one run for the competitor), ns per order over the first and the last
// tenth of the stream (flat means no work grows with the book), traded volume and orders resting
// at the end; progress goes to stderr.

import { createRequire } from 'node:module'
import { OrderBook } from '../../ledger/orderbook/order-book.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'

const GOAL_ORDERS_PER_SEC = 10_000_000
const GOAL_RATIO_B = 20
const MID = 100_000
const MAX_OFFSET = 5
const MAX_QTY = 100
const AGGRESSIVE_SHARE = 0.4
const CANCEL_AFTER = 1_000
const WARMUP_ORDERS = 200_000
const WARMUP_COMPETITOR_ORDERS = 10_000
const BUY = 0
/** Cap on the runs of a short prefix, which are repeated to be timed over enough orders. */
const MAX_PREFIX_RUNS = 40

// The package's "types" field names a file it does not ship, so its API is declared here: only
// the limit-order calls the benchmark makes.
interface CompetitorBook {
  limit(options: { id: string; side: 'buy' | 'sell'; size: number; price: number }): {
    quantityLeft: number
    err: { message: string } | null
  }
  cancel(id: string): unknown
  snapshot(): { bids: Array<{ orders: unknown[] }>; asks: Array<{ orders: unknown[] }> }
}
type CompetitorModule = { OrderBook: new (options?: { enableJournaling?: boolean }) => CompetitorBook }
const { OrderBook: CompetitorOrderBook } = createRequire(import.meta.url)(
  'nodejs-order-book',
) as CompetitorModule

interface Options {
  orders: number
  competitorOrders: { A: number; B: number }
  runs: number
  seed: number
}

function parseArgs(argv: string[]): Options {
  const named = new Map<string, number>()
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    const value = Number(argv[i + 1])
    if (
      !['--orders', '--competitor-orders', '--runs', '--seed'].includes(flag) ||
      !Number.isSafeInteger(value)
    ) {
      process.stderr.write(`usage: matching.ts [--orders N] [--competitor-orders N] [--runs N] [--seed N]\n`)
      process.exit(2)
    }
    named.set(flag, value)
    i++
  }
  const orders = named.get('--orders') ?? 1_000_000
  const competitor = named.get('--competitor-orders')
  return {
    orders,
    competitorOrders: {
      A: Math.min(orders, competitor ?? 50_000),
      B: Math.min(orders, competitor ?? orders),
    },
    runs: named.get('--runs') ?? 5,
    seed: named.get('--seed') ?? 1,
  }
}

interface Stream {
  side: Uint8Array
  price: Int32Array
  qty: Int32Array
}

/**
 * Passive orders rest from the mid outwards (bids mid-4..mid, asks mid+1..mid+5); aggressive ones
 * reach up to 5 ticks through the mid, so they meet the opposite best level whenever it is there.
 */
function generate(n: number, seed: number): Stream {
  const random = seededRandom(seed)
  const stream = { side: new Uint8Array(n), price: new Int32Array(n), qty: new Int32Array(n) }
  for (let i = 0; i < n; i++) {
    const buy = random() < 0.5
    const aggressive = random() < AGGRESSIVE_SHARE
    const offset = 1 + Math.floor(random() * MAX_OFFSET)
    stream.side[i] = buy ? BUY : 1
    if (buy) stream.price[i] = aggressive ? MID + offset : MID + 1 - offset
    else stream.price[i] = aggressive ? MID + 1 - offset : MID + offset
    stream.qty[i] = 1 + Math.floor(random() * MAX_QTY)
  }
  return stream
}

interface Run {
  seconds: number
  /** User + system CPU time of the process: steadier than wall time on a shared machine. */
  cpuSeconds: number
  tradedQty: number
  restingAtEnd: number
  /** ns per order in each tenth of the stream. */
  tenths: number[]
}

/** Bounds of the ten slices that each run is timed in, so that a slope over the run shows. */
function tenthsOf(n: number): number[] {
  return Array.from({ length: 11 }, (_, tenth) => Math.floor((n * tenth) / 10))
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start)
  return (user + system) / 1e6
}

function nsPerOrder(ms: number, orders: number): number {
  return (ms * 1e6) / Math.max(1, orders)
}

// Each engine gets its own loop rather than a shared one taking a callback: a call site shared by
// both would go polymorphic and charge each order for a call the engine does not make.
function runHcx(stream: Stream, n: number, cancelAfter: number): Run {
  const book = new OrderBook()
  const { side, price, qty } = stream
  const bounds = tenthsOf(n)
  const tenths: number[] = []
  let tradedQty = 0
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  for (let tenth = 0; tenth < 10; tenth++) {
    const from = bounds[tenth] as number
    const to = bounds[tenth + 1] as number
    const sliceStart = performance.now()
    for (let i = from; i < to; i++) {
      tradedQty += book.submit({
        key: i,
        side: side[i] === BUY ? 'buy' : 'sell',
        price: price[i] as number,
        qty: qty[i] as number,
        tif: 'gtc',
        time: i,
      }).filled
      if (cancelAfter > 0 && i >= cancelAfter) book.cancel(i - cancelAfter)
    }
    tenths.push(nsPerOrder(performance.now() - sliceStart, to - from))
  }
  const seconds = (performance.now() - start) / 1000
  return { seconds, cpuSeconds: cpuSecondsSince(cpuStart), tradedQty, restingAtEnd: book.size, tenths }
}

function runCompetitor(stream: Stream, n: number, cancelAfter: number): Run {
  // Journaling off (the default) and no snapshots while timing: only matching is measured.
  const book = new CompetitorOrderBook({ enableJournaling: false })
  const ids = Array.from({ length: n }, (_, i) => String(i))
  const { side, price, qty } = stream
  const bounds = tenthsOf(n)
  const tenths: number[] = []
  let tradedQty = 0
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  for (let tenth = 0; tenth < 10; tenth++) {
    const from = bounds[tenth] as number
    const to = bounds[tenth + 1] as number
    const sliceStart = performance.now()
    for (let i = from; i < to; i++) {
      const size = qty[i] as number
      const result = book.limit({
        id: ids[i] as string,
        side: side[i] === BUY ? 'buy' : 'sell',
        size,
        price: price[i] as number,
      })
      if (result.err !== null) throw new Error(`nodejs-order-book refused order ${i}: ${result.err.message}`)
      tradedQty += size - result.quantityLeft
      if (cancelAfter > 0 && i >= cancelAfter) book.cancel(ids[i - cancelAfter] as string)
    }
    tenths.push(nsPerOrder(performance.now() - sliceStart, to - from))
  }
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSecondsSince(cpuStart)
  const { bids, asks } = book.snapshot()
  const restingAtEnd = [...bids, ...asks].reduce((count, level) => count + level.orders.length, 0)
  return { seconds, cpuSeconds, tradedQty, restingAtEnd, tenths }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >>> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function emit(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'matching', ...figure })}\n`)
}

function progress(message: string): void {
  process.stderr.write(`matching: ${message}\n`)
}

function round(n: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(n * scale) / scale
}

interface Figure {
  run: Run
  /** Median over the runs, wall clock. */
  rate: number
  rates: number[]
  /** Median over the runs, CPU time. */
  cpuRate: number
}

/** Our engine over the first `n` orders, `runs` times; the run reported is the median one. */
function hcxFigure(stream: Stream, n: number, cancelAfter: number, runs: number): Figure {
  const results: Run[] = []
  for (let r = 0; r < runs; r++) results.push(runHcx(stream, n, cancelAfter))
  const rates = results.map((run) => n / run.seconds)
  const rate = median(rates)
  const run = results[rates.indexOf(rate)] ?? (results[0] as Run)
  return { run, rate, rates, cpuRate: median(results.map((r) => n / r.cpuSeconds)) }
}

/** Enough runs of a short prefix that it is timed over about as many orders as the full stream. */
function prefixRuns(prefix: number, orders: number, runs: number): number {
  return Math.min(MAX_PREFIX_RUNS, Math.max(runs, Math.ceil((orders * runs) / prefix / 4)))
}

function main(): void {
  const options = parseArgs(process.argv.slice(2))
  const n = options.orders
  progress(`generating ${n} orders (seed ${options.seed})`)
  const stream = generate(n, options.seed)

  progress('warming up')
  const warm = generate(WARMUP_ORDERS, options.seed + 1)
  for (const cancelAfter of [0, CANCEL_AFTER]) {
    runHcx(warm, WARMUP_ORDERS, cancelAfter)
    runCompetitor(warm, WARMUP_COMPETITOR_ORDERS, cancelAfter)
  }

  let failed = false
  for (const [workload, cancelAfter] of [
    ['A', 0],
    ['B', CANCEL_AFTER],
  ] as const) {
    progress(`workload ${workload}: hcx, ${options.runs} runs of ${n} orders`)
    const full = hcxFigure(stream, n, cancelAfter, options.runs)
    emit({
      engine: 'hcx',
      workload,
      orders: n,
      runs: options.runs,
      ordersPerSec: Math.round(full.rate),
      ordersPerSecRuns: full.rates.map(Math.round),
      ordersPerCpuSec: Math.round(full.cpuRate),
      nsPerOrderFirstTenth: round(full.run.tenths[0] as number),
      nsPerOrderLastTenth: round(full.run.tenths[9] as number),
      nsPerOrderByTenth: full.run.tenths.map((ns) => round(ns, 0)),
      tradedQty: full.run.tradedQty,
      restingAtEnd: full.run.restingAtEnd,
      goal: GOAL_ORDERS_PER_SEC,
      meetsGoal: full.rate >= GOAL_ORDERS_PER_SEC,
    })

    // Our engine runs the competitor's prefix before the competitor does, so that neither the
    // competitor's garbage nor its collector's work lands in our timing.
    const prefix = options.competitorOrders[workload]
    let ours = full
    if (prefix !== n) {
      const runs = prefixRuns(prefix, n, options.runs)
      progress(`workload ${workload}: hcx, ${runs} runs of the first ${prefix} orders`)
      ours = hcxFigure(stream, prefix, cancelAfter, runs)
      emit({
        engine: 'hcx',
        workload,
        orders: prefix,
        prefixOf: n,
        runs,
        ordersPerSec: Math.round(ours.rate),
        ordersPerCpuSec: Math.round(ours.cpuRate),
        tradedQty: ours.run.tradedQty,
        restingAtEnd: ours.run.restingAtEnd,
      })
    }
    progress(`workload ${workload}: nodejs-order-book, ${prefix} orders`)
    const theirs = runCompetitor(stream, prefix, cancelAfter)
    const theirRate = prefix / theirs.seconds
    emit({
      engine: 'nodejs-order-book',
      workload,
      orders: prefix,
      ...(prefix !== n ? { prefixOf: n } : {}),
      runs: 1,
      ordersPerSec: Math.round(theirRate),
      ordersPerCpuSec: Math.round(prefix / theirs.cpuSeconds),
      nsPerOrderFirstTenth: round(theirs.tenths[0] as number),
      nsPerOrderLastTenth: round(theirs.tenths[9] as number),
      nsPerOrderByTenth: theirs.tenths.map((ns) => round(ns, 0)),
      tradedQty: theirs.tradedQty,
      restingAtEnd: theirs.restingAtEnd,
    })
    const sameVolume = ours.run.tradedQty === theirs.tradedQty
    const ratio = ours.rate / theirRate
    emit({
      workload,
      orders: prefix,
      competitorOrders: prefix,
      ratioVsNodejsOrderBook: round(ratio),
      cpuRatioVsNodejsOrderBook: round(ours.cpuRate / (prefix / theirs.cpuSeconds)),
      tradedQtyMatches: sameVolume,
      restingAtEndMatches: ours.run.restingAtEnd === theirs.restingAtEnd,
      ...(workload === 'B' ? { goal: GOAL_RATIO_B, meetsGoal: ratio >= GOAL_RATIO_B } : {}),
    })
    if (!sameVolume) {
      progress(
        `workload ${workload}: traded volume differs on the first ${prefix} orders: hcx ${ours.run.tradedQty}, nodejs-order-book ${theirs.tradedQty}`,
      )
      failed = true
    }
  }
  if (failed) process.exit(1)
}

main()
