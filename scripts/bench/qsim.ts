// Statevector simulator benchmark: hcx's fused-block simulator (quantum-adapters/sim) against
// quantum-circuit 0.9.250 on the same seeded random circuits, and against this machine's
// memory-bandwidth floor, in the same run.
//
//   npx tsx scripts/bench/qsim.ts [--json] [--qubits N,N] [--seed N] [--runs N]
//
// Circuits: depth 20; each layer is a random rx, ry or rz (angle uniform in [0, 2π)) on every qubit,
// then a CNOT ladder cx(0,1), cx(1,2), …, cx(n-2,n-1). Default sizes 12, 16, 20, 22 and 24 qubits.
// Each size draws from its own generator seeded with --seed, so a size's circuit does not depend on
// which other sizes run. The circuit is built once per size as hcx IR (GateOps with
// QELIB1_GATES matrices) and the competitor is given the same gates with the same angles.
//
//  - hcx: statevector(circuit, { pool }) on a ThreadPool of every core, timed as a whole (plan
//    compilation and state allocation included), best of --runs (default 3); one warm-up run first
//    so that worker start-up is not timed. Single-thread time (no pool) at every size up to 22.
//    `passes` is the number of fused block passes over the state. compilePlan alone is timed beside
//    it, to show how much of each time is plan compilation.
//  - quantum-circuit: run() on the same gates, once, after every hcx timing (so that its garbage is
//    not collected during them), at sizes up to 16 qubits only: it takes 35-60 s at 16 qubits on a
//    2-core machine and its time doubles with every qubit, so larger sizes are skipped and get an
//    estimate instead. At the sizes it runs, hcx's amplitudes (both runs) are compared with
//    quantum-circuit's: both start in |0…0⟩, index amplitudes with qubit 0 as the low bit and use
//    the same rz phase convention, so amplitudes are compared directly (max modulus of the
//    difference below 1e-9), not just probabilities. A failed check exits 1.
//  - Floor: one thread's in-place read-modify-write bandwidth over a Float64Array of the state's
//    size (2^(n+1) doubles, every element scaled by a constant, best of 5), bytes = 2 × 16 × 2^n per
//    pass, as a tight JavaScript loop and as the same loop in WebAssembly SIMD (memory-bandwidth.ts);
//    the floor per pass is the faster of the two. Plain-copy (TypedArray.prototype.set) bandwidth
//    beside them. hcx's time per pass (time / passes) is compared with the floor per pass. One
//    thread is enough to reach it: on the 2-core machine this was written on, two threads scaling
//    half the state each streamed no faster than one.
//
// Progress goes to stderr; stdout gets the tables, or with --json one JSON object.

import { createRequire } from 'node:module'
import type { Circuit, GateOp } from '../../quantum-adapters/circuit/circuit.ts'
import { QELIB1_GATES } from '../../quantum-adapters/circuit/gates.ts'
import { MAX_ENGINE_QUBITS } from '../../quantum-adapters/sim/block-engine.ts'
import { compilePlan } from '../../quantum-adapters/sim/plan.ts'
import { statevector } from '../../quantum-adapters/sim/statevector.ts'
import { ThreadPool } from '../../quantum-adapters/sim/thread-pool.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'
import { readFlags, wholeNumber, wholeNumbers } from './bench-options.ts'
import {
  type Bandwidth,
  copyBandwidth,
  readModifyWriteBandwidth,
  wasmReadModifyWriteBandwidth,
} from './memory-bandwidth.ts'

const DEPTH = 20
const ROTATIONS = ['rx', 'ry', 'rz'] as const
const DEFAULT_QUBITS = [12, 16, 20, 22, 24]
/** Warm-up size: more qubits than a block holds, so the workers run the gather/scatter path too. */
const WARMUP_QUBITS = 16
const SINGLE_THREAD_MAX_QUBITS = 22
const COMPETITOR_MAX_QUBITS = 16
const COMPETITOR_SKIPPED = 'would take over 2 minutes'
const CHECK_TOLERANCE = 1e-9
const BANDWIDTH_RUNS = 5
/** Doubles in the untimed warm-up of the bandwidth loops: enough passes for the compiler to optimise them. */
const WARMUP_DOUBLES = 2 ** 17

