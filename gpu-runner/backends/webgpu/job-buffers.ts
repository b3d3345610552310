// The buffers one WebGPU matmul allocates, and the refusal of a job that cannot fit them: it
// is refused from its shape alone, before a byte is allocated or uploaded.
import { GpuError } from '../../errors.ts'

const FLOAT32_BYTES = 4
/** The uniform holding (n, k, m), padded to a vec4 of u32. */
export const SHAPE_BYTES = 16

export interface JobBuffers {
  readonly a: number
  readonly b: number
  /** C on the device; the staging copy the host maps has the same size. */
  readonly c: number
  /** Every buffer of the run, all alive at once: shape, A, B, C and C's staging copy. */
  readonly total: number
}

/** The device limits a job's buffers are held to. */
export interface BufferLimits {
  readonly maxStorageBufferBindingSize: number
  readonly maxBufferSize: number
}

export function jobBuffers(n: number, k: number, m: number): JobBuffers {
  const a = n * k * FLOAT32_BYTES
  const b = k * m * FLOAT32_BYTES
  const c = n * m * FLOAT32_BYTES
  return { a, b, c, total: SHAPE_BYTES + a + b + 2 * c }
}

/** The largest matrix, in bytes, a device with these limits can bind. */
export function maxMatrixBytes(limits: BufferLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
}

/** Throws GPU_TOO_LARGE, with the arithmetic, when a matrix exceeds what one binding may hold. */
export function checkJobFits(n: number, k: number, m: number, limits: BufferLimits): JobBuffers {
  const job = jobBuffers(n, k, m)
  const limit = maxMatrixBytes(limits)
  const matrices = [
    ['A', n, k, job.a],
    ['B', k, m, job.b],
    ['C', n, m, job.c],
  ] as const
  for (const [name, rows, cols, bytes] of matrices) {
    if (bytes > limit) {
      throw new GpuError(
        { code: 'GPU_TOO_LARGE', bytes, limit },
        `${name} is ${rows}x${cols} float32 = ${rows} * ${cols} * ${FLOAT32_BYTES} = ${bytes} bytes, more than ` +
          `the ${limit} bytes (${mebibytes(limit)}) this WebGPU device binds in one buffer; ` +
          'split the job into smaller products or run it on the cpu or cuda backend',
      )
    }
  }
  return job
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1)} MiB`
}
