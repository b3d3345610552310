// Freivalds' check that C = A x B without computing the product: for a random vector r,
// A (B r) must equal C r, which costs three matrix-vector products, O(n^2), instead of O(n^3).
//
// The check is exact. Entries of A and B are whole numbers of magnitude at most E (seeded
// inputs: E = 8), so a correct C holds whole numbers of magnitude at most E^2 k; any other
// value fails at once. The vector r has whole entries uniform in [0, 2^bits), with bits chosen
// so that every sum stays below 2^53 and float64 computes it exactly: no tolerance, no false
// reject. If C != AB, some row d of AB - C is nonzero, and d.r = 0 for at most one value of
// r_j (j a column where d_j != 0) given the others, so one round accepts a wrong product with
// probability at most 2^-bits and `rounds` independent rounds with at most 2^-(rounds x bits).
//
// Real-valued inputs (no entry bound) cannot be checked exactly: any engine's float32 product
// differs from the true one by rounding. Row i then passes when |(A B r)_i - (C r)_i| stays
// within float32's bound for a k-term sum, 2k 2^-24 (|A| |B| r)_i, plus float64's own rounding
// of the three products. An error that large or larger in one entry of C is caught unless r's
// entry under it is nearly zero, so the 2^-bits figure holds for errors well above that bound.
import { randomFillSync } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { newBarrier } from '../../concurrency/barrier.ts'
import { WorkerPool } from '../../concurrency/worker-pool.ts'
import { GpuError } from '../errors.ts'
import { type FreivaldsShare, runFreivaldsShare } from './freivalds-worker.ts'
import type { FreivaldsWorkspace } from './workspace.ts'

/** The false-accept bound a check aims for when the caller does not set the rounds. */
export const DEFAULT_SECURITY_BITS = 20
/** Random words are 32 bits. */
const MAX_BITS_PER_ROUND = 32
/** Below this many matrix values, messages to threads cost more than they save. */
const THREADED_MIN_VALUES = 1 << 18

export interface FreivaldsOptions {
  /**
   * Whole-number inputs: the largest magnitude of an entry of A and B (seeded inputs have 8),
   * and the check is exact. null: real-valued inputs, checked within float32's rounding.
   */
  readonly entryBound: number | null
  /** Independent rounds; by default the fewest that reach 2^-20. */
  readonly rounds?: number
  /** Width of the random entries; by default the widest that keeps exact sums exact (20 for real values). */
  readonly bitsPerRound?: number
  /** Fills an array with random words; the verifier's own CSPRNG by default. */
  readonly randomWords?: (target: Uint32Array) => void
}

export interface FreivaldsOutcome {
  readonly valid: boolean
  readonly rounds: number
  readonly bitsPerRound: number
  /** log2 of the false-accept bound: -(rounds x bitsPerRound). */
  readonly falseAcceptLog2: number
  readonly durationMs: number
}

export class FreivaldsVerifier {
  readonly #pool: WorkerPool<FreivaldsShare, boolean>

  constructor(threads = availableParallelism()) {
    this.#pool = new WorkerPool(new URL('./freivalds-worker.ts', import.meta.url), 'verifier thread', threads)
  }

  /** Starts the threads ahead of a check, while the caller prepares its matrices. */
  prepare(): void {
    this.#pool.start()
  }

