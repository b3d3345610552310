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
    const lengths = [4 * n * k, 4 * k * m, 4 * n * m, 8 * m, 8 * k, 8 * n, 8 * n, 8 * k, 8 * n].map(roundUp)
    const bytes = lengths.reduce((sum, length) => sum + length, 0)
    const pages = Math.ceil((FIRST_ADDRESS + bytes) / PAGE)
    if (pages > MAX_PAGES) {
      throw new GpuError(
        { code: 'GPU_TOO_LARGE', bytes, limit: MAX_PAGES * PAGE - FIRST_ADDRESS },
        `checking a ${n}x${k} by ${k}x${m} product needs ${bytes} bytes, more than the 4 GiB a wasm32 memory addresses; verify a smaller product`,
      )
    }
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
    let top = FIRST_ADDRESS
    const take = <T>(make: (buffer: ArrayBufferLike, offset: number) => T, byteLength: number): T => {
      const view = make(this.memory.buffer, top)
      top += roundUp(byteLength)
      return view
    }
    this.a = matrix(
      n,
      k,
      take((buffer, at) => new Float32Array(buffer, at, n * k), 4 * n * k),
    )
    this.b = matrix(
      k,
      m,
      take((buffer, at) => new Float32Array(buffer, at, k * m), 4 * k * m),
    )
    this.c = matrix(
      n,
      m,
      take((buffer, at) => new Float32Array(buffer, at, n * m), 4 * n * m),
    )
    this.r = take((buffer, at) => new Float64Array(buffer, at, m), 8 * m)
    this.y = take((buffer, at) => new Float64Array(buffer, at, k), 8 * k)
    this.z = take((buffer, at) => new Float64Array(buffer, at, n), 8 * n)
    this.w = take((buffer, at) => new Float64Array(buffer, at, n), 8 * n)
    this.yAbs = take((buffer, at) => new Float64Array(buffer, at, k), 8 * k)
    this.u = take((buffer, at) => new Float64Array(buffer, at, n), 8 * n)
  }
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / 16) * 16
}
