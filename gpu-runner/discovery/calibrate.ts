// A short measured product on a backend: what its device really delivers, in float32 GFLOP/s,
// including the transfers to and from the device that every sold job pays for too.
import type { BackendId, MatmulBackend } from '../backends/backend.ts'
import { GpuError } from '../errors.ts'
import type { Matrix } from '../matrix/matrix.ts'
import { checkSide, matmulFlops } from '../matrix/matrix.ts'
import { seededInputs } from '../matrix/seeded.ts'

/** Big enough to keep a GPU's kernels busy, small enough to finish in well under a second. */
export const GPU_CALIBRATION_N = 1024
/** A CPU multiplies a 512 product in milliseconds; 1024 would take a second on a small machine. */
export const CPU_CALIBRATION_N = 512
export const DEFAULT_CALIBRATION_REPEATS = 3
const MAX_REPEATS = 100
/** Fixed, so every machine measures the same product and its output can be spot-checked. */
const CALIBRATION_SEED = 0x0ca1_1b8a
/** Entries of C compared against a direct dot product, to refuse a backend that computes wrongly. */
const SPOT_CHECKS = 16

export interface CalibrateOptions {
  /** Side of the square product; by default 1024 on GPU-class devices and 512 on CPU-class ones. */
  readonly n?: number
  /** Timed runs after one untimed warm-up; the median is reported. */
  readonly repeats?: number
  readonly signal?: AbortSignal
}

export interface Calibration {
  readonly backend: BackendId
  readonly n: number
  readonly gflops: number
  /** The median run's device time. */
  readonly deviceMs: number
}

export async function calibrate(
  backend: MatmulBackend,
  options: CalibrateOptions = {},
): Promise<Calibration> {
  const n =
    options.n ?? (backend.device.capacityClass.startsWith('gpu.') ? GPU_CALIBRATION_N : CPU_CALIBRATION_N)
  checkSide('n', n)
  const repeats = options.repeats ?? DEFAULT_CALIBRATION_REPEATS
  if (!Number.isSafeInteger(repeats) || repeats < 1 || repeats > MAX_REPEATS) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'repeats' },
      `repeats must be a whole number from 1 to ${MAX_REPEATS}, got ${repeats}`,
    )
  }
  const { a, b } = seededInputs(CALIBRATION_SEED, n)
  // The warm-up pays for first-use costs (kernel compilation, library handles, caches).
  const warmUp = await backend.matmul(a, b, options.signal)
  spotCheck(backend.id, a, b, warmUp.c)
  const times: number[] = []
  for (let i = 0; i < repeats; i++) times.push((await backend.matmul(a, b, options.signal)).deviceMs)
  const deviceMs = median(times)
  // A clock too coarse to see the run would give an infinite rate; a floor keeps it finite.
  const seconds = Math.max(deviceMs, 1e-3) / 1000
  return { backend: backend.id, n, gflops: matmulFlops(n, n, n) / seconds / 1e9, deviceMs }
}

/** Compares a few entries of C with dot products computed here; seeded inputs make them exact. */
function spotCheck(backend: BackendId, a: Matrix, b: Matrix, c: Matrix): void {
  const n = a.rows
  for (let s = 0; s < SPOT_CHECKS; s++) {
    // Spread over the matrix, corners included, deterministically.
    const i = (s * 7919) % n
    const j = (s * 104_729 + n - 1) % n
    let sum = 0
    for (let t = 0; t < a.cols; t++)
      sum += (a.data[i * a.cols + t] as number) * (b.data[t * b.cols + j] as number)
    const got = c.data[i * c.cols + j]
    if (got !== sum) {
      throw new GpuError(
        { code: 'GPU_DEVICE_FAILED', backend },
        `the ${backend} backend computed C[${i}][${j}] = ${got} in its calibration product, not ${sum}: its results cannot be sold`,
      )
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle] as number
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2
}
