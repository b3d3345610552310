// Matrix multiply and Freivalds benchmark (BENCHMARKS.md, "Matrix multiply and Freivalds (GPU
// runner)"): every hcx matmul backend against OpenBLAS on the same machine in the same run, and the
// cost of checking a product with Freivalds' algorithm against the cost of computing it.
//
//   npx tsx scripts/bench/matmul.ts [--json] [--sizes N,N] [--reps N] [--seed N] [--threads N] [--allow-gpu]
//
// Square products only: n x n times n x n, n from --sizes (default 512, 1024, 2048). GFLOP/s is
// 2n^3 / time (matmulFlops), from the median of --reps timed products (default 5); the best is
// reported beside it. --threads (default: every core, 2 on the machine this was written on) is
// used by OpenBLAS, the cpu backend and the Freivalds verifier alike.
//
//  - OpenBLAS: `cblas_sgemm` (row-major, no transposes, alpha 1, beta 0) from Debian's
//    libopenblas-dev, in a small C program that this script writes to a fresh temporary directory
//    and compiles with `cc -O2 ... -lopenblas`, run once per n with OPENBLAS_NUM_THREADS=--threads.
//    It fills A and B with whole numbers in [-8, 8] from its own 64-bit LCG (not hcx's seeded
//    stream: the values do not change the speed of a float32 product), runs one untimed warm-up
//    product and then --reps timed ones (CLOCK_MONOTONIC around each call), and compares 16 sampled
//    entries of C with a float64 dot product; a wrong sample exits 1. It prints one JSON line per n.
//    Without a C compiler or OpenBLAS it is reported as unavailable, with the apt-get line that
//    installs it, and everything else still runs.
//  - hcx backends: cpu always (onnxruntime's MLAS on --threads threads); webgpu and cuda where they
//    open (cuda only with --allow-gpu); a backend that does not open is listed with its reason. Each
//    multiplies the same seeded inputs (seededInputs(--seed, n)): one warm-up product, then --reps
//    timed ones, each timed as the awaited matmul() call, so transfers to and from a device (and
//    the cuda worker's messages) are included. The seeded entries are whole numbers in [-8, 8], so
//    the product is exact in float32 on every engine: each backend's warm-up result must have the
//    cpu backend's matrixHash, and a mismatch exits 1.
//  - Naive JavaScript: one triple loop (i-k-j order, so the inner loop walks rows of B and C) over
//    Float32Array, on one thread, run once at n = 512 only (when 512 is among the sizes), as the
//    floor anchor. Its result must have the cpu backend's hash too.
//  - Freivalds: at each n, A and B are regenerated from the seed straight into a FreivaldsWorkspace
//    (as a buyer checking a seeded job does) and the cpu backend's product is copied in as C. One
//    FreivaldsVerifier on --threads threads, started before the first size, runs one warm-up check
//    and then --reps timed checks (entry bound 8, default rounds: the fewest that reach 2^-20, one
//    round here); the check time is compared with the median product time of the cpu backend and
//    of OpenBLAS. Every outcome must be valid, and a C with one element changed by 1 must be
//    rejected; otherwise the script exits 1. Regenerating the inputs is timed separately (one
//    untimed warm-up, then --reps timed): it is data preparation, paid by buyer and seller alike,
//    and is not part of the check time.
//
// Progress goes to stderr; stdout gets the tables, or with --json one JSON object. A failed check
// is reported after the output, and the script then exits 1.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeError } from '../../errors/hcx-error.ts'
import {
  BACKEND_IDS,
  type BackendId,
  type ComputeDevice,
  type MatmulBackend,
} from '../../gpu-runner/backends/backend.ts'
import { openBackend } from '../../gpu-runner/backends/open-backend.ts'
import { describeCpu } from '../../gpu-runner/discovery/cpu.ts'
import { matrixHash } from '../../gpu-runner/matrix/format.ts'
import { type Matrix, matmulFlops, matrix } from '../../gpu-runner/matrix/matrix.ts'
import { MAX_SEED, SEEDED_ENTRY_BOUND, seededInputs } from '../../gpu-runner/matrix/seeded.ts'
import { FreivaldsVerifier } from '../../gpu-runner/verify/freivalds.ts'
import { FreivaldsWorkspace } from '../../gpu-runner/verify/workspace.ts'
import { readFlags, wholeNumber, wholeNumbers } from './bench-options.ts'

