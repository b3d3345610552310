// A dense row-major float32 matrix. `data` may be a view into shared memory (the verifier
// keeps its matrices in WebAssembly memory so its threads read them without copies).
import { GpuError } from '../errors.ts'

export interface Matrix {
  readonly rows: number
  readonly cols: number
  readonly data: Float32Array
}

/** Largest side accepted anywhere: 2^15 keeps every index and FLOP count a safe integer. */
export const MAX_MATRIX_SIDE = 32_768

export function matrix(
  rows: number,
  cols: number,
  data: Float32Array = new Float32Array(rows * cols),
): Matrix {
  checkSide('rows', rows)
  checkSide('cols', cols)
  if (data.length !== rows * cols) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'data' },
      `a ${rows}x${cols} matrix needs ${rows * cols} values, got ${data.length}`,
    )
  }
  return { rows, cols, data }
}

export function checkSide(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_MATRIX_SIDE) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: name },
      `${name} must be a whole number from 1 to ${MAX_MATRIX_SIDE}, got ${value}`,
    )
  }
}

/** Throws unless A (n x k) and B (k x m) can be multiplied. */
export function checkProductShapes(a: Matrix, b: Matrix): void {
  if (a.cols !== b.rows) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'inner dimension' },
      `cannot multiply a ${a.rows}x${a.cols} matrix by a ${b.rows}x${b.cols} one: A's columns must equal B's rows`,
    )
  }
}

/** Bytes of A (n x k), B (k x m) and C (n x m) together, in float32. */
export function productBytes(n: number, k: number, m: number): number {
  return 4 * (n * k + k * m + n * m)
}

/** The matrix's float32 values as bytes, a view without a copy (little-endian, as every host here is). */
export function matrixBytes(m: Matrix): Uint8Array {
  return new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength)
}

/** 2nkm: one multiply and one add per term. */
export function matmulFlops(n: number, k: number, m: number): number {
  return 2 * n * k * m
}
