import { describe, expect, it } from 'vitest'
import { matrixHash } from '../../../../gpu-runner/matrix/format.ts'
import { seededInputs } from '../../../../gpu-runner/matrix/seeded.ts'

describe('seeded matmul inputs', () => {
  it('are the same for the same seed and differ for another', () => {
    const first = seededInputs(42, 33, 17, 9)
    const again = seededInputs(42, 33, 17, 9)
    const other = seededInputs(43, 33, 17, 9)
    expect(matrixHash(again.a)).toBe(matrixHash(first.a))
    expect(matrixHash(again.b)).toBe(matrixHash(first.b))
    expect(matrixHash(other.a)).not.toBe(matrixHash(first.a))
  })

  it('have the asked shapes and whole entries spread uniformly over [-8, 8]', () => {
    const { a, b } = seededInputs(1, 200, 300, 100)
    expect([a.rows, a.cols, b.rows, b.cols]).toEqual([200, 300, 300, 100])
    const counts = new Map<number, number>()
    for (const value of [...a.data, ...b.data]) {
      expect(Number.isInteger(value) && Math.abs(value) <= 8).toBe(true)
      counts.set(value, (counts.get(value) ?? 0) + 1)
    }
    expect(counts.size).toBe(17)
    // 90,000 draws over 17 values: each count is within 5 standard deviations of 90000/17.
    const expected = 90_000 / 17
    const sd = Math.sqrt(90_000 * (1 / 17) * (16 / 17))
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(5 * sd)
  })

  it('fill arrays of the caller', () => {
    const into = { a: new Float32Array(6), b: new Float32Array(12) }
    const { a, b } = seededInputs(5, 2, 3, 4, into)
    expect(a.data).toBe(into.a)
    expect(b.data).toBe(into.b)
  })

  it('refuse a seed that is not an unsigned 32-bit integer and sides out of range', () => {
    expect(() => seededInputs(-1, 4)).toThrow(/seed must be a whole number from 0 to 4294967295/)
    expect(() => seededInputs(2 ** 32, 4)).toThrow(expect.objectContaining({ code: 'GPU_BAD_SHAPE' }))
    expect(() => seededInputs(1, 0)).toThrow(/n must be a whole number from 1 to 32768/)
    expect(() => seededInputs(1, 4, 40_000)).toThrow(/k must be/)
  })
})