const DEFAULT_SIZES = [512, 1024, 2048]
/** Three n x n float32 matrices in one wasm32 memory must stay under 4 GiB. */
const MAX_SIZE = 16_384
const NAIVE_SIZE = 512
const OPENBLAS_SPOT_CHECKS = 16
const INSTALL_HINT = 'apt-get install gcc libopenblas-dev'

const GOAL_CPU_PERCENT = 70
const GOAL_CPU_SIZES = [1024, 2048]
const GOAL_FREIVALDS_PERCENT = 3
const GOAL_FREIVALDS_SIZE = 2048
const GOAL_FALSE_ACCEPT_LOG2 = -20

interface Options {
  json: boolean
  sizes: number[]
  reps: number
  seed: number
  threads: number
  allowGpu: boolean
}

const USAGE =
  'usage: matmul.ts [--json] [--sizes N,N] [--reps N] [--seed N] [--threads N] [--allow-gpu]\n' +
  `  --sizes  matrix sides, whole numbers from 2 to ${MAX_SIZE} (default ${DEFAULT_SIZES.join(',')})\n` +
  '  --reps   timed repetitions per measurement (default 5)\n' +
  `  --seed   seed of the hcx inputs, 0 to ${MAX_SEED} (default 1)\n` +
  `  --threads  threads for OpenBLAS, the cpu backend and the verifier (default ${availableParallelism()})\n` +
  '  --allow-gpu  let the cuda backend start its GPU worker'

const BENCH = { name: 'matmul', usage: USAGE }

