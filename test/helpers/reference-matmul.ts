// The plain triple loop, in float64: the reference every backend is tested against (too slow
// for anything but tests and small shapes), with the shapes and inputs the backends' tests share.
import { checkProductShapes, type Matrix, matrix } from '../../gpu-runner/matrix/matrix.ts'
import { seededRandom } from './seeded-random.ts'

/** n, k, m: edge sizes and sizes that are no multiple of any tile. */
export const ODD_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [65, 31, 47],
  [128, 130, 129],
  [257, 257, 257],
]

/** Uniform reals in [-1, 1), the same for the same seed. */
export function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const random = seededRandom(seed)
  return matrix(
    rows,
    cols,
    Float32Array.from({ length: rows * cols }, () => 2 * random() - 1),
  )
}

export function referenceMatmul(a: Matrix, b: Matrix): Matrix {
  checkProductShapes(a, b)
  const c = new Float32Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let sum = 0
      for (let t = 0; t < a.cols; t++)
        sum += (a.data[i * a.cols + t] as number) * (b.data[t * b.cols + j] as number)
      c[i * b.cols + j] = sum
    }
  }
  return matrix(a.rows, b.cols, c)
}
