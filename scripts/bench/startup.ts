// Node startup and memory benchmark (BENCHMARKS.md, "Node (foundation)").
//
//   npx tsx scripts/bench/startup.ts
//
// Prints one JSON object per figure on stdout; progress goes to stderr.
//  1. Process start to `ready`: spawns `bin/hcx node start ... --json` and times spawn to the
//     first stdout line, with a fresh data dir (cold: keys and store created) and an existing
//     one (warm). Beside it, in the same rounds, the runtime's floor: a bare `node -e 0`, an
//     empty script under `node --import tsx`, and `bin/hcx --help` (the CLI's modules loaded,
//     no node started).
//  2. Resident memory of one idle node: VmRSS of the spawned process ~5 s after `ready`.
//  3. 20 nodes in one process (scripts/bench/startup-many.ts in a child process): RSS after
//     ~10 s of settling, and the time to start all 20.
// Everything listens on 127.0.0.1 only, lives in one temp dir, and is stopped and removed at the
// end; a deadline kills what is left, so the script ends by itself in under 3 minutes.
//
// Environment: BENCH_RUNS (startup rounds, default 7), BENCH_MEM_RUNS (idle-memory runs,
// default 3), BENCH_NODES (nodes in one process, default 20).

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const NODE = join(ROOT, 'node_modules/.bin/node')
const TSX_IMPORT = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs')
const HCX = join(ROOT, 'bin/hcx')
const MANY = join(ROOT, 'scripts/bench/startup-many.ts')

const RUNS = Number(process.env.BENCH_RUNS ?? 7)
const MEM_RUNS = Number(process.env.BENCH_MEM_RUNS ?? 3)
const MANY_NODES = Number(process.env.BENCH_NODES ?? 20)
const IDLE_MS = 5_000
const SETTLE_MS = 10_000
const READY_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000
const MANY_TIMEOUT_MS = 90_000
const DEADLINE_MS = 170_000

const GOAL_READY_MS = 1_000
const GOAL_IDLE_RSS_MB = 100
const GOAL_MANY_RSS_MB = 400

const MB = 1_000_000

const children = new Set<ChildProcess>()
const workDir = mkdtempSync(join(tmpdir(), 'hcx-bench-startup-'))

function cleanup(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  rmSync(workDir, { recursive: true, force: true })
}

function progress(message: string): void {
  process.stderr.write(`startup: ${message}\n`)
}

interface Figure {
  figure: string
  unit: string
  median?: number
  p90?: number
  value?: number
  runs?: number
  goal: number | null
  [extra: string]: unknown
}

function emit(figure: Figure): void {
  const measured = figure.median ?? figure.value
  const meetsGoal = figure.goal === null || measured === undefined ? null : measured < figure.goal
  process.stdout.write(`${JSON.stringify({ bench: 'startup', ...figure, meetsGoal })}\n`)
}

/** Nearest-rank percentile of a list of samples. */
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[index] as number
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

function summary(samples: number[]): { median: number; p90: number; runs: number; min: number; max: number } {
  return {
    median: round(percentile(samples, 0.5)),
    p90: round(percentile(samples, 0.9)),
    runs: samples.length,
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  }
}

function track(command: string, args: string[]): { child: ChildProcess; stderrTail: () => string } {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  // Always drain stderr: the node logs synchronously to fd 2 and would block on a full pipe.
  let tail = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-2_000)
  })
  return { child, stderrTail: () => tail.trim() }
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

/** Milliseconds from spawn to exit; the command must succeed. */
async function timeToExit(command: string, args: string[]): Promise<number> {
  const started = performance.now()
  const { child, stderrTail } = track(command, args)
  child.stdout?.resume()
  const { code, signal } = await waitForExit(child)
  const elapsed = performance.now() - started
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderrTail()}`)
  return elapsed
}

/** Stdout of a command that must succeed within timeoutMs. */
async function outputOf(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  const { child, stderrTail } = track(command, args)
  let stdout = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const { code, signal } = await waitForExit(child)
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderrTail()}`)
  return stdout
}