const GOAL_SPEEDUP = 1_000
const GOAL_SPEEDUP_QUBITS = 16
const GOAL_FLOOR_RATIO = 2
/** The floor goal is for states larger than the caches: 64 MiB and more. */
const GOAL_FLOOR_MIN_QUBITS = 22
const GOAL_PASSES = 250
const GOAL_PASSES_QUBITS = 24
const GOAL_SECONDS: ReadonlyArray<readonly [number, number]> = [
  [22, 1.2],
  [24, 6],
]

// The package ships no type declarations, so the part of its API the benchmark uses is declared
// here. It is CommonJS (module.exports = QuantumCircuit). Gate parameters are named per gate (rx
// and ry take theta, rz takes phi) and read from each gate definition's `params`; numbers are
// accepted as well as expression strings. The state is a sparse map from basis index to complex.
interface CompetitorComplex {
  re: number
  im: number
}
interface CompetitorCircuit {
  basicGates: Record<string, { params?: string[] } | undefined>
  appendGate(name: string, wires: number | number[], options?: { params: Record<string, number> }): string
  run(): void
  state: Record<string, CompetitorComplex | undefined>
}
const QuantumCircuit = createRequire(import.meta.url)('quantum-circuit') as new (
  numQubits: number,
) => CompetitorCircuit

interface Options {
  json: boolean
  qubits: number[]
  seed: number
  runs: number
}

const USAGE = 'usage: qsim.ts [--json] [--qubits N,N] [--seed N] [--runs N]'

const BENCH = { name: 'qsim', usage: USAGE }

function readOptions(argv: string[]): Options {
  const values = readFlags(BENCH, argv, {
    json: { type: 'boolean' },
    qubits: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
  })
  return {
    json: values.json ?? false,
    qubits:
      values.qubits === undefined
        ? DEFAULT_QUBITS
        : wholeNumbers(BENCH, '--qubits', values.qubits, 2, MAX_ENGINE_QUBITS),
    seed: values.seed === undefined ? 1 : wholeNumber(BENCH, '--seed', values.seed, 0),
    runs: values.runs === undefined ? 3 : wholeNumber(BENCH, '--runs', values.runs, 1),
  }
}

function runsOf(runs: number): string {
  return `${runs} run${runs === 1 ? '' : 's'}`
}

function progress(message: string): void {
  process.stderr.write(`qsim: ${message}\n`)
}

// --- circuits -----------------------------------------------------------------------------------

function gateOp(name: string, params: number[], qubits: number[]): GateOp {
  const definition = QELIB1_GATES.get(name)
  if (definition === undefined) throw new Error(`qelib1 has no gate ${name}`)
  return { kind: 'gate', name, params, qubits, matrix: definition.matrix(params) }
}

function randomCircuit(numQubits: number, seed: number): Circuit {
  const random = seededRandom(seed)
  const ops: GateOp[] = []
  for (let layer = 0; layer < DEPTH; layer++) {
    for (let q = 0; q < numQubits; q++) {
      const name = ROTATIONS[Math.floor(random() * ROTATIONS.length)] as string
      ops.push(gateOp(name, [random() * 2 * Math.PI], [q]))
    }
    for (let q = 0; q + 1 < numQubits; q++) ops.push(gateOp('cx', [], [q, q + 1]))
  }
  const qreg = { name: 'q', size: numQubits, offset: 0 }
  return { numQubits, numClbits: 0, qregs: [qreg], cregs: [], ops }
}

function gatesOf(circuit: Circuit): GateOp[] {
  return circuit.ops.filter((op): op is GateOp => op.kind === 'gate')
}

function competitorCircuit(circuit: Circuit): CompetitorCircuit {
  const theirs = new QuantumCircuit(circuit.numQubits)
  for (const gate of gatesOf(circuit)) {
    const names = theirs.basicGates[gate.name]?.params ?? []
    if (names.length !== gate.params.length) {
      throw new Error(
        `quantum-circuit's ${gate.name} takes ${names.length} parameters, not ${gate.params.length}`,
      )
    }
    const params = Object.fromEntries(names.map((name, i) => [name, gate.params[i] as number]))
    theirs.appendGate(gate.name, [...gate.qubits], names.length > 0 ? { params } : undefined)
  }
  return theirs
}