  /** Checks C = A x B for the matrices in `workspace`. */
  async check(workspace: FreivaldsWorkspace, options: FreivaldsOptions): Promise<FreivaldsOutcome> {
    const { a, b, c, r, y, z, w, u } = workspace
    const { entryBound } = options
    const n = a.rows
    const k = a.cols
    const m = b.cols
    const plan = roundPlan(options, k, m)
    const started = performance.now()
    const words = new Uint32Array(m)
    const fill = options.randomWords ?? ((target: Uint32Array) => randomFillSync(target))
    const mask = plan.bitsPerRound === 32 ? 0xffff_ffff : 2 ** plan.bitsPerRound - 1
    const parts = n * k + k * m + n * m < THREADED_MIN_VALUES ? 0 : this.#pool.size
    let valid = true
    for (let round = 0; round < plan.rounds && valid; round++) {
      fill(words)
      for (let j = 0; j < m; j++) r[j] = ((words[j] as number) & mask) >>> 0
      const base = {
        memory: workspace.memory,
        a: a.data.byteOffset,
        b: b.data.byteOffset,
        c: c.data.byteOffset,
        r: r.byteOffset,
        y: y.byteOffset,
        z: z.byteOffset,
        w: w.byteOffset,
        yAbs: workspace.yAbs.byteOffset,
        u: u.byteOffset,
        n,
        k,
        m,
        bound: entryBound === null ? null : entryBound ** 2 * k,
        barrier: newBarrier(),
      }
      const badValues =
        parts === 0
          ? [runFreivaldsShare({ ...base, part: 0, parts: 1 })]
          : await this.#pool.run(Array.from({ length: parts }, (_, part) => ({ ...base, part, parts })))
      valid = !badValues.includes(true) && (entryBound === null ? withinRounding(z, w, u, k, m) : equal(z, w))
    }
    return {
      valid,
      rounds: plan.rounds,
      bitsPerRound: plan.bitsPerRound,
      falseAcceptLog2: -plan.rounds * plan.bitsPerRound,
      durationMs: performance.now() - started,
    }
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}

/** The widest random entries that keep E^2 k m 2^bits below 2^53, so float64 sums are exact. */
export function maxExactBits(entryBound: number, k: number, m: number): number {
  return Math.min(MAX_BITS_PER_ROUND, Math.floor(53 - Math.log2(entryBound ** 2 * k * m)))
}

/** Random entries of real-valued checks: the width only scales the sums, 20 bits is plenty. */
const REAL_VALUED_BITS = 20

function roundPlan(
  options: FreivaldsOptions,
  k: number,
  m: number,
): { rounds: number; bitsPerRound: number } {
  const { entryBound } = options
  if (entryBound === null)
    return checkRounds(options, options.bitsPerRound ?? REAL_VALUED_BITS, MAX_BITS_PER_ROUND)
  if (!Number.isSafeInteger(entryBound) || entryBound < 1 || entryBound ** 2 * k > 2 ** 24) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'entry bound' },
      `entries bounded by ${entryBound} over k = ${k} make products beyond float32's exact integers (2^24); use smaller entries or a shorter inner dimension`,
    )
  }
  const widest = maxExactBits(entryBound, k, m)
  return checkRounds(options, options.bitsPerRound ?? widest, widest)
}

function checkRounds(
  options: FreivaldsOptions,
  bitsPerRound: number,
  widest: number,
): { rounds: number; bitsPerRound: number } {
  if (!Number.isSafeInteger(bitsPerRound) || bitsPerRound < 1 || bitsPerRound > widest) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'bits per round' },
      `random entries of ${bitsPerRound} bits cannot be used here: from 1 to ${widest} bits keep the sums exact`,
    )
  }
  const rounds = options.rounds ?? Math.ceil(DEFAULT_SECURITY_BITS / bitsPerRound)
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 1024) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'rounds' },
      `rounds must be a whole number from 1 to 1024, got ${rounds}`,
    )
  }
  return { rounds, bitsPerRound }
}

function equal(z: Float64Array, w: Float64Array): boolean {
  for (let i = 0; i < z.length; i++) if (z[i] !== w[i]) return false
  return true
}

/** Row by row within float32's k-term rounding bound plus float64's; NaN never passes. */
function withinRounding(z: Float64Array, w: Float64Array, u: Float64Array, k: number, m: number): boolean {
  const relative = 2 * k * 2 ** -24 + 8 * (k + m) * 2 ** -53
  for (let i = 0; i < z.length; i++) {
    if (!(Math.abs((z[i] as number) - (w[i] as number)) <= relative * (u[i] as number))) return false
  }
  return true
}