interface RunningNode {
  child: ChildProcess
  pid: number
  readyMs: number
  ready: { event: string; peerId: string; multiaddrs: string[] }
  stderrTail: () => string
}

/** Spawns `hcx node start` and resolves at its first stdout line (the `ready` event). */
function startNodeProcess(dataDir: string): Promise<RunningNode> {
  const args = [
    'node',
    'start',
    '--data-dir',
    dataDir,
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
    '--api-port',
    '0',
    '--json',
    '--log-level',
    'warn',
  ]
  const started = performance.now()
  const { child, stderrTail } = track(HCX, args)
  return new Promise((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms: ${stderrTail()}`))
    }, READY_TIMEOUT_MS)
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      reject(new Error(`hcx node start exited ${code ?? signal} before ready: ${stderrTail()}`))
    }
    child.once('exit', onExit)
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk
      const newline = buffered.indexOf('\n')
      if (newline === -1) return
      const readyMs = performance.now() - started
      const line = buffered.slice(0, newline)
      buffered = ''
      child.stdout?.removeAllListeners('data')
      child.stdout?.resume()
      clearTimeout(timer)
      child.off('exit', onExit)
      const ready = JSON.parse(line) as RunningNode['ready']
      if (ready.event !== 'ready' || child.pid === undefined) {
        reject(new Error(`unexpected first line from hcx node start: ${line}`))
        return
      }
      resolve({ child, pid: child.pid, readyMs, ready, stderrTail })
    })
  })
}

/** SIGTERM, then wait for a clean exit; SIGKILL after STOP_TIMEOUT_MS. Returns the stop time. */
async function stopNodeProcess(node: RunningNode): Promise<number> {
  const started = performance.now()
  node.child.kill('SIGTERM')
  const exited = waitForExit(node.child)
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
  ])
  if (timedOut) {
    node.child.kill('SIGKILL')
    await exited
    throw new Error(`hcx node did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM: ${node.stderrTail()}`)
  }
  const { code, signal } = await exited
  if (code !== 0) throw new Error(`hcx node exited ${code ?? signal} after SIGTERM: ${node.stderrTail()}`)
  return performance.now() - started
}

type MemoryField = 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'

function procStatusKb(pid: number, field: MemoryField): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(match[1])
}

// Prints the process's own VmRSS, RssAnon and RssFile (kB) as JSON: the body of the RSS floors.
const PRINT_OWN_RSS = `{
  const status = process.getBuiltinModule('node:fs').readFileSync('/proc/self/status', 'utf8')
  const kb = (field) => Number(status.split('\\n').find((line) => line.startsWith(field + ':')).slice(field.length + 1).trim().split(' ')[0])
  process.stdout.write(JSON.stringify({ rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }))
}`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function benchReady(): Promise<void> {
  const emptyScript = join(workDir, 'empty.ts')
  writeFileSync(emptyScript, 'export {}\n')
  const warmDir = join(workDir, 'warm')

  // One discarded round: fills the page cache and tsx's transform cache, creates the warm dir.
  progress('warm-up round')
  await timeToExit(NODE, ['-e', '0'])
  await timeToExit(NODE, ['--import', TSX_IMPORT, emptyScript])
  await timeToExit(HCX, ['--help'])
  await stopNodeProcess(await startNodeProcess(warmDir))

  const samples = { node: [] as number[], tsx: [] as number[], help: [] as number[] }
  const cold: number[] = []
  const warm: number[] = []
  const stops: number[] = []
  // The kinds are interleaved round by round, so a noisy minute hits them all alike.
  for (let round = 0; round < RUNS; round++) {
    samples.node.push(await timeToExit(NODE, ['-e', '0']))
    samples.tsx.push(await timeToExit(NODE, ['--import', TSX_IMPORT, emptyScript]))
    samples.help.push(await timeToExit(HCX, ['--help']))
    const coldNode = await startNodeProcess(join(workDir, `cold-${round}`))
    cold.push(coldNode.readyMs)
    stops.push(await stopNodeProcess(coldNode))
    const warmNode = await startNodeProcess(warmDir)
    warm.push(warmNode.readyMs)
    stops.push(await stopNodeProcess(warmNode))
    progress(
      `round ${round + 1}/${RUNS}: cold ${Math.round(cold[round] as number)} ms, warm ${Math.round(warm[round] as number)} ms`,
    )
  }

  const ready = (figure: string, values: number[], dataDir: string) =>
    emit({ figure, unit: 'ms', ...summary(values), goal: GOAL_READY_MS, dataDir })
  ready('ready_cold_ms', cold, 'fresh (keys and store created)')
  ready('ready_warm_ms', warm, 'existing')
  const baseline = (figure: string, values: number[], what: string) =>
    emit({ figure, unit: 'ms', ...summary(values), goal: null, baseline: what })
  baseline('floor_node_exit_ms', samples.node, 'spawn to exit of `node -e 0`')
  baseline('floor_tsx_exit_ms', samples.tsx, 'spawn to exit of `node --import tsx empty.ts`')
  baseline('floor_cli_help_exit_ms', samples.help, 'spawn to exit of `bin/hcx --help` (CLI modules loaded)')
  emit({ figure: 'stop_ms', unit: 'ms', ...summary(stops), goal: null, baseline: 'SIGTERM to exit' })
}

async function benchIdleMemory(): Promise<void> {
  const rss: number[] = []
  const hwm: number[] = []
  const anon: number[] = []
  const file: number[] = []
  for (let run = 0; run < MEM_RUNS; run++) {
    const node = await startNodeProcess(join(workDir, `idle-${run}`))
    try {
      // bin/hcx execs node, so the pid spawned is node's own.
      const exe = readlinkSync(`/proc/${node.pid}/exe`)
      if (!exe.endsWith('/node')) throw new Error(`pid ${node.pid} is ${exe}, not node`)
      await sleep(IDLE_MS)
      rss.push(procStatusKb(node.pid, 'VmRSS') / 1_000)
      hwm.push(procStatusKb(node.pid, 'VmHWM') / 1_000)
      anon.push(procStatusKb(node.pid, 'RssAnon') / 1_000)
      file.push(procStatusKb(node.pid, 'RssFile') / 1_000)
    } finally {
      await stopNodeProcess(node)
    }
    progress(`idle node ${run + 1}/${MEM_RUNS}: ${Math.round(rss[run] as number)} MB`)
  }
  emit({
    figure: 'idle_node_rss_mb',
    unit: 'MB',
    ...summary(rss),
    goal: GOAL_IDLE_RSS_MB,
    idleMs: IDLE_MS,
    anonMedian: round(percentile(anon, 0.5)),
    fileMedian: round(percentile(file, 0.5)),
    peakMedian: round(percentile(hwm, 0.5)),
  })
}

/** RSS of processes that load the runtime, tsx, and the node's modules, then exit: the floors. */
async function benchRssFloors(): Promise<void> {
  const tsxScript = join(workDir, 'rss-tsx.mts')
  writeFileSync(tsxScript, `${PRINT_OWN_RSS}\n`)
  const modulesScript = join(workDir, 'rss-modules.mts')
  const nodeStart = pathToFileURL(join(ROOT, 'node/hcx-node.ts')).href
  writeFileSync(modulesScript, `await import(${JSON.stringify(nodeStart)})\n${PRINT_OWN_RSS}\n`)
  const floors = [
    { figure: 'floor_node_rss_mb', args: ['-e', PRINT_OWN_RSS], what: '`node -e` printing its own RSS' },
    { figure: 'floor_tsx_rss_mb', args: ['--import', TSX_IMPORT, tsxScript], what: 'the same under tsx' },
    {
      figure: 'floor_modules_rss_mb',
      args: ['--import', TSX_IMPORT, modulesScript],
      what: 'tsx, after importing node/hcx-node.ts, every module of a node (no node started)',
    },
  ]
  for (const floor of floors) {
    const rss: number[] = []
    const anon: number[] = []
    const file: number[] = []
    for (let run = 0; run < MEM_RUNS; run++) {
      const out = JSON.parse(await outputOf(NODE, floor.args)) as { rss: number; anon: number; file: number }
      rss.push(out.rss / 1_000)
      anon.push(out.anon / 1_000)
      file.push(out.file / 1_000)
    }
    emit({
      figure: floor.figure,
      unit: 'MB',
      ...summary(rss),
      goal: null,
      baseline: floor.what,
      anonMedian: round(percentile(anon, 0.5)),
      fileMedian: round(percentile(file, 0.5)),
    })
  }
}

async function benchManyNodes(): Promise<void> {
  const dataRoot = join(workDir, 'many')
  progress(`${MANY_NODES} nodes in one process, settling ${SETTLE_MS} ms`)
  const started = performance.now()
  const stdout = await outputOf(
    NODE,
    // The same V8 settings as bin/hcx, so the figure is what a real process would hold.
    [
      '--max-semi-space-size=1',
      '--optimize-for-size',
      '--import',
      TSX_IMPORT,
      MANY,
      dataRoot,
      String(MANY_NODES),
      String(SETTLE_MS),
    ],
    MANY_TIMEOUT_MS,
  )
  const wallMs = performance.now() - started
  const result = JSON.parse(stdout.split('\n')[0] as string) as {
    nodes: number
    startAllMs: number
    firstStartMs: number
    laterStartMs: number[]
    rssBeforeBytes: number
    rssBytes: number
    heapUsedBytes: number
    externalBytes: number
    connectionsMin: number
    connectionsMax: number
  }
  const rssMb = result.rssBytes / MB
  emit({
    figure: 'many_nodes_rss_mb',
    unit: 'MB',
    value: round(rssMb),
    goal: GOAL_MANY_RSS_MB,
    nodes: result.nodes,
    settleMs: SETTLE_MS,
    perNodeMb: round(rssMb / result.nodes),
    marginalPerNodeMb: round((result.rssBytes - result.rssBeforeBytes) / MB / result.nodes),
    rssBeforeNodesMb: round(result.rssBeforeBytes / MB),
    heapUsedMb: round(result.heapUsedBytes / MB),
    externalMb: round(result.externalBytes / MB),
    connectionsPerNode: [result.connectionsMin, result.connectionsMax],
  })
  emit({
    figure: 'many_nodes_start_all_ms',
    unit: 'ms',
    value: round(result.startAllMs),
    goal: null,
    nodes: result.nodes,
    sequential: true,
    firstNodeMs: round(result.firstStartMs),
    laterNodesMedianMs: round(percentile(result.laterStartMs, 0.5)),
    laterNodesP90Ms: round(percentile(result.laterStartMs, 0.9)),
    childWallMs: round(wallMs),
  })
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    progress(`deadline of ${DEADLINE_MS / 1_000} s passed; killing what is left`)
    cleanup()
    process.exit(2)
  }, DEADLINE_MS)
  const started = performance.now()
  try {
    await benchReady()
    await benchIdleMemory()
    await benchRssFloors()
    await benchManyNodes()
  } finally {
    clearTimeout(deadline)
    cleanup()
  }
  progress(`done in ${Math.round((performance.now() - started) / 1_000)} s`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanup()
    process.exit(130)
  })
}

main().catch((err: unknown) => {
  progress(`failed: ${err instanceof Error ? err.message : String(err)}`)
  cleanup()
  process.exit(1)
})
