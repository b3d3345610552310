// Whether a pair of input matrices can be multiplied and checked exactly: whole-number entries
// small enough that every partial sum of the product stays below 2^24.
import type { Matrix } from './matrix.ts'

/** The largest entry magnitude of A and B if all are whole and E^2 k <= 2^24; null otherwise. */
export function exactEntryBound(a: Matrix, b: Matrix): number | null {
  let largest = 0
  for (const data of [a.data, b.data]) {
    for (let i = 0; i < data.length; i++) {
      const value = data[i] as number
      if (!Number.isInteger(value)) return null
      largest = Math.max(largest, Math.abs(value))
    }
  }
  const bound = Math.max(1, largest)
  return bound ** 2 * a.cols <= 2 ** 24 ? bound : null
}
