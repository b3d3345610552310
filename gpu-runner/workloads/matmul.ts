// The matmul workload: inputs from a seed or given whole (named by their content hashes), one
// product on a backend, the result hashed and metered.
import { totalmem } from 'node:os'
import type { MatmulBackend } from '../backends/backend.ts'
import { GpuError } from '../errors.ts'
import { matrixHash } from '../matrix/format.ts'
import { type Matrix, matmulFlops, productBytes } from '../matrix/matrix.ts'
import { seededInputs } from '../matrix/seeded.ts'
import { type ComputeUsage, computeUsage } from '../metering/usage.ts'

export type MatmulJob =
  /** A is n x k and B is k x m (k and m default to n), drawn from the seed (matrix/seeded.ts). */
  | { readonly n: number; readonly k?: number; readonly m?: number; readonly seed: number }
  | { readonly a: Matrix; readonly b: Matrix }

export interface MatmulJobResult {
  readonly backend: string
  /** Content hashes of the inputs: the SHA-256 of each one's matrix file encoding. */
  readonly inputHashes: { readonly a: string; readonly b: string }
  readonly c: Matrix
  /** SHA-256 of the result's file encoding (matrix/format.ts). */
  readonly outputHash: string
  /** Device time: uploads, the product and the download; not input generation or hashing. */
  readonly durationMs: number
  readonly gflops: number
  readonly usage: ComputeUsage
}

export async function runMatmulJob(
  backend: MatmulBackend,
  job: MatmulJob,
  signal?: AbortSignal,
): Promise<MatmulJobResult> {
  if ('seed' in job) checkHostMemory(job.n, job.k ?? job.n, job.m ?? job.n)
  const { a, b } = 'seed' in job ? seededInputs(job.seed, job.n, job.k ?? job.n, job.m ?? job.n) : job
  const run = await backend.matmul(a, b, signal)
  const flops = matmulFlops(a.rows, a.cols, b.cols)
  return {
    backend: backend.id,
    inputHashes: { a: matrixHash(a), b: matrixHash(b) },
    c: run.c,
    outputHash: matrixHash(run.c),
    durationMs: run.deviceMs,
    gflops: flops / run.deviceMs / 1e6,
    usage: computeUsage(
      backend.device.capacityClass,
      run.deviceMs,
      backend.device.units,
      flops,
      run.peakMemoryBytes,
    ),
  }
}

/** A, B and C live in this process whatever the backend: they may take half of the machine's memory. */
export function checkHostMemory(n: number, k: number, m: number, memoryBytes = totalmem()): void {
  const bytes = productBytes(n, k, m)
  const limit = Math.floor(memoryBytes / 2)
  if (bytes > limit) {
    throw new GpuError(
      { code: 'GPU_TOO_LARGE', bytes, limit },
      `a ${n}x${k} by ${k}x${m} product needs ${bytes} bytes for A, B and C, more than half of this machine's ` +
        `${memoryBytes} bytes of memory; use smaller matrices`,
    )
  }
}
