// Seeded matmul inputs. Entries are whole numbers in [-8, 8] stored as float32, so every
// partial sum of a product with k <= 2^17 stays below 2^24 and the product is exact on every
// backend: output hashes agree across cpu, WebGPU and CUDA, and Freivalds' check is exact.
//
// The stream is pure-rand's xoroshiro128+ seeded with `seed`; each 32-bit draw is cut into six
// 5-bit fields, and a field below 17 becomes the entry `field - 8` (the rest are skipped, so the
// entries are exactly uniform). A fills first, row by row, then B from the same stream.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { GpuError } from '../errors.ts'
import { checkSide, type Matrix, matrix } from './matrix.ts'

export const SEEDED_ENTRY_BOUND = 8

/** Seeds are unsigned 32-bit so the stream is the same whatever the caller's integer type. */
export const MAX_SEED = 0xffff_ffff

export interface SeededInputs {
  readonly a: Matrix
  readonly b: Matrix
}

/**
 * A (n x k) and B (k x m). `into` places the values in arrays of the caller's (the verifier's
 * shared WebAssembly memory); by default each matrix gets a fresh array.
 */
export function seededInputs(
  seed: number,
  n: number,
  k = n,
  m = n,
  into: { a: Float32Array; b: Float32Array } = { a: new Float32Array(n * k), b: new Float32Array(k * m) },
): SeededInputs {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'seed' },
      `seed must be a whole number from 0 to ${MAX_SEED}, got ${seed}`,
    )
  }
  checkSide('n', n)
  checkSide('k', k)
  checkSide('m', m)
  const { a, b } = into
  const stream = entryStream(seed)
  stream(a)
  stream(b)
  return { a: matrix(n, k, a), b: matrix(k, m, b) }
}

function entryStream(seed: number): (target: Float32Array) => void {
  const generator = xoroshiro128plus(seed)
  const range = 2 * SEEDED_ENTRY_BOUND + 1
  let bits = 0
  let fieldsLeft = 0
  return (target) => {
    let i = 0
    while (i < target.length) {
      if (fieldsLeft === 0) {
        bits = generator.next() >>> 0
        fieldsLeft = 6
      }
      const field = bits & 31
      bits >>>= 5
      fieldsLeft--
      if (field < range) target[i++] = field - SEEDED_ENTRY_BOUND
    }
  }
}
