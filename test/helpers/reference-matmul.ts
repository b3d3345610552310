// The plain triple loop, in float64: the reference every backend is tested against. Too slow
// for anything but tests and small shapes.
import { checkProductShapes, type Matrix, matrix } from '../../gpu-runner/matrix/matrix.ts'

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