function readOptions(argv: string[]): Options {
  const values = readFlags(BENCH, argv, {
    json: { type: 'boolean' },
    sizes: { type: 'string' },
    reps: { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    'allow-gpu': { type: 'boolean' },
  })
  return {
    json: values.json ?? false,
    sizes:
      values.sizes === undefined ? DEFAULT_SIZES : wholeNumbers(BENCH, '--sizes', values.sizes, 2, MAX_SIZE),
    reps: values.reps === undefined ? 5 : wholeNumber(BENCH, '--reps', values.reps, 1, 1_000),
    seed: values.seed === undefined ? 1 : wholeNumber(BENCH, '--seed', values.seed, 0, MAX_SEED),
    threads:
      values.threads === undefined
        ? availableParallelism()
        : wholeNumber(BENCH, '--threads', values.threads, 1, 1_024),
    allowGpu: values['allow-gpu'] ?? false,
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function progress(message: string): void {
  process.stderr.write(`matmul: ${message}\n`)
}

// --- timing -------------------------------------------------------------------------------------

interface Timing {
  medianMs: number
  bestMs: number
  /** Every timed run, in order. */
  timesMs: number[]
}

function timingOf(timesMs: number[]): Timing {
  const sorted = [...timesMs].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  const medianMs =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return { medianMs, bestMs: sorted[0] as number, timesMs }
}

function gflops(n: number, ms: number): number {
  return matmulFlops(n, n, n) / (ms * 1e6)
}

// --- OpenBLAS -----------------------------------------------------------------------------------

// The C side prints its own median and best so that its output stands alone when run by hand;
// the spot check guards against a build that links but computes something else.
const SGEMM_PROGRAM = String.raw`#define _POSIX_C_SOURCE 199309L
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t state;

static uint64_t next_word(void) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return state >> 33;
}

static void fill(float *values, size_t count) {
  for (size_t i = 0; i < count; i++) values[i] = (float)((int)(next_word() % 17) - 8);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int ascending(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static void product(int n, const float *a, const float *b, float *c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s REPS SPOT_CHECKS N...\n", argv[0]);
    return 2;
  }
  int reps = atoi(argv[1]);
  int spot_checks = atoi(argv[2]);
  double *times = malloc(sizeof(double) * (size_t)reps);
  double *sorted = malloc(sizeof(double) * (size_t)reps);
  if (reps < 1 || times == NULL || sorted == NULL) return 2;
  for (int arg = 3; arg < argc; arg++) {
    int n = atoi(argv[arg]);
    size_t count = (size_t)n * (size_t)n;
    float *a = malloc(count * sizeof(float));
    float *b = malloc(count * sizeof(float));
    float *c = malloc(count * sizeof(float));
    if (n < 1 || a == NULL || b == NULL || c == NULL) {
      fprintf(stderr, "cannot allocate three %dx%d matrices\n", n, n);
      return 1;
    }
    state = (uint64_t)n;
    fill(a, count);
    fill(b, count);
    product(n, a, b, c);
    for (int r = 0; r < reps; r++) {
      double started = now_ms();
      product(n, a, b, c);
      times[r] = now_ms() - started;
    }
    int failures = 0;
    for (int s = 0; s < spot_checks; s++) {
      size_t i = (size_t)(next_word() % (uint64_t)n), j = (size_t)(next_word() % (uint64_t)n);
      double sum = 0;
      for (size_t t = 0; t < (size_t)n; t++) sum += (double)a[i * n + t] * (double)b[t * n + j];
      if (sum != (double)c[i * n + j]) failures++;
    }
    for (int r = 0; r < reps; r++) sorted[r] = times[r];
    qsort(sorted, (size_t)reps, sizeof(double), ascending);
    double median = reps % 2 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    printf("{\"n\":%d,\"medianMs\":%.6f,\"bestMs\":%.6f,\"timesMs\":[", n, median, sorted[0]);
    for (int r = 0; r < reps; r++) printf("%s%.6f", r ? "," : "", times[r]);
    printf("],\"spotChecks\":%d,\"spotCheckFailures\":%d}\n", spot_checks, failures);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
  }
  free(times);
  free(sorted);
  return 0;
}
`

interface OpenblasSize {
  n: number
  timing: Timing
  gflops: number
  bestGflops: number
  spotChecks: number
  spotCheckFailures: number
}

interface OpenblasReport {
  available: boolean
  /** Why it is unavailable, or why it stopped part-way. */
  reason: string | null
  threads: number
  sizes: OpenblasSize[]
}

interface Openblas {
  measure(n: number): OpenblasSize | null
  report(): OpenblasReport
  dispose(): void
}

function errorOutput(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr
  const text = typeof stderr === 'string' ? stderr : Buffer.isBuffer(stderr) ? stderr.toString('utf8') : ''
  const firstLines = text.trim().split('\n').slice(0, 3).join(' / ')
  return firstLines === '' ? describeError(err) : firstLines
}

function openOpenblas(options: Options): Openblas {
  const directory = mkdtempSync(join(tmpdir(), 'hcx-bench-matmul-'))
  const source = join(directory, 'sgemm.c')
  const program = join(directory, 'sgemm')
  const sizes: OpenblasSize[] = []
  let reason: string | null = null
  writeFileSync(source, SGEMM_PROGRAM)
  try {
    execFileSync('cc', ['-O2', '-o', program, source, '-lopenblas'], { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const missingCompiler = (err as NodeJS.ErrnoException).code === 'ENOENT'
    reason = missingCompiler
      ? `no C compiler (cc); install one and OpenBLAS with \`${INSTALL_HINT}\``
      : `the OpenBLAS program did not build (${errorOutput(err)}); install OpenBLAS with \`${INSTALL_HINT}\``
    process.stderr.write(`matmul: OpenBLAS unavailable: ${reason}\n`)
  }

  return {
    measure(n) {
      if (reason !== null) return null
      progress(
        `n = ${n}: OpenBLAS, ${options.threads} threads, 1 warm-up and ${plural(options.reps, 'timed product')}`,
      )
      try {
        const output = execFileSync(
          program,
          [String(options.reps), String(OPENBLAS_SPOT_CHECKS), String(n)],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, OPENBLAS_NUM_THREADS: String(options.threads) },
          },
        )
        const line = parseSgemmLine(output.trim())
        const size: OpenblasSize = {
          n,
          timing: { medianMs: line.medianMs, bestMs: line.bestMs, timesMs: line.timesMs },
          gflops: gflops(n, line.medianMs),
          bestGflops: gflops(n, line.bestMs),
          spotChecks: line.spotChecks,
          spotCheckFailures: line.spotCheckFailures,
        }
        sizes.push(size)
        return size
      } catch (err) {
        reason = `the OpenBLAS program failed at n = ${n} (${errorOutput(err)}); check the install with \`${INSTALL_HINT}\``
        process.stderr.write(`matmul: OpenBLAS unavailable: ${reason}\n`)
        return null
      }
    },
    report() {
      return { available: sizes.length > 0, reason, threads: options.threads, sizes }
    },
    dispose() {
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

interface SgemmLine {
  n: number
  medianMs: number
  bestMs: number
  timesMs: number[]
  spotChecks: number
  spotCheckFailures: number
}

function parseSgemmLine(text: string): SgemmLine {
  const value: unknown = JSON.parse(text)
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const numeric = (key: string): number => {
    const field = record[key]
    if (typeof field !== 'number' || !Number.isFinite(field))
      throw new Error(`its output has no number "${key}"`)
    return field
  }
  const times = record.timesMs
  if (!Array.isArray(times) || !times.every((t): t is number => typeof t === 'number')) {
    throw new Error('its output has no "timesMs" list')
  }
  return {
    n: numeric('n'),
    medianMs: numeric('medianMs'),
    bestMs: numeric('bestMs'),
    timesMs: times,
    spotChecks: numeric('spotChecks'),
    spotCheckFailures: numeric('spotCheckFailures'),
  }
}

// --- hcx backends -------------------------------------------------------------------------------

interface EngineSize {
  n: number
  timing: Timing
  gflops: number
  bestGflops: number
  /** Median GFLOP/s as a percentage of OpenBLAS's median at the same n. */
  percentOfOpenblas: number | null
  hash: string
  matchesCpu: boolean
}

interface BackendReport {
  id: BackendId
  available: boolean
  device: ComputeDevice | null
  reason: string | null
  sizes: EngineSize[]
}

interface OpenedBackend {
  report: BackendReport
  backend: MatmulBackend | null
}

async function openBackends(options: Options): Promise<OpenedBackend[]> {
  const opened: OpenedBackend[] = []
  for (const id of BACKEND_IDS) {
    progress(`opening the ${id} backend`)
    try {
      const backend = await openBackend(id, { allowGpu: options.allowGpu, threads: options.threads })
      opened.push({
        backend,
        report: { id, available: true, device: backend.device, reason: null, sizes: [] },
      })
    } catch (err) {
      // The cpu backend is the reference every other result is checked against: without it
      // nothing here can be checked.
      if (id === 'cpu') throw err
      opened.push({
        backend: null,
        report: { id, available: false, device: null, reason: describeError(err), sizes: [] },
      })
    }
  }
  return opened
}

function percentOf(referenceMs: number | null, ms: number): number | null {
  return referenceMs === null ? null : (referenceMs / ms) * 100
}

async function measureBackend(
  backend: MatmulBackend,
  a: Matrix,
  b: Matrix,
  reps: number,
): Promise<{ first: Matrix; timing: Timing }> {
  const first = (await backend.matmul(a, b)).c
  const times: number[] = []
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now()
    await backend.matmul(a, b)
    times.push(performance.now() - started)
  }
  return { first, timing: timingOf(times) }
}

function engineSize(
  n: number,
  timing: Timing,
  hash: string,
  cpuHash: string,
  openblasMs: number | null,
): EngineSize {
  return {
    n,
    timing,
    gflops: gflops(n, timing.medianMs),
    bestGflops: gflops(n, timing.bestMs),
    percentOfOpenblas: percentOf(openblasMs, timing.medianMs),
    hash,
    matchesCpu: hash === cpuHash,
  }
}

// --- naive JavaScript ---------------------------------------------------------------------------

/** C = A x B with the textbook loops in i-k-j order: the inner loop streams a row of B into a row of C. */
function naiveProduct(a: Matrix, b: Matrix): Matrix {
  const n = a.rows
  const k = a.cols
  const m = b.cols
  const av = a.data
  const bv = b.data
  const cv = new Float32Array(n * m)
  for (let i = 0; i < n; i++) {
    const cRow = i * m
    for (let t = 0; t < k; t++) {
      const ait = av[i * k + t] as number
      const bRow = t * m
      for (let j = 0; j < m; j++) cv[cRow + j] = (cv[cRow + j] as number) + ait * (bv[bRow + j] as number)
    }
  }
  return matrix(n, m, cv)
}

// --- Freivalds ----------------------------------------------------------------------------------

interface FreivaldsSize {
  n: number
  timing: Timing
  rounds: number
  bitsPerRound: number
  falseAcceptLog2: number
  /** Every warm-up and timed check of the correct product accepted it. */
  allValid: boolean
  /** The check rejected C with one element changed by 1. */
  tamperedRejected: boolean
  /** Median check time as a percentage of the cpu backend's median product time. */
  percentOfCpuProduct: number
  percentOfOpenblasProduct: number | null
  /** Regenerating seeded A and B into the workspace: data preparation, not part of the check. */
  regeneration: Timing
}

async function measureFreivalds(
  verifier: FreivaldsVerifier,
  n: number,
  cpuProduct: Matrix,
  cpuMs: number,
  openblasMs: number | null,
  options: Options,
): Promise<FreivaldsSize> {
  const workspace = new FreivaldsWorkspace(n, n, n)
  const regenerate = () => seededInputs(options.seed, n, n, n, { a: workspace.a.data, b: workspace.b.data })
  regenerate()
  const regenerationTimes: number[] = []
  for (let rep = 0; rep < options.reps; rep++) {
    const started = performance.now()
    regenerate()
    regenerationTimes.push(performance.now() - started)
  }
  workspace.c.data.set(cpuProduct.data)

  const checkOptions = { entryBound: SEEDED_ENTRY_BOUND }
  const warmUp = await verifier.check(workspace, checkOptions)
  let allValid = warmUp.valid
  const times: number[] = []
  for (let rep = 0; rep < options.reps; rep++) {
    const started = performance.now()
    const outcome = await verifier.check(workspace, checkOptions)
    times.push(performance.now() - started)
    allValid &&= outcome.valid
  }

  // A change of 1 keeps the entry inside the bound a correct product can reach, so only the
  // random projection can catch it, not the verifier's range check.
  const at = (n >> 1) * n + Math.floor(n / 3)
  const original = workspace.c.data[at] as number
  workspace.c.data[at] = original + 1
  const tampered = await verifier.check(workspace, checkOptions)
  workspace.c.data[at] = original

  const timing = timingOf(times)
  return {
    n,
    timing,
    rounds: warmUp.rounds,
    bitsPerRound: warmUp.bitsPerRound,
    falseAcceptLog2: warmUp.falseAcceptLog2,
    allValid,
    tamperedRejected: !tampered.valid,
    percentOfCpuProduct: (timing.medianMs / cpuMs) * 100,
    percentOfOpenblasProduct: openblasMs === null ? null : (timing.medianMs / openblasMs) * 100,
    regeneration: timingOf(regenerationTimes),
  }
}

// --- goals --------------------------------------------------------------------------------------

interface Goal {
  goal: string
  /** What was measured, in words; "not run" where the size it needs was not run. */
  measured: string
  met: boolean | null
}

function goals(cpu: BackendReport, freivalds: readonly FreivaldsSize[]): Goal[] {
  const list: Goal[] = []
  const cpuSizes = GOAL_CPU_SIZES.map((n) => cpu.sizes.find((s) => s.n === n)).filter(
    (s): s is EngineSize => s !== undefined && s.percentOfOpenblas !== null,
  )
  list.push({
    goal: `cpu backend >= ${GOAL_CPU_PERCENT}% of OpenBLAS at n = ${GOAL_CPU_SIZES.join(' and ')}`,
    measured:
      cpuSizes.length === 0
        ? 'not run'
        : cpuSizes.map((s) => `${fixed(s.percentOfOpenblas ?? 0, 1)}% at ${s.n}`).join(', '),
    met: cpuSizes.length === 0 ? null : cpuSizes.every((s) => (s.percentOfOpenblas ?? 0) >= GOAL_CPU_PERCENT),
  })
  // The product's time is the faster engine's: the check must be cheap beside the best product here.
  const check = freivalds.find((f) => f.n === GOAL_FREIVALDS_SIZE)
  const percent =
    check === undefined ? null : Math.max(check.percentOfCpuProduct, check.percentOfOpenblasProduct ?? 0)
  list.push({
    goal:
      `Freivalds <= ${GOAL_FREIVALDS_PERCENT}% of the product's time at n = ${GOAL_FREIVALDS_SIZE}, ` +
      `false accept <= 2^${GOAL_FALSE_ACCEPT_LOG2}`,
    measured:
      check === undefined || percent === null
        ? 'not run'
        : `${fixed(percent, 2)}% of the faster product, false accept 2^${check.falseAcceptLog2}`,
    met:
      check === undefined || percent === null
        ? null
        : percent <= GOAL_FREIVALDS_PERCENT && check.falseAcceptLog2 <= GOAL_FALSE_ACCEPT_LOG2,
  })
  return list
}

// --- output -------------------------------------------------------------------------------------

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function millis(ms: number): string {
  return fixed(ms, ms < 10 ? 3 : 1)
}

function rate(value: number): string {
  return fixed(value, value < 10 ? 2 : 1)
}

function percent(value: number | null): string {
  return value === null ? '-' : `${fixed(value, value < 10 ? 2 : 1)}%`
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const render = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [render(header), rule, ...rows.map(render)].join('\n')
}

interface Report {
  bench: 'matmul'
  machine: Machine
  sizes: number[]
  reps: number
  seed: number
  threads: number
  openblas: OpenblasReport
  backends: BackendReport[]
  naive: EngineSize | null
  freivalds: FreivaldsSize[]
  goals: Goal[]
  failures: string[]
  wallMs: number
}

interface Machine {
  cpu: string
  cores: number
  /** The 1, 5 and 15 minute load averages when the run began: other work skews every figure. */
  loadAverage: number[]
  node: string
}

function machineOf(): Machine {
  return {
    cpu: describeCpu().model,
    cores: availableParallelism(),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    node: process.version,
  }
}

function printTables(report: Report): void {
  const { machine, openblas } = report
  const available = report.backends.filter((b) => b.available)
  const out: string[] = []
  out.push(
    `machine: ${machine.cpu}, ${machine.cores} cores, load average ${machine.loadAverage.join(' ')} at start, node ${machine.node}`,
  )
  out.push(
    `square float32 products, seed ${report.seed}, ${report.threads} threads; median of ${plural(report.reps, 'timed run')} ` +
      'after one warm-up (best beside it in the detail table); GFLOP/s = 2n^3 / time',
  )
  for (const b of report.backends) {
    out.push(
      `  ${b.id}: ${b.available ? `on ${b.device?.name ?? 'unknown device'}` : `unavailable: ${b.reason}`}`,
    )
  }
  out.push(
    `  OpenBLAS cblas_sgemm: ${openblas.available ? `${openblas.threads} threads` : 'unavailable'}` +
      (openblas.reason === null ? '' : ` (${openblas.reason})`),
  )
  out.push('')

  const openblasAt = (n: number) => openblas.sizes.find((s) => s.n === n)
  out.push('matrix multiply, GFLOP/s (median) and percentage of OpenBLAS:')
  out.push(
    table(
      ['n', 'OpenBLAS', ...available.flatMap((b) => [b.id, `${b.id} % OpenBLAS`])],
      report.sizes.map((n) => {
        const reference = openblasAt(n)
        return [
          String(n),
          reference === undefined ? '-' : rate(reference.gflops),
          ...available.flatMap((b) => {
            const size = b.sizes.find((s) => s.n === n)
            return size === undefined ? ['-', '-'] : [rate(size.gflops), percent(size.percentOfOpenblas)]
          }),
        ]
      }),
    ),
  )
  const naive = report.naive
  out.push(
    naive === null
      ? `naive JavaScript triple loop: not run (only at n = ${NAIVE_SIZE}, which is not among the sizes)`
      : `naive JavaScript triple loop (i-k-j, float32, 1 thread, 1 run) at n = ${naive.n}: ` +
          `${rate(naive.gflops)} GFLOP/s, ${percent(naive.percentOfOpenblas)} of OpenBLAS`,
  )
  out.push('')

  out.push('detail:')
  const detailRows: string[][] = []
  for (const n of report.sizes) {
    const reference = openblasAt(n)
    if (reference !== undefined) {
      detailRows.push([
        'OpenBLAS',
        String(n),
        millis(reference.timing.medianMs),
        millis(reference.timing.bestMs),
        rate(reference.gflops),
        rate(reference.bestGflops),
        '100%',
        `${reference.spotChecks - reference.spotCheckFailures}/${reference.spotChecks} samples exact`,
      ])
    }
    for (const b of available) {
      const size = b.sizes.find((s) => s.n === n)
      if (size === undefined) continue
      detailRows.push([
        b.id,
        String(n),
        millis(size.timing.medianMs),
        millis(size.timing.bestMs),
        rate(size.gflops),
        rate(size.bestGflops),
        percent(size.percentOfOpenblas),
        b.id === 'cpu' ? `reference ${size.hash.slice(0, 12)}` : size.matchesCpu ? 'same hash' : 'MISMATCH',
      ])
    }
    if (naive !== null && naive.n === n) {
      detailRows.push([
        'naive JS',
        String(n),
        millis(naive.timing.medianMs),
        millis(naive.timing.bestMs),
        rate(naive.gflops),
        rate(naive.bestGflops),
        percent(naive.percentOfOpenblas),
        naive.matchesCpu ? 'same hash' : 'MISMATCH',
      ])
    }
  }
  out.push(
    table(
      ['engine', 'n', 'median ms', 'best ms', 'GFLOP/s', 'best GFLOP/s', '% OpenBLAS', 'result'],
      detailRows,
    ),
  )
  out.push('')

  out.push(
    `Freivalds (${report.threads} threads, inputs already in memory; median of ${plural(report.reps, 'check')}) ` +
      'against the median product time:',
  )
  out.push(
    table(
      [
        'n',
        'check ms',
        'best ms',
        '% cpu product',
        '% OpenBLAS product',
        'rounds x bits',
        'false accept',
        'valid',
        'tampered C',
        'input regeneration ms',
      ],
      report.freivalds.map((f) => [
        String(f.n),
        millis(f.timing.medianMs),
        millis(f.timing.bestMs),
        percent(f.percentOfCpuProduct),
        percent(f.percentOfOpenblasProduct),
        `${f.rounds} x ${f.bitsPerRound}`,
        `2^${f.falseAcceptLog2}`,
        f.allValid ? 'all' : 'NO',
        f.tamperedRejected ? 'rejected' : 'ACCEPTED',
        millis(f.regeneration.medianMs),
      ]),
    ),
  )
  out.push('input regeneration (seededInputs into the workspace) is data preparation, not part of the check')
  out.push('')
  for (const g of report.goals) {
    out.push(`goal: ${g.goal}: ${g.measured}${g.met === null ? '' : g.met ? ' MET' : ' NOT MET'}`)
  }
  out.push(`total wall time ${fixed(report.wallMs / 1000, 1)} s`)
  process.stdout.write(`${out.join('\n')}\n`)
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2))
  const started = performance.now()
  const machine = machineOf()
  progress(`${machine.cpu}, ${machine.cores} cores, load average ${machine.loadAverage.join(' ')}`)
  const failures: string[] = []
  const openblas = openOpenblas(options)
  const verifier = new FreivaldsVerifier(options.threads)
  // The verifier's threads start while the products run, so no check pays for their start-up.
  verifier.prepare()
  let opened: OpenedBackend[] = []
  let naive: EngineSize | null = null
  const freivalds: FreivaldsSize[] = []
  try {
    opened = await openBackends(options)
    for (const n of options.sizes) {
      const reference = openblas.measure(n)
      if (reference !== null && reference.spotCheckFailures > 0) {
        failures.push(
          `OpenBLAS at n = ${n}: ${reference.spotCheckFailures} of ${reference.spotChecks} sampled entries wrong`,
        )
      }
      const openblasMs = reference?.timing.medianMs ?? null
      const { a, b } = seededInputs(options.seed, n)
      let cpuProduct: Matrix | null = null
      let cpuHash = ''
      let cpuMs = 0
      for (const { backend, report } of opened) {
        if (backend === null) continue
        progress(`n = ${n}: ${report.id} backend, 1 warm-up and ${plural(options.reps, 'timed product')}`)
        const { first, timing } = await measureBackend(backend, a, b, options.reps)
        const hash = matrixHash(first)
        if (report.id === 'cpu') {
          cpuProduct = first
          cpuHash = hash
          cpuMs = timing.medianMs
        }
        const size = engineSize(n, timing, hash, cpuHash, openblasMs)
        report.sizes.push(size)
        if (!size.matchesCpu)
          failures.push(`${report.id} at n = ${n}: result hash differs from the cpu backend's`)
      }
      if (cpuProduct === null) throw new Error('the cpu backend produced no result')
      if (n === NAIVE_SIZE) {
        progress(`n = ${n}: naive JavaScript triple loop, 1 run`)
        const naiveStarted = performance.now()
        const product = naiveProduct(a, b)
        const timing = timingOf([performance.now() - naiveStarted])
        naive = engineSize(n, timing, matrixHash(product), cpuHash, openblasMs)
        if (!naive.matchesCpu)
          failures.push(`naive JavaScript at n = ${n}: result hash differs from the cpu backend's`)
      }
      progress(
        `n = ${n}: Freivalds, ${options.threads} threads, 1 warm-up and ${plural(options.reps, 'timed check')}`,
      )
      const check = await measureFreivalds(verifier, n, cpuProduct, cpuMs, openblasMs, options)
      freivalds.push(check)
      if (!check.allValid) failures.push(`Freivalds at n = ${n}: a check rejected the cpu backend's product`)
      if (!check.tamperedRejected)
        failures.push(`Freivalds at n = ${n}: a product with one changed element passed`)
    }
  } finally {
    openblas.dispose()
    await verifier.close()
    for (const { backend } of opened) await backend?.close()
  }

  const backends = opened.map((o) => o.report)
  const cpuReport = backends.find((b) => b.id === 'cpu') as BackendReport
  const report: Report = {
    bench: 'matmul',
    machine,
    sizes: options.sizes,
    reps: options.reps,
    seed: options.seed,
    threads: options.threads,
    openblas: openblas.report(),
    backends,
    naive,
    freivalds,
    goals: goals(cpuReport, freivalds),
    failures,
    wallMs: performance.now() - started,
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`)
  else printTables(report)
  if (failures.length > 0) {
    for (const failure of failures) progress(`FAILED: ${failure}`)
    process.exit(1)
  }
}

await main()
