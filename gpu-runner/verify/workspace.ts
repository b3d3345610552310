// The verifier's memory for one product shape: a shared WebAssembly memory holding A, B and C
// and the check's vectors, so every thread's kernels read them in place. The caller fills A,
// B and C (seeded inputs are generated straight into them, the result file read into C), and
// the memory is reused for every round and every later check of the same shape.
import { GpuError } from '../errors.ts'
import { checkSide, type Matrix, matrix } from '../matrix/matrix.ts'

const PAGE = 65_536
const MAX_PAGES = 65_536
/** The kernels' module keeps its own (empty) static data below this. */
const FIRST_ADDRESS = PAGE

export class FreivaldsWorkspace {
  readonly memory: WebAssembly.Memory
  readonly a: Matrix
  readonly b: Matrix
  readonly c: Matrix
  /** float64: the random vector (m), B r (k), A B r and C r (n). */
  readonly r: Float64Array
  readonly y: Float64Array
  readonly z: Float64Array
  readonly w: Float64Array
  /** float64, for real-valued products: |B| r (k) and |A| |B| r (n), the scale of the rounding. */
  readonly yAbs: Float64Array
  readonly u: Float64Array

  /** For A (n x k), B (k x m) and C (n x m). */
  constructor(n: number, k: number, m: number) {
    checkSide('n', n)
    checkSide('k', k)
    checkSide('m', m)
    const float32 = { a: n * k, b: k * m, c: n * m }
    const float64 = { r: m, y: k, z: n, w: n, yAbs: k, u: n }
    const total = (lengths: Record<string, number>, size: number) =>
      Object.values(lengths).reduce((sum, length) => sum + roundUp(size * length), 0)
    const bytes = total(float32, 4) + total(float64, 8)
    const pages = Math.ceil((FIRST_ADDRESS + bytes) / PAGE)
    if (pages > MAX_PAGES) {
      throw new GpuError(
        { code: 'GPU_TOO_LARGE', bytes, limit: MAX_PAGES * PAGE - FIRST_ADDRESS },
        `checking a ${n}x${k} by ${k}x${m} product needs ${bytes} bytes, more than the 4 GiB a wasm32 memory addresses; verify a smaller product`,
      )
    }
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
    const { buffer } = this.memory
    let top = FIRST_ADDRESS
    const take32 = (length: number) => {
      const view = new Float32Array(buffer, top, length)
      top += roundUp(4 * length)
      return view
    }
    const take64 = (length: number) => {
      const view = new Float64Array(buffer, top, length)
      top += roundUp(8 * length)
      return view
    }
    this.a = matrix(n, k, take32(float32.a))
    this.b = matrix(k, m, take32(float32.b))
    this.c = matrix(n, m, take32(float32.c))
    this.r = take64(float64.r)
    this.y = take64(float64.y)
    this.z = take64(float64.z)
    this.w = take64(float64.w)
    this.yAbs = take64(float64.yAbs)
    this.u = take64(float64.u)
  }
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / 16) * 16
}
