// Order propagation benchmark (BENCHMARKS.md, "Order propagation (market)"): 10 market nodes on
// 127.0.0.1, non-crossing signed orders placed at random nodes at an offered rate, and for each
// order the time from the place call until it is in all 10 books (the placing node's own book
// counts at once), with the CPU it costs per node per order.
//
//   npx tsx scripts/bench/market-propagation.ts [--rate 500] [--seconds 20] [--mode both]
//       [--baseline | --no-baseline] [--baseline-rate 50] [--warmup 15]
//
// Modes, each in a process of its own so that one leaves nothing behind for the next:
//  - inprocess: 10 HcxNodes in one child process (test/helpers/market-cluster.ts); orders go
//    through market.place() and arrive as `book` events carrying their order ids. CPU is the
//    process's cpuUsage over the run, load generation included (placing is signing).
//  - processes: 10 `bin/hcx node start --json` processes; orders are POSTed to /v1/orders of a
//    random node and watched on every node's SSE /v1/events stream, all timestamps taken by
//    this process. CPU is the nodes' utime+stime from /proc (kernelCpuShare: the stime part);
//    this process's own CPU (HTTP client, SSE parsing) is harnessCpuMsPerOrder. The nodes get
//    the in-process cluster's DHT pacing (MARKET_TEST_DISCOVERY) through a --config file.
//  - stock-gossipsub (the baseline; on by default with --mode both): 10 plain libp2p nodes
//    (tcp, noise, yamux, identify, ping) with @libp2p/gossipsub at its defaults (StrictSign,
//    D=6, flood publishing) but loopback exempt from the IP-colocation penalty, fully
//    connected, in one child process; one message per order, as large as a signed one-order
//    market message. Run at --baseline-rate (default 50/s) for at most 8 s, then at --rate for
//    at most 4 s, each given 5 s to drain: it saturates far below 500/s, and a longer run
//    would only queue minutes of work.
// Every mode waits for the gossip mesh (each node >= 3 subscribers or peers), then at least
// --warmup seconds and until the idle nodes use under 3% of a core each (the DHT's start-up
// lookups cost CPU; at most 45 s), then checks one order per node end to end before the
// timed run. The last 3 s of the warm-up give idleCpuPctPerNode, and
// cpuMsPerNodePerOrderAboveIdle takes that idle cost out. Orders missing from a book 10 s
// after the last one was placed are incomplete: a percentile that falls on one is null, and
// the run is marked saturated (so is a run that placed or delivered under the offered rate,
// or whose median latency grew past 250 ms and twice its start, or whose p50 is over 1 s:
// orders waiting in a backlog).
// loadAvg1m is the machine's load as the run began: runs on a shared machine are noisy.
//
// Prints one JSON object per figure on stdout; progress goes to stderr. One full run takes
// about 3 minutes. One mode alone, in this process (e.g. under `node --cpu-prof`):
//   node --import tsx scripts/bench/market-propagation.ts --phase inprocess|processes|stock
// BENCH_HCX names another executable to start the nodes with in place of bin/hcx.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { MarketEvent, PlaceOrderParams } from '../../actors/market/market-types.ts'
import { formatPrice, formatQuantity } from '../../ledger/instruments/decimal.ts'
import { instrumentSpec, parseInstrumentId } from '../../ledger/instruments/instrument-id.ts'
import { readApiEndpoint, readApiToken } from '../../node/api/api-files.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import type { OrderBody } from '../../protocols/market/messages.ts'
import { signOrder } from '../../protocols/market/sign.ts'
import { marketTopics } from '../../protocols/market/topics.ts'
import { encodeOrderTopicMessage } from '../../protocols/market/wire.ts'
import { signerFromPeerKey } from '../../protocols/signing/ed25519.ts'
import { MARKET_TEST_DISCOVERY, startMarketNodes } from '../../test/helpers/market-cluster.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'
import { TestCluster } from '../../test/helpers/test-node.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const NODE = join(ROOT, 'node_modules/.bin/node')
const TSX_IMPORT = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs')
const HCX = process.env.BENCH_HCX ?? join(ROOT, 'bin/hcx')
const SELF = fileURLToPath(import.meta.url)

const NODES = 10
const INSTRUMENT = 'SPOT:gpu.h100'
const SPEC = instrumentSpec(parseInstrumentId(INSTRUMENT))
const ORDER_TOPIC = marketTopics('main').orders
const STOCK_TOPIC = 'bench-propagation'
const DRAIN_MS = 10_000
const MESH_TIMEOUT_MS = 20_000
const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 15_000
const PHASE_TIMEOUT_MS = 170_000
const STOCK_LOW_MAX_SECONDS = 8
const STOCK_HIGH_MAX_SECONDS = 4
/** The baseline saturates: its backlog would take minutes to drain. */
const STOCK_DRAIN_MS = 5_000
const IDLE_WINDOW_MS = 3_000
/** A run whose median latency ends above this, and above twice where it began, was queueing. */
const QUEUEING_MS = 250
/** On loopback, a median over this means orders wait behind others, not on the network. */
const BACKLOG_P50_MS = 1_000
/** Idle CPU per node, in % of one core, under which the warm-up counts as over. */
const IDLE_SETTLED_PCT = 3
const WARMUP_MAX_MS = 45_000

