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
  /** Largest magnitude of an entry of A and B (the caller made them: seeded inputs have 8). */
  readonly entryBound: number
  /** Independent rounds; by default the fewest that reach 2^-20. */
  readonly rounds?: number
  /** Width of the random entries; by default the widest that keeps the sums exact. */
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
    const { a, b, c, r, y, z, w } = workspace
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
        n,
        k,
        m,
        bound: options.entryBound ** 2 * k,
        barrier: newBarrier(),
      }
      const badValues =
        parts === 0
          ? [runFreivaldsShare({ ...base, part: 0, parts: 1 })]
          : await this.#pool.run(Array.from({ length: parts }, (_, part) => ({ ...base, part, parts })))
      valid = !badValues.includes(true) && equal(z, w)
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

function roundPlan(
  options: FreivaldsOptions,
  k: number,
  m: number,
): { rounds: number; bitsPerRound: number } {
  const { entryBound } = options
  if (!Number.isSafeInteger(entryBound) || entryBound < 1 || entryBound ** 2 * k > 2 ** 24) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'entry bound' },
      `entries bounded by ${entryBound} over k = ${k} make products beyond float32's exact integers (2^24); use smaller entries or a shorter inner dimension`,
    )
  }
  const widest = maxExactBits(entryBound, k, m)
  const bitsPerRound = options.bitsPerRound ?? widest
  if (!Number.isSafeInteger(bitsPerRound) || bitsPerRound < 1 || bitsPerRound > widest) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'bits per round' },
      `random entries of ${bitsPerRound} bits cannot be used here: the sums stay exact up to ${widest} bits (from 1)`,
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