/** The largest modulus of the difference between two states, amplitude by amplitude. */
function maxDifference(ours: Float64Array, theirs: CompetitorCircuit): number {
  let most = 0
  for (let i = 0; i < ours.length / 2; i++) {
    const amplitude = theirs.state[i] ?? { re: 0, im: 0 }
    const re = (ours[2 * i] as number) - amplitude.re
    const im = (ours[2 * i + 1] as number) - amplitude.im
    most = Math.max(most, Math.hypot(re, im))
  }
  return most
}

// --- measurement --------------------------------------------------------------------------------

interface Timing {
  /** The best run. */
  seconds: number
  /** Every run, in order. */
  runs: number[]
}

interface Check {
  tolerance: number
  /** Max modulus of the amplitude difference, hcx with the pool vs quantum-circuit. */
  pooled: number
  singleThread: number | null
  passed: boolean
}

interface SizeResult {
  qubits: number
  gates: number
  passes: number
  threads: number
  hcx: Timing
  hcxSingleThread: Timing | null
  /** compilePlan alone (best of the runs): part of every hcx time above. */
  planCompileSeconds: number
  competitorSeconds: number | null
  competitorSkipped: string | null
  /** Where skipped: the largest size it ran at, scaled by amplitudes (2x per qubit) and gate count. */
  competitorEstimateSeconds: number | null
  /** quantum-circuit time / hcx (pool) time. */
  speedUp: number | null
  /** In-place scaling, as a JavaScript loop and in WebAssembly SIMD; the floor is the faster. */
  readModifyWrite: Bandwidth
  wasmReadModifyWrite: Bandwidth
  copy: Bandwidth
  floorMsPerPass: number
  hcxMsPerPass: number
  /** hcx ms per pass / floor ms per pass; also hcx time / (passes × floor). */
  ratioToFloor: number
  passesTimesFloorMs: number
  check: Check | null
}

function best(runs: number[]): Timing {
  return { seconds: Math.min(...runs), runs }
}

async function timeHcx(
  circuit: Circuit,
  runs: number,
  pool: ThreadPool | undefined,
): Promise<{ timing: Timing; passes: number; amplitudes: Float64Array }> {
  const times: number[] = []
  let passes = 0
  let amplitudes = new Float64Array(0)
  for (let run = 0; run < runs; run++) {
    const start = performance.now()
    const result = await statevector(circuit, pool === undefined ? {} : { pool })
    times.push((performance.now() - start) / 1000)
    passes = result.passes
    // Only the last run's state is kept, and only where it is checked: a copy frees the engine memory.
    if (run === runs - 1 && circuit.numQubits <= COMPETITOR_MAX_QUBITS) amplitudes = result.amplitudes.slice()
  }
  return { timing: best(times), passes, amplitudes }
}

interface HcxSize {
  circuit: Circuit
  result: Omit<
    SizeResult,
    'competitorSeconds' | 'competitorSkipped' | 'competitorEstimateSeconds' | 'speedUp' | 'check'
  >
  pooled: Float64Array
  single: Float64Array | null
}

async function measureHcx(qubits: number, options: Options, pool: ThreadPool): Promise<HcxSize> {
  const circuit = randomCircuit(qubits, options.seed)
  const gates = gatesOf(circuit).length
  const doubles = 2 * 2 ** qubits
  progress(`${qubits} qubits: bandwidth floor over ${doubles} doubles`)
  const readModifyWrite = readModifyWriteBandwidth(doubles, BANDWIDTH_RUNS)
  const wasmReadModifyWrite = wasmReadModifyWriteBandwidth(doubles, BANDWIDTH_RUNS)
  const copy = copyBandwidth(doubles, BANDWIDTH_RUNS)
  const floorMsPerPass = Math.min(readModifyWrite.msPerPass, wasmReadModifyWrite.msPerPass)
  progress(`${qubits} qubits: hcx, ${pool.size} threads, ${runsOf(options.runs)} of ${gates} gates`)
  const pooled = await timeHcx(circuit, options.runs, pool)
  let single: Awaited<ReturnType<typeof timeHcx>> | null = null
  if (qubits <= SINGLE_THREAD_MAX_QUBITS) {
    progress(`${qubits} qubits: hcx, 1 thread, ${runsOf(options.runs)}`)
    single = await timeHcx(circuit, options.runs, undefined)
  }
  const compileTimes: number[] = []
  for (let run = 0; run < options.runs; run++) {
    const start = performance.now()
    compilePlan(gatesOf(circuit), qubits)
    compileTimes.push((performance.now() - start) / 1000)
  }
  const hcxMsPerPass = (pooled.timing.seconds * 1000) / pooled.passes
  return {
    circuit,
    pooled: pooled.amplitudes,
    single: single?.amplitudes ?? null,
    result: {
      qubits,
      gates,
      passes: pooled.passes,
      threads: pool.size,
      hcx: pooled.timing,
      hcxSingleThread: single?.timing ?? null,
      planCompileSeconds: Math.min(...compileTimes),
      readModifyWrite,
      wasmReadModifyWrite,
      copy,
      floorMsPerPass,
      hcxMsPerPass,
      ratioToFloor: hcxMsPerPass / floorMsPerPass,
      passesTimesFloorMs: pooled.passes * floorMsPerPass,
    },
  }
}