const GOALS = {
  inprocess: { ratePerSec: 300, p99Ms: 100 },
  processes: { ratePerSec: 500, p99Ms: 100 },
  cpuMsPerNodePerOrder: 0.2,
}

interface Options {
  rate: number
  seconds: number
  warmupSeconds: number
  baselineRate: number
}

function progress(message: string): void {
  process.stderr.write(`propagation: ${message}\n`)
}

function emit(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'propagation', ...figure })}\n`)
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (await check()) return true
    await sleep(everyMs)
  }
  return check()
}

/**
 * Non-crossing orders: bids 900–949 ticks, asks 1051–1100 ticks, so nothing ever matches and
 * the run measures propagation only.
 */
function orderStream(seed: number): () => { node: number; params: PlaceOrderParams } {
  const random = seededRandom(seed)
  return () => {
    const side = random() < 0.5 ? ('buy' as const) : ('sell' as const)
    const ticks = (side === 'buy' ? 900 : 1051) + Math.floor(random() * 50)
    return {
      node: Math.floor(random() * NODES),
      params: {
        instrument: INSTRUMENT,
        side,
        price: BigInt(ticks) * SPEC.tickSize,
        qty: BigInt(1 + Math.floor(random() * 20)) * SPEC.lotSize,
        tif: 'gtc' as const,
      },
    }
  }
}

/** Bytes of one signed order as its own gossip message (a one-item batch). */
async function signedOrderMessageBytes(): Promise<number> {
  const signer = signerFromPeerKey(await generateKeyPair('Ed25519'))
  const now = Date.now()
  const body: OrderBody = {
    v: 1,
    net: 'main',
    inst: INSTRUMENT,
    side: 'buy',
    px: 925n * SPEC.tickSize,
    qty: 10n,
    tif: 'gtc',
    exp: 0,
    ts: now,
    // A full-width nonce, as nodes draw them, so the measured size is a real order's.
    nonce: Math.floor(seededRandom(1)() * 2 ** 48),
    owner: signer.publicKey,
    acct: new Uint8Array(20).fill(7),
    minRep: 0,
  }
  return encodeOrderTopicMessage([signOrder(body, signer)]).length
}

// ------------------------------------------------------------------ measurement

interface Arrival {
  mask: number
  lastAt: number
  placedAt: number
  scheduledAt: number
}

/** Which nodes have each order, and each order's time to all of them once complete. */
class Tracker {
  readonly latencies: number[] = []
  readonly sinceSchedule: number[] = []
  /** Latency by the order's scheduled time, to see whether a queue built up over the run. */
  readonly bySchedule: Array<[scheduledAt: number, latency: number]> = []
  placed = 0
  failed = 0
  lastDoneAt = 0
  /** How long the run was given to complete after its last order. */
  drainMs = 0
  readonly errors = new Map<string, number>()
  private readonly full: number
  private readonly arrivals = new Map<string, Arrival>()
  private closed = false

  constructor(nodes: number) {
    this.full = 2 ** nodes - 1
  }

  get complete(): number {
    return this.latencies.length
  }

  /** The placing node has the order from the moment it was placed. */
  onPlaced(id: string, node: number, at: number, scheduledAt: number): void {
    if (this.closed) return
    this.placed++
    const arrival = this.arrival(id)
    arrival.placedAt = at
    arrival.scheduledAt = scheduledAt
    this.mark(arrival, node, at)
  }

  onSeen(id: string, node: number, at: number): void {
    this.mark(this.arrival(id), node, at)
  }

  /** Ends the run: what arrives later (a backlog still draining) is not counted. */
  close(): void {
    this.closed = true
  }

  onFailed(reason: string): void {
    if (this.closed) return
    this.failed++
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1)
  }

  private arrival(id: string): Arrival {
    let arrival = this.arrivals.get(id)
    if (arrival === undefined) {
      arrival = { mask: 0, lastAt: Number.NEGATIVE_INFINITY, placedAt: Number.NaN, scheduledAt: Number.NaN }
      this.arrivals.set(id, arrival)
    }
    return arrival
  }

  private mark(arrival: Arrival, node: number, at: number): void {
    if (this.closed) return
    const bit = 2 ** node
    if ((arrival.mask & bit) !== 0) return
    arrival.mask |= bit
    if (at > arrival.lastAt) arrival.lastAt = at
    if (arrival.mask === this.full && !Number.isNaN(arrival.placedAt)) {
      this.latencies.push(arrival.lastAt - arrival.placedAt)
      this.sinceSchedule.push(arrival.lastAt - arrival.scheduledAt)
      this.bySchedule.push([arrival.scheduledAt, arrival.lastAt - arrival.placedAt])
      if (arrival.lastAt > this.lastDoneAt) this.lastDoneAt = arrival.lastAt
    }
  }
}

interface DriveTiming {
  /** The machine's 1-minute load average as the run began: these runs share the machine. */
  loadAvg1m: number
  fired: number
  firstAt: number
  lastAt: number
}

/** Open loop: fires order i at start + i/rate, catching up at once when the loop was late. */
async function drive(
  rate: number,
  count: number,
  fire: (index: number, scheduledAt: number) => void,
): Promise<DriveTiming> {
  const loadAvg1m = loadavg()[0] ?? Number.NaN
  const interval = 1000 / rate
  const startedAt = performance.now()
  let firstAt = Number.NaN
  let lastAt = Number.NaN
  let next = 0
  while (next < count) {
    const due = Math.min(count, Math.floor((performance.now() - startedAt) / interval) + 1)
    while (next < due) {
      const at = performance.now()
      if (next === 0) firstAt = at
      lastAt = at
      fire(next, startedAt + next * interval)
      next++
    }
    if (next < count) await sleep(Math.max(0, startedAt + next * interval - performance.now()))
  }
  return { loadAvg1m, fired: count, firstAt, lastAt }
}

/** Waits until every fired order is complete or failed, at most DRAIN_MS after the last one. */
async function drain(tracker: Tracker, fired: number, drainMs = DRAIN_MS): Promise<number> {
  await waitUntil(() => tracker.complete + tracker.failed >= fired, drainMs, 5)
  tracker.drainMs = drainMs
  tracker.close()
  return performance.now()
}

/** Nearest rank over all fired orders; missing ones rank last, and a rank on one is null. */
function rank(sorted: number[], total: number, q: number): number | null {
  const index = Math.max(1, Math.ceil(q * total)) - 1
  const value = sorted[index]
  return value === undefined ? null : round(value)
}

/** Median latency of the orders scheduled first and of those scheduled last (a quarter each). */
function quarterMedians(bySchedule: Array<[number, number]>): [number, number] {
  const sorted = bySchedule.slice().sort((a, b) => a[0] - b[0])
  const quarter = Math.floor(sorted.length / 4)
  const median = (part: Array<[number, number]>) => {
    const values = part.map(([, latency]) => latency).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)] ?? Number.NaN
  }
  if (quarter === 0) return [Number.NaN, Number.NaN]
  return [median(sorted.slice(0, quarter)), median(sorted.slice(-quarter))]
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

interface RunFigure {
  mode: string
  nodes: number
  ratePerSec: number
  seconds: number
  orders: number
  achievedRatePerSec: number
  deliveredRatePerSec: number
  complete: number
  incomplete: number
  placeErrors: number
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  p99SinceScheduledMs: number | null
  cpuMsPerNodePerOrder: number
  saturated: boolean
  [extra: string]: unknown
}

function summarize(
  mode: string,
  rate: number,
  seconds: number,
  tracker: Tracker,
  timing: DriveTiming,
  cpu: CpuWindow,
): RunFigure {
  const attempted = timing.fired - tracker.failed
  const sorted = tracker.latencies.slice().sort((a, b) => a - b)
  const sinceSchedule = tracker.sinceSchedule.slice().sort((a, b) => a - b)
  const incomplete = attempted - tracker.complete
  const placeSpanS = (timing.lastAt - timing.firstAt) / 1000
  const achieved = placeSpanS > 0 ? (timing.fired - 1) / placeSpanS : rate
  const deliverSpanS = (tracker.lastDoneAt - timing.firstAt) / 1000
  const delivered = deliverSpanS > 0 ? tracker.complete / deliverSpanS : 0
  const reasons: string[] = []
  if (incomplete > 0)
    reasons.push(`${incomplete} orders not in all books ${tracker.drainMs / 1000} s after the last`)
  if (achieved < 0.95 * rate) reasons.push(`placed only ${round(achieved)}/s`)
  if (delivered < 0.9 * Math.min(rate, achieved)) reasons.push(`delivered only ${round(delivered)}/s`)
  const [early, late] = quarterMedians(tracker.bySchedule)
  if (late > QUEUEING_MS && late > 2 * early)
    reasons.push(`median latency grew from ${round(early)} ms (first quarter) to ${round(late)} ms (last)`)
  const p50 = rank(sorted, attempted, 0.5)
  if (p50 !== null && p50 > BACKLOG_P50_MS) reasons.push(`p50 ${p50} ms: orders wait in a backlog`)
  return {
    mode,
    nodes: NODES,
    ratePerSec: rate,
    seconds,
    orders: timing.fired,
    achievedRatePerSec: round(achieved),
    deliveredRatePerSec: round(delivered),
    complete: tracker.complete,
    incomplete,
    placeErrors: tracker.failed,
    p50Ms: rank(sorted, attempted, 0.5),
    p99Ms: rank(sorted, attempted, 0.99),
    maxMs: incomplete > 0 ? null : rank(sorted, attempted, 1),
    p99SinceScheduledMs: rank(sinceSchedule, attempted, 0.99),
    cpuMsPerNodePerOrder: round(cpu.ms / (Math.max(1, timing.fired) * NODES), 4),
    ...(cpu.idlePctPerNode === undefined
      ? {}
      : {
          idleCpuPctPerNode: round(cpu.idlePctPerNode, 2),
          cpuMsPerNodePerOrderAboveIdle: round(
            (cpu.ms - (cpu.idlePctPerNode / 100) * cpu.windowMs * NODES) /
              (Math.max(1, timing.fired) * NODES),
            4,
          ),
        }),
    saturated: reasons.length > 0,
    loadAvg1m: round(timing.loadAvg1m, 2),
    ...(reasons.length > 0 ? { saturation: reasons.join('; ') } : {}),
    ...(tracker.errors.size > 0 ? { errors: Object.fromEntries(tracker.errors) } : {}),
  }
}

function withGoal(figure: RunFigure, goal: { ratePerSec: number; p99Ms: number }): RunFigure {
  const meetsGoal =
    figure.ratePerSec >= goal.ratePerSec &&
    !figure.saturated &&
    figure.p99Ms !== null &&
    figure.p99Ms < goal.p99Ms &&
    figure.cpuMsPerNodePerOrder <= GOALS.cpuMsPerNodePerOrder
  return {
    ...figure,
    goal: `>= ${goal.ratePerSec}/s at p99 < ${goal.p99Ms} ms, <= ${GOALS.cpuMsPerNodePerOrder} ms CPU per node per order`,
    meetsGoal,
  }
}

/** Mesh size of a topic: the implementation has it, the exported GossipSub interface does not. */
function meshPeers(pubsub: GossipSub, topic: string): number {
  return (pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(topic).length
}

interface CpuWindow {
  /** CPU spent by all nodes from the first order until the run was drained. */
  ms: number
  windowMs: number
  /** What each node spends with no orders, in % of one core, measured just before the run. */
  idlePctPerNode?: number
}

/** Measures CPU from now until the returned function is called. */
function cpuWindow(cpuMs: () => number, idlePctPerNode?: number): () => CpuWindow {
  const before = cpuMs()
  const startedAt = performance.now()
  return () => ({
    ms: cpuMs() - before,
    windowMs: performance.now() - startedAt,
    ...(idlePctPerNode === undefined ? {} : { idlePctPerNode }),
  })
}

/**
 * Waits at least `seconds`, then until the nodes' CPU with no orders has settled (the DHT's
 * start-up lookups are over) or WARMUP_MAX_MS have passed. Returns the time waited and the
 * last idle window's CPU in % of one core per node.
 */
async function warmUp(
  mode: string,
  seconds: number,
  cpuMs: () => number,
): Promise<{ warmupSeconds: number; idlePct: number }> {
  const started = performance.now()
  await sleep(Math.max(0, seconds * 1000 - IDLE_WINDOW_MS))
  for (;;) {
    const end = cpuWindow(cpuMs)
    await sleep(IDLE_WINDOW_MS)
    const idle = end()
    const idlePct = (100 * idle.ms) / idle.windowMs / NODES
    const waitedMs = performance.now() - started
    if (idlePct <= IDLE_SETTLED_PCT || waitedMs + IDLE_WINDOW_MS > WARMUP_MAX_MS) {
      if (idlePct > IDLE_SETTLED_PCT)
        progress(`${mode}: nodes still at ${round(idlePct)}% CPU each with no orders; measuring anyway`)
      return { warmupSeconds: round(waitedMs / 1000), idlePct }
    }
    progress(`${mode}: nodes still busy with no orders (${round(idlePct)}% CPU each); waiting`)
  }
}

function processCpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

function loopDelayMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  return () => {
    histogram.disable()
    return {
      loopDelayP99Ms: round(histogram.percentile(99) / 1e6),
      loopDelayMaxMs: round(histogram.max / 1e6),
    }
  }
}

/** One end-to-end order per node before the timed run: the mesh carries from everyone. */
async function probe(
  mode: string,
  makeTracker: () => Tracker,
  fire: (tracker: Tracker, node: number) => void,
): Promise<void> {
  const tracker = makeTracker()
  for (let node = 0; node < NODES; node++) fire(tracker, node)
  const ok = await waitUntil(() => tracker.complete === NODES, 15_000, 10)
  if (!ok) throw new Error(`${mode}: probe orders did not reach all ${NODES} nodes within 15 s`)
}

// ------------------------------------------------------------------ mode: in one process

async function phaseInprocess(options: Options): Promise<void> {
  const cluster = new TestCluster()
  try {
    const started = performance.now()
    const nodes: HcxNode[] = await startMarketNodes(cluster, NODES)
    progress(
      `inprocess: ${NODES} nodes meshed in ${Math.round(performance.now() - started)} ms; ` +
        `warming up at least ${options.warmupSeconds} s`,
    )
    const { warmupSeconds, idlePct } = await warmUp('inprocess', options.warmupSeconds, processCpuMs)

    let tracker = new Tracker(NODES)
    nodes.forEach((node, index) => {
      node.market.events.on('event', (event: MarketEvent) => {
        if (event.type !== 'book' || event.orderIds === undefined) return
        const at = performance.now()
        const current = tracker
        for (const id of event.orderIds) current.onSeen(id, index, at)
      })
    })
    const next = orderStream(1)
    const place = (target: Tracker, node: number, params: PlaceOrderParams, scheduledAt: number) => {
      const at = performance.now()
      ;(nodes[node] as HcxNode).market.place(params).then(
        (result) => target.onPlaced(result.orderId, node, at, scheduledAt),
        (err: unknown) => target.onFailed(String((err as Error).message ?? err)),
      )
    }

    await probe(
      'inprocess',
      () => {
        tracker = new Tracker(NODES)
        return tracker
      },
      (target, node) => place(target, node, next().params, performance.now()),
    )

    const count = Math.round(options.rate * options.seconds)
    tracker = new Tracker(NODES)
    const run = tracker
    progress(`inprocess: placing ${count} orders at ${options.rate}/s`)
    const stopMonitor = loopDelayMonitor()
    const endCpu = cpuWindow(processCpuMs, idlePct)
    const timing = await drive(options.rate, count, (_, scheduledAt) => {
      const order = next()
      place(run, order.node, order.params, scheduledAt)
    })
    await drain(run, count)
    const cpu = endCpu()
    const loop = stopMonitor()

    const validation: Record<string, number> = {}
    for (const node of nodes) {
      for (const [key, value] of Object.entries(node.market.validationCounts()))
        validation[key] = (validation[key] ?? 0) + value
    }
    const connections = nodes.map((node) => node.libp2p.getConnections().length)
    const mesh = nodes.map((node) => meshPeers(node.libp2p.services.pubsub, ORDER_TOPIC))
    const trades = nodes.reduce((sum, node) => sum + node.market.tradeList().length, 0)
    emit({
      ...withGoal(summarize('inprocess', options.rate, options.seconds, run, timing, cpu), GOALS.inprocess),
      ...loop,
      warmupSeconds,
      orderBytes: await signedOrderMessageBytes(),
      trades,
      connectionsMin: Math.min(...connections),
      connectionsMax: Math.max(...connections),
      meshPeersMin: Math.min(...mesh),
      meshPeersMax: Math.max(...mesh),
      validation,
    })
  } finally {
    const stopping = performance.now()
    await cluster.stopAll()
    progress(`inprocess: stopped in ${Math.round(performance.now() - stopping)} ms`)
  }
}

// ------------------------------------------------------------------ mode: one process per node

interface NodeProcess {
  index: number
  child: ChildProcess
  dataDir: string
  url: string
  token: string
  multiaddr: string
  stderrTail: string[]
  warnings: number
}

const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

async function startNodeProcess(
  index: number,
  root: string,
  configFile: string,
  bootstrap: string[],
): Promise<NodeProcess> {
  const dataDir = join(root, `node-${index}`)
  mkdirSync(dataDir)
  const args = ['node', 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--json']
  args.push('--config', configFile, '--log-level', 'warn')
  for (const addr of bootstrap) args.push('--bootstrap', addr)
  const child = spawn(HCX, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const stderrTail: string[] = []
  const node = { index, child, dataDir, stderrTail, warnings: 0 } as Partial<NodeProcess> & {
    warnings: number
  }
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    node.warnings++
    stderrTail.push(line)
    if (stderrTail.length > 5) stderrTail.shift()
  })
  const ready = await new Promise<{ multiaddrs: string[]; api: string }>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node ${index} printed no ready line in ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    )
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node ${index} exited (${code}) before ready: ${stderrTail.join(' | ')}`))
    })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let event: { event?: string; multiaddrs?: string[]; api?: string }
      try {
        event = JSON.parse(line)
      } catch {
        return
      }
      if (event.event === 'ready') {
        clearTimeout(timer)
        resolveReady({ multiaddrs: event.multiaddrs ?? [], api: event.api ?? '' })
      }
    })
  })
  const multiaddr = ready.multiaddrs.find((addr) => addr.includes('/tcp/') && addr.includes('/p2p/'))
  if (multiaddr === undefined) throw new Error(`node ${index} listens on no tcp address with a peer id`)
  const url = (await readApiEndpoint(dataDir).catch(() => ({ url: ready.api }))).url
  const token = await readApiToken(dataDir)
  return { ...node, index, child, dataDir, url, token, multiaddr, stderrTail } as NodeProcess
}

