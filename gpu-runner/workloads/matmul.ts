// The matmul workload: seeded inputs, one product on a backend, the result hashed and metered.
import type { MatmulBackend } from '../backends/backend.ts'
import { matrixHash } from '../matrix/format.ts'
import { type Matrix, matmulFlops } from '../matrix/matrix.ts'
import { seededInputs } from '../matrix/seeded.ts'
import { type ComputeUsage, computeUsage } from '../metering/usage.ts'

export interface MatmulJob {
  /** A is n x k and B is k x m; k and m default to n. */
  readonly n: number
  readonly k?: number
  readonly m?: number
  readonly seed: number
}

export interface MatmulJobResult {
  readonly backend: string
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
  const k = job.k ?? job.n
  const m = job.m ?? job.n
  const { a, b } = seededInputs(job.seed, job.n, k, m)
  const run = await backend.matmul(a, b, signal)
  const flops = matmulFlops(job.n, k, m)
  return {
    backend: backend.id,
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