function measureCompetitor(size: HcxSize): SizeResult {
  const { qubits, hcx } = size.result
  progress(`${qubits} qubits: quantum-circuit, 1 run`)
  const theirs = competitorCircuit(size.circuit)
  const start = performance.now()
  theirs.run()
  const competitorSeconds = (performance.now() - start) / 1000
  const pooled = maxDifference(size.pooled, theirs)
  const singleThread = size.single === null ? null : maxDifference(size.single, theirs)
  const check: Check = {
    tolerance: CHECK_TOLERANCE,
    pooled,
    singleThread,
    passed: pooled < CHECK_TOLERANCE && (singleThread ?? 0) < CHECK_TOLERANCE,
  }
  return {
    ...size.result,
    competitorSeconds,
    competitorSkipped: null,
    competitorEstimateSeconds: null,
    speedUp: competitorSeconds / hcx.seconds,
    check,
  }
}

/**
 * quantum-circuit's time grows with the number of amplitudes times the number of gates (12 to 16
 * qubits: 16 x 620/460 predicts 21.6x, about 19x measured), so a skipped size is estimated from the
 * largest size it ran at.
 */
function skipCompetitor(size: HcxSize, reference: SizeResult | undefined): SizeResult {
  const { qubits, gates } = size.result
  const estimate =
    reference === undefined || reference.competitorSeconds === null
      ? null
      : reference.competitorSeconds * 2 ** (qubits - reference.qubits) * (gates / reference.gates)
  return {
    ...size.result,
    competitorSeconds: null,
    competitorSkipped: COMPETITOR_SKIPPED,
    competitorEstimateSeconds: estimate,
    speedUp: null,
    check: null,
  }
}

// --- goals --------------------------------------------------------------------------------------

interface Goal {
  goal: string
  /** What was measured, in words; "not run" where the size it needs was not run. */
  measured: string
  met: boolean | null
}

function goals(results: readonly SizeResult[]): Goal[] {
  const at = (qubits: number) => results.find((r) => r.qubits === qubits)
  const list: Goal[] = []
  const speedUp = at(GOAL_SPEEDUP_QUBITS)?.speedUp ?? null
  list.push({
    goal: `>= ${int(GOAL_SPEEDUP)}x quantum-circuit at ${GOAL_SPEEDUP_QUBITS} qubits`,
    measured: speedUp === null ? 'not run' : `${int(speedUp)}x`,
    met: speedUp === null ? null : speedUp >= GOAL_SPEEDUP,
  })
  const large = results.filter((r) => r.qubits >= GOAL_FLOOR_MIN_QUBITS)
  list.push({
    goal: `<= ${GOAL_FLOOR_RATIO}x the bandwidth floor per pass (${GOAL_FLOOR_MIN_QUBITS}+ qubits)`,
    measured:
      large.length === 0
        ? 'not run'
        : large.map((r) => `${fixed(r.ratioToFloor, 2)}x at ${r.qubits} qubits`).join(', '),
    met: large.length === 0 ? null : large.every((r) => r.ratioToFloor <= GOAL_FLOOR_RATIO),
  })
  const passes = at(GOAL_PASSES_QUBITS)?.passes ?? null
  list.push({
    goal: `<= ${GOAL_PASSES} passes at ${GOAL_PASSES_QUBITS} qubits`,
    measured: passes === null ? 'not run' : `${passes} passes`,
    met: passes === null ? null : passes <= GOAL_PASSES,
  })
  for (const [qubits, limit] of GOAL_SECONDS) {
    const seconds = at(qubits)?.hcx.seconds ?? null
    list.push({
      goal: `<= ${limit} s at ${qubits} qubits`,
      measured: seconds === null ? 'not run' : `${fixed(seconds, 3)} s`,
      met: seconds === null ? null : seconds <= limit,
    })
  }
  return list
}

