import { describe, expect, it } from 'vitest'
import { exactEntryBound } from '../../../../gpu-runner/matrix/entry-bound.ts'
import { matrix } from '../../../../gpu-runner/matrix/matrix.ts'

describe('the exact entry bound of a pair of inputs', () => {
  it('is the largest magnitude of whole-number entries', () => {
    expect(exactEntryBound(matrix(1, 2, Float32Array.of(3, -7)), matrix(2, 1, Float32Array.of(5, 0)))).toBe(7)
    expect(exactEntryBound(matrix(1, 1, Float32Array.of(0)), matrix(1, 1, Float32Array.of(0)))).toBe(1)
  })

  it('is null for a fraction, NaN or infinity', () => {
    const b = matrix(2, 1, Float32Array.of(1, 2))
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(exactEntryBound(matrix(1, 2, Float32Array.of(1, bad)), b)).toBeNull()
    }
  })

  it('is null when products of such entries could leave float32 exact integers', () => {
    // 2^12 squared over k = 2 is 2^25 > 2^24.
    expect(
      exactEntryBound(matrix(1, 2, Float32Array.of(4096, 1)), matrix(2, 1, Float32Array.of(1, 1))),
    ).toBeNull()
    expect(exactEntryBound(matrix(1, 2, Float32Array.of(2048, 1)), matrix(2, 1, Float32Array.of(1, 1)))).toBe(
      2048,
    )
  })
})