async function stopNodeProcesses(nodes: NodeProcess[]): Promise<void> {
  await Promise.all(
    nodes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((done) => child.once('exit', () => done()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
      children.delete(child)
    }),
  )
}

const postAgent = new http.Agent({ keepAlive: true, maxSockets: 16 })

function request(
  node: NodeProcess,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolveRequest, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${node.token}` }
    if (body !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = Buffer.byteLength(body)
    }
    const req = http.request(`${node.url}${path}`, { method, headers, agent: postAgent }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Follows a node's SSE stream; calls back with the order ids of each `book` event. */
function followEvents(
  node: NodeProcess,
  onBook: (orderIds: string[], at: number) => void,
): Promise<http.ClientRequest> {
  return new Promise((resolveFollow, reject) => {
    const req = http.get(
      `${node.url}/v1/events`,
      { headers: { authorization: `Bearer ${node.token}`, accept: 'text/event-stream' }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`node ${node.index}: GET /v1/events answered ${res.statusCode}`))
          return
        }
        res.setEncoding('utf8')
        let buffer = ''
        res.on('data', (chunk: string) => {
          const at = performance.now()
          buffer += chunk
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            end = buffer.indexOf('\n\n')
            if (!block.startsWith('event: book\n')) continue
            const data = block.slice(block.indexOf('data: ') + 6)
            const ids = (JSON.parse(data) as { orderIds?: string[] }).orderIds
            if (ids !== undefined && ids.length > 0) onBook(ids, at)
          }
        })
        res.on('error', () => {})
        resolveFollow(req)
      },
    )
    req.on('error', reject)
  })
}

const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** utime and stime of a process in ms, from /proc (Linux); NaN where they cannot be read. */
function childCpuMs(pid: number | undefined): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ms = (ticks: string | undefined) => (Number(ticks) * 1000) / CLOCK_TICKS_PER_S
    return { user: ms(fields[11]), sys: ms(fields[12]) }
  } catch {
    return { user: Number.NaN, sys: Number.NaN }
  }
}

async function phaseProcesses(options: Options): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hcx-bench-propagation-'))
  tempDirs.add(root)
  const configFile = join(root, 'config.json')
  writeFileSync(configFile, `${JSON.stringify({ discovery: MARKET_TEST_DISCOVERY })}\n`)
  const nodes: NodeProcess[] = []
  const streams: http.ClientRequest[] = []
  try {
    const started = performance.now()
    const first = await startNodeProcess(0, root, configFile, [])
    nodes.push(first)
    const second = await startNodeProcess(1, root, configFile, [first.multiaddr])
    nodes.push(second)
    const bootstrap = [first.multiaddr, second.multiaddr]
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: NODES - 2 }, (_, i) => startNodeProcess(i + 2, root, configFile, bootstrap)),
      )),
    )
    progress(`processes: ${NODES} nodes ready in ${Math.round(performance.now() - started)} ms`)
    const peers = async () =>
      Promise.all(
        nodes.map(async (node) => {
          const res = await request(node, 'GET', '/v1/status')
          return (JSON.parse(res.text) as { peers?: unknown[] }).peers?.length ?? 0
        }),
      )
    if (!(await waitUntil(async () => (await peers()).every((n) => n >= 3), MESH_TIMEOUT_MS, 200)))
      throw new Error(`processes: nodes did not reach 3 peers each: ${(await peers()).join(', ')}`)
    progress(`processes: every node has >= 3 peers; warming up at least ${options.warmupSeconds} s`)
    const nodesCpu = () =>
      nodes.reduce((sum, node) => {
        const { user, sys } = childCpuMs(node.child.pid)
        return sum + user + sys
      }, 0)
    const nodesSysCpu = () => nodes.reduce((sum, node) => sum + childCpuMs(node.child.pid).sys, 0)
    const { warmupSeconds, idlePct } = await warmUp('processes', options.warmupSeconds, nodesCpu)

    let tracker = new Tracker(NODES)
    for (const node of nodes) {
      streams.push(
        await followEvents(node, (ids, at) => {
          const current = tracker
          for (const id of ids) current.onSeen(id, node.index, at)
        }),
      )
    }
    const next = orderStream(2)
    const orderJson = (params: PlaceOrderParams) =>
      JSON.stringify({
        instrument: params.instrument,
        side: params.side,
        price: formatPrice(params.price, SPEC),
        qty: formatQuantity(params.qty, SPEC),
        tif: params.tif,
      })
    const place = (target: Tracker, index: number, params: PlaceOrderParams, scheduledAt: number) => {
      const body = orderJson(params)
      const at = performance.now()
      request(nodes[index] as NodeProcess, 'POST', '/v1/orders', body).then(
        (res) => {
          if (res.status !== 200) {
            target.onFailed(`HTTP ${res.status}: ${res.text.slice(0, 200)}`)
            return
          }
          target.onPlaced((JSON.parse(res.text) as { orderId: string }).orderId, index, at, scheduledAt)
        },
        (err: unknown) => target.onFailed(String((err as Error).message ?? err)),
      )
    }

    await probe(
      'processes',
      () => {
        tracker = new Tracker(NODES)
        return tracker
      },
      (target, index) => place(target, index, next().params, performance.now()),
    )

    const count = Math.round(options.rate * options.seconds)
    tracker = new Tracker(NODES)
    const run = tracker
    progress(`processes: placing ${count} orders at ${options.rate}/s`)
    const endNodesCpu = cpuWindow(nodesCpu, idlePct)
    const endNodesSysCpu = cpuWindow(nodesSysCpu)
    const endOwnCpu = cpuWindow(processCpuMs)
    const timing = await drive(options.rate, count, (_, scheduledAt) => {
      const order = next()
      place(run, order.node, order.params, scheduledAt)
    })
    await drain(run, count)
    const cpu = endNodesCpu()
    const sysCpuMs = endNodesSysCpu().ms
    const ownCpuMs = endOwnCpu().ms

    const trades = JSON.parse((await request(first, 'GET', '/v1/trades')).text) as unknown[]
    const peerCounts = await peers()
    const stderrLines = nodes.reduce((sum, node) => sum + node.warnings, 0)
    emit({
      ...withGoal(summarize('processes', options.rate, options.seconds, run, timing, cpu), GOALS.processes),
      warmupSeconds,
      kernelCpuShare: round(sysCpuMs / cpu.ms, 2),
      harnessCpuMsPerOrder: round(ownCpuMs / Math.max(1, count), 4),
      trades: trades.length,
      peersMin: Math.min(...peerCounts),
      peersMax: Math.max(...peerCounts),
      nodeStderrLines: stderrLines,
    })
    for (const node of nodes) {
      if (node.warnings > 0)
        progress(
          `processes: node ${node.index} wrote ${node.warnings} stderr lines, last: ${node.stderrTail.at(-1)}`,
        )
    }
  } finally {
    for (const stream of streams) stream.destroy()
    const stopping = performance.now()
    await stopNodeProcesses(nodes)
    postAgent.destroy()
    killAll()
    progress(`processes: stopped in ${Math.round(performance.now() - stopping)} ms`)
  }
}

// ------------------------------------------------------------------ baseline: stock gossipsub

type StockNode = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>

async function phaseStock(options: Options): Promise<void> {
  const messageBytes = await signedOrderMessageBytes()
  const nodes: StockNode[] = []
  try {
    const started = performance.now()
    for (let i = 0; i < NODES; i++) {
      nodes.push(
        await createLibp2p({
          addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
          transports: [tcp()],
          connectionEncrypters: [noise()],
          streamMuxers: [yamux()],
          // Ten nodes on one host dial each other within a second.
          connectionManager: { inboundConnectionThreshold: 1_000 },
          services: {
            identify: identify(),
            ping: ping(),
            // gossipsub's defaults, but for loopback exempted from the IP-colocation penalty.
            pubsub: gossipsub({
              scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']) },
            }),
          },
        }),
      )
    }
    for (let i = 1; i < NODES; i++) {
      const node = nodes[i] as StockNode
      await Promise.all(nodes.slice(0, i).map((other) => node.dial(other.getMultiaddrs())))
    }
    for (const node of nodes) node.services.pubsub.subscribe(STOCK_TOPIC)
    const meshed = await waitUntil(
      () =>
        nodes.every(
          (node) =>
            node.services.pubsub.getSubscribers(STOCK_TOPIC).length >= 3 &&
            meshPeers(node.services.pubsub, STOCK_TOPIC) >= 4,
        ),
      MESH_TIMEOUT_MS,
      100,
    )
    if (!meshed) throw new Error('stock-gossipsub: gossip meshes did not form')
    progress(`stock-gossipsub: ${NODES} nodes meshed in ${Math.round(performance.now() - started)} ms`)

    let tracker = new Tracker(NODES)
    nodes.forEach((node, index) => {
      node.services.pubsub.addEventListener('message', (event) => {
        if (event.detail.topic !== STOCK_TOPIC) return
        const { data } = event.detail
        const id = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
        tracker.onSeen(String(id), index, performance.now())
      })
    })
    const template = randomBytes(messageBytes)
    let sequence = 0
    const random = seededRandom(3)
    const publish = (target: Tracker, node: number, scheduledAt: number) => {
      const id = sequence++
      const data = Uint8Array.from(template)
      new DataView(data.buffer).setUint32(0, id)
      const at = performance.now()
      target.onPlaced(String(id), node, at, scheduledAt)
      ;(nodes[node] as StockNode).services.pubsub.publish(STOCK_TOPIC, data).catch((err: unknown) => {
        target.onFailed(String((err as Error).message ?? err))
      })
    }
    await probe(
      'stock-gossipsub',
      () => {
        tracker = new Tracker(NODES)
        return tracker
      },
      (target, node) => publish(target, node, performance.now()),
    )

    const runs = [
      { rate: options.baselineRate, seconds: Math.min(options.seconds, STOCK_LOW_MAX_SECONDS) },
      { rate: options.rate, seconds: Math.min(options.seconds, STOCK_HIGH_MAX_SECONDS) },
    ].filter((run, i, all) => i === 0 || run.rate !== all[0]?.rate)
    for (const { rate, seconds } of runs) {
      const count = Math.round(rate * seconds)
      tracker = new Tracker(NODES)
      const run = tracker
      progress(`stock-gossipsub: publishing ${count} messages at ${rate}/s`)
      const stopMonitor = loopDelayMonitor()
      const endCpu = cpuWindow(processCpuMs)
      const timing = await drive(rate, count, (_, scheduledAt) =>
        publish(run, Math.floor(random() * NODES), scheduledAt),
      )
      await drain(run, count, STOCK_DRAIN_MS)
      const cpu = endCpu()
      emit({
        ...summarize('stock-gossipsub', rate, seconds, run, timing, cpu),
        ...stopMonitor(),
        orderBytes: messageBytes,
        note: 'stock @libp2p/gossipsub: StrictSign, D=6, floodPublish; 10 nodes in one process, fully connected',
      })
      // Let what is still queued from a saturated run go before the next one.
      await sleep(2_000)
    }
  } finally {
    const stopping = performance.now()
    await Promise.allSettled(nodes.map((node) => node.stop()))
    progress(`stock-gossipsub: stopped in ${Math.round(performance.now() - stopping)} ms`)
  }
}

// ------------------------------------------------------------------ orchestration

/** Runs one mode in a child process of its own, its figures going straight to stdout. */
function runPhaseChild(phase: 'inprocess' | 'stock', options: Options): Promise<number> {
  const args = ['--import', TSX_IMPORT, SELF, '--phase', phase]
  args.push('--rate', String(options.rate), '--seconds', String(options.seconds))
  args.push('--warmup', String(options.warmupSeconds), '--baseline-rate', String(options.baselineRate))
  const child = spawn(NODE, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  children.add(child)
  return new Promise((done) => {
    const timer = setTimeout(() => {
      progress(`${phase}: still running after ${PHASE_TIMEOUT_MS / 1000} s; killing it`)
      child.kill('SIGKILL')
    }, PHASE_TIMEOUT_MS)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      done(code ?? (signal === null ? 1 : 128))
    })
  })
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!(number > 0)) throw new Error(`--${name} must be a positive number, not '${value}'`)
  return number
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      mode: { type: 'string', default: 'both' },
      baseline: { type: 'boolean' },
      'baseline-rate': { type: 'string' },
      warmup: { type: 'string' },
      phase: { type: 'string' },
    },
    allowNegative: true,
  })
  const options: Options = {
    rate: positive(values.rate, 500, 'rate'),
    seconds: positive(values.seconds, 20, 'seconds'),
    warmupSeconds: values.warmup === undefined ? 15 : Number(values.warmup),
    baselineRate: positive(values['baseline-rate'], 50, 'baseline-rate'),
  }
  const fail = (mode: string, err: unknown) => {
    progress(`${mode} failed: ${(err as Error).stack ?? err}`)
    emit({ mode, error: String((err as Error).message ?? err) })
    return 1
  }

  if (values.phase !== undefined) {
    const phases: Record<string, (options: Options) => Promise<void>> = {
      inprocess: phaseInprocess,
      processes: phaseProcesses,
      stock: phaseStock,
    }
    const phase = phases[values.phase]
    if (phase === undefined) throw new Error(`--phase must be inprocess, processes or stock`)
    try {
      await phase(options)
      return 0
    } catch (err) {
      return fail(values.phase === 'stock' ? 'stock-gossipsub' : values.phase, err)
    }
  }

  const mode = values.mode
  if (mode !== 'inprocess' && mode !== 'processes' && mode !== 'both')
    throw new Error(`--mode must be inprocess, processes or both, not '${mode}'`)
  const baseline = values.baseline ?? mode === 'both'
  progress(
    `${NODES} nodes, ${options.rate} orders/s for ${options.seconds} s, mode ${mode}` +
      `${baseline ? `, stock gossipsub at ${options.baselineRate}/s and ${options.rate}/s` : ''}`,
  )
  let status = 0
  if (mode !== 'processes' && (await runPhaseChild('inprocess', options)) !== 0) status = 1
  if (mode !== 'inprocess') {
    try {
      await phaseProcesses(options)
    } catch (err) {
      status = fail('processes', err)
    }
  }
  if (baseline && (await runPhaseChild('stock', options)) !== 0) status = 1
  return status
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll()
    process.exit(130)
  })
}

main().then(
  (code) => {
    killAll()
    process.exit(code)
  },
  (err: unknown) => {
    process.stderr.write(`propagation: ${(err as Error).stack ?? err}\n`)
    killAll()
    process.exit(1)
  },
)