// --- output -------------------------------------------------------------------------------------

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Milliseconds with 4 decimals below 1 ms (cache-sized states), 2 above. */
function millis(ms: number): string {
  return fixed(ms, ms < 1 ? 4 : 2)
}

function duration(seconds: number): string {
  if (seconds < 120) return `${int(seconds)} s`
  if (seconds < 7_200) return `${int(seconds / 60)} min`
  return `${fixed(seconds / 3_600, 1)} h`
}

function mebibytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${int(bytes / 2 ** 20)} MiB` : `${int(bytes / 2 ** 10)} KiB`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

function printTables(
  results: readonly SizeResult[],
  goalList: readonly Goal[],
  options: Options,
  wallMs: number,
) {
  const threads = results[0]?.threads ?? 1
  const out: string[] = []
  out.push(
    `random circuits, depth ${DEPTH} (rx/ry/rz on every qubit, then a cx ladder), seed ${options.seed}; ` +
      `hcx best of ${runsOf(options.runs)}, quantum-circuit 1 run`,
  )
  out.push('')
  out.push(
    'correctness: hcx amplitudes vs quantum-circuit, compared directly (same qubit order, same phases)',
  )
  for (const r of results) {
    if (r.check === null) continue
    const { pooled, singleThread, tolerance, passed } = r.check
    out.push(
      `  ${r.qubits} qubits: max |difference| ${pooled.toExponential(1)} (${threads} threads), ` +
        `${singleThread === null ? 'not run' : singleThread.toExponential(1)} (1 thread), ` +
        `limit ${tolerance.toExponential(0)}: ${passed ? 'OK' : 'FAILED'}`,
    )
  }
  if (results.every((r) => r.check === null))
    out.push('  not run (quantum-circuit runs only at 16 qubits or fewer)')
  out.push('')
  out.push(
    `memory-bandwidth floor (1 thread, best of ${BANDWIDTH_RUNS}; bytes per pass = 2 x 16 x 2^n, read and write; ` +
      'floor = the faster read-modify-write):',
  )
  out.push(
    table(
      [
        'qubits',
        'state',
        'read-modify-write JS GB/s',
        'read-modify-write wasm SIMD GB/s',
        'copy GB/s',
        'floor ms/pass',
      ],
      results.map((r) => [
        String(r.qubits),
        mebibytes(r.readModifyWrite.bytesPerPass / 2),
        fixed(r.readModifyWrite.gbPerSec, 1),
        fixed(r.wasmReadModifyWrite.gbPerSec, 1),
        fixed(r.copy.gbPerSec, 1),
        millis(r.floorMsPerPass),
      ]),
    ),
  )
  out.push('')
  out.push('hcx against the floor:')
  out.push(
    table(
      [
        'qubits',
        'passes',
        `hcx (${threads} threads) s`,
        'runs s',
        'plan compile s',
        'hcx ms/pass',
        'floor ms/pass',
        'ratio',
        'passes x floor ms',
        `hcx (1 thread) s`,
        'threading gain',
      ],
      results.map((r) => [
        String(r.qubits),
        int(r.passes),
        fixed(r.hcx.seconds, 3),
        r.hcx.runs.map((s) => fixed(s, 3)).join(' '),
        fixed(r.planCompileSeconds, 3),
        millis(r.hcxMsPerPass),
        millis(r.floorMsPerPass),
        `${fixed(r.ratioToFloor, 2)}x`,
        millis(r.passesTimesFloorMs),
        r.hcxSingleThread === null ? '-' : fixed(r.hcxSingleThread.seconds, 3),
        r.hcxSingleThread === null ? '-' : `${fixed(r.hcxSingleThread.seconds / r.hcx.seconds, 2)}x`,
      ]),
    ),
  )
  out.push('')
  out.push(
    table(
      [
        'qubits',
        'gates',
        'passes',
        `hcx (${threads} threads) s`,
        'hcx (1 thread) s',
        'quantum-circuit s',
        'speed-up',
        'floor ms/pass',
        'hcx ms/pass',
        'ratio',
      ],
      results.map((r) => [
        String(r.qubits),
        int(r.gates),
        int(r.passes),
        fixed(r.hcx.seconds, 3),
        r.hcxSingleThread === null ? '-' : fixed(r.hcxSingleThread.seconds, 3),
        r.competitorSeconds === null ? 'skipped' : fixed(r.competitorSeconds, 2),
        r.speedUp === null ? '-' : `${int(r.speedUp)}x`,
        millis(r.floorMsPerPass),
        millis(r.hcxMsPerPass),
        `${fixed(r.ratioToFloor, 2)}x`,
      ]),
    ),
  )
  const skipped = results.filter((r) => r.competitorSkipped !== null)
  if (skipped.length > 0) {
    const ran = results.filter((r) => r.competitorSeconds !== null)
    const reference = ran.find((r) => r.qubits === Math.max(...ran.map((q) => q.qubits)))
    const estimates = skipped
      .filter((r) => r.competitorEstimateSeconds !== null)
      .map((r) => `${r.qubits} qubits ~${duration(r.competitorEstimateSeconds ?? 0)}`)
    out.push(
      `quantum-circuit skipped at ${skipped.map((r) => r.qubits).join(', ')} qubits: ${COMPETITOR_SKIPPED}` +
        (reference === undefined || estimates.length === 0
          ? ''
          : ` (estimated from its ${reference.qubits}-qubit time, x2 per qubit and x gates: ${estimates.join(', ')})`),
    )
  }
  const noSingle = results.filter((r) => r.hcxSingleThread === null).map((r) => r.qubits)
  if (noSingle.length > 0) {
    out.push(
      `hcx (1 thread) not run at ${noSingle.join(', ')} qubits (only up to ${SINGLE_THREAD_MAX_QUBITS})`,
    )
  }
  out.push('')
  for (const g of goalList) {
    out.push(`goal: ${g.goal}: ${g.measured}${g.met === null ? '' : g.met ? ' MET' : ' NOT MET'}`)
  }
  out.push(`total wall time ${fixed(wallMs / 1000, 1)} s`)
  process.stdout.write(`${out.join('\n')}\n`)
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2))
  const start = performance.now()
  const pool = new ThreadPool()
  const sizes: HcxSize[] = []
  try {
    progress(`warming up: ${WARMUP_QUBITS} qubits, ${pool.size} threads and 1 thread; the bandwidth loops`)
    readModifyWriteBandwidth(WARMUP_DOUBLES, 1)
    wasmReadModifyWriteBandwidth(WARMUP_DOUBLES, 1)
    copyBandwidth(WARMUP_DOUBLES, 1)
    const warmup = randomCircuit(WARMUP_QUBITS, options.seed + 1)
    await statevector(warmup, { pool })
    await statevector(warmup)
    // hcx runs every size before quantum-circuit runs any, so that none of the competitor's garbage
    // (a map of complex objects per gate) is collected during hcx's timings.
    for (const qubits of options.qubits) sizes.push(await measureHcx(qubits, options, pool))
  } finally {
    await pool.close()
  }
  // quantum-circuit runs only where it takes minutes at most; the other sizes get an estimate.
  const ran = new Map<HcxSize, SizeResult>()
  for (const size of sizes) {
    if (size.result.qubits <= COMPETITOR_MAX_QUBITS) ran.set(size, measureCompetitor(size))
  }
  const reference = [...ran.values()].reduce<SizeResult | undefined>(
    (largest, r) => (largest === undefined || r.qubits > largest.qubits ? r : largest),
    undefined,
  )
  const results = sizes.map((size) => ran.get(size) ?? skipCompetitor(size, reference))
  const wallMs = performance.now() - start
  const goalList = goals(results)
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        bench: 'qsim',
        seed: options.seed,
        depth: DEPTH,
        runs: options.runs,
        threads: pool.size,
        checkTolerance: CHECK_TOLERANCE,
        sizes: results,
        goals: goalList,
        wallMs,
      })}\n`,
    )
  } else {
    printTables(results, goalList, options, wallMs)
  }
  if (results.some((r) => r.check !== null && !r.check.passed)) {
    progress('hcx and quantum-circuit disagree: see the correctness lines')
    process.exit(1)
  }
}

await main()
