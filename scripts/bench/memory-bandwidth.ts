// Memory-bandwidth floors for the statevector benchmark (qsim.ts): how fast one thread can stream
// over a Float64Array of a given length, in place (read, modify, write back) and as a plain copy.
// A pass of a statevector simulator reads and writes every amplitude once, so the fastest in-place
// pass is the least time any pass over a state of that size can take on this machine.
//
// The in-place pass is measured twice: as a tight JavaScript loop, and as the same loop in
// WebAssembly SIMD (two doubles per instruction, four vectors per iteration), which is what the
// simulator's kernels are. The JavaScript loop is bound by its own instructions rather than by
// memory on a fast machine (it runs at about the same rate whether the array fits in a cache or
// not), so the floor is the faster of the two.

export interface Bandwidth {
  /** Doubles in the array. */
  readonly doubles: number
  /** Bytes moved by one pass: every double read once and written once. */
  readonly bytesPerPass: number
  /** The fastest pass seen, in milliseconds (for small arrays, the mean of a timed batch of passes). */
  readonly msPerPass: number
  readonly gbPerSec: number
}

/** A timed batch lasts at least this long, so that arrays that fit in a cache are timed over many passes. */
const MIN_BATCH_MS = 20
/** Multiplying by -1 keeps the values bounded and exact however many passes run. */
const FACTOR = -1
const WASM_PAGE = 65_536

// The factor is an argument so that the compiler cannot fold the multiplication away.
function scale(values: Float64Array, factor: number): void {
  const length = values.length
  for (let i = 0; i < length; i++) values[i] = (values[i] as number) * factor
}

function timeBatch(batch: number, pass: () => void): number {
  const start = performance.now()
  for (let i = 0; i < batch; i++) pass()
  return performance.now() - start
}

/**
 * Best of `runs` batches of `pass`. A first, untimed pass touches every page; the batch then doubles
 * until it lasts MIN_BATCH_MS (which also lets the compiler optimise the loop before timing starts).
 */
function measure(doubles: number, runs: number, pass: () => void): Bandwidth {
  pass()
  let batch = 1
  while (timeBatch(batch, pass) < MIN_BATCH_MS) batch *= 2
  let best = Number.POSITIVE_INFINITY
  for (let run = 0; run < runs; run++) best = Math.min(best, timeBatch(batch, pass) / batch)
  const bytesPerPass = 2 * 8 * doubles
  return { doubles, bytesPerPass, msPerPass: best, gbPerSec: bytesPerPass / (best * 1e6) }
}

/** In-place read-modify-write in JavaScript: every element scaled by a constant, one tight loop per pass. */
export function readModifyWriteBandwidth(doubles: number, runs = 5): Bandwidth {
  const values = new Float64Array(doubles).fill(1)
  return measure(doubles, runs, () => scale(values, FACTOR))
}

// --- WebAssembly SIMD ---------------------------------------------------------------------------

function leb128(n: number): number[] {
  const bytes: number[] = []
  let rest = n
  do {
    const low = rest & 0x7f
    rest >>>= 7
    bytes.push(rest === 0 ? low : low | 0x80)
  } while (rest !== 0)
  return bytes
}

function wasmSection(id: number, content: number[]): number[] {
  return [id, ...leb128(content.length), ...content]
}

function wasmName(name: string): number[] {
  return [name.length, ...Array.from(name, (c) => c.charCodeAt(0))]
}

/**
 * A module importing `env.memory` and exporting `scale(start, end, factor)`, which multiplies the
 * doubles in bytes [start, end) (both multiples of 64) by factor:
 *
 *   v = f64x2.splat(factor)
 *   loop: for each of the offsets 0, 16, 32, 48: v128.store(p + offset, f64x2.mul(v128.load(p + offset), v))
 *         p += 64; br_if loop (p < end)
 */
function scaleModule(): WebAssembly.Module {
  const LOCAL_GET = 0x20
  const SIMD = 0xfd
  const body = [0x01, 0x01, 0x7b] // one local: v128
  body.push(LOCAL_GET, 2, SIMD, 0x14, 0x21, 3) // local 3 = f64x2.splat(local 2)
  body.push(0x03, 0x40) // loop
  for (const offset of [0, 16, 32, 48]) {
    body.push(LOCAL_GET, 0, LOCAL_GET, 0, SIMD, 0x00, 4, offset) // v128.load align=16
    body.push(LOCAL_GET, 3, SIMD, ...leb128(0xf2)) // f64x2.mul
    body.push(SIMD, 0x0b, 4, offset) // v128.store align=16
  }
  body.push(LOCAL_GET, 0, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0) // local 0 = local 0 + 64 (keeping it)
  body.push(LOCAL_GET, 1, 0x49, 0x0d, 0) // br_if 0 (local 0 < local 1, unsigned)
  body.push(0x0b, 0x0b) // end loop, end function
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...wasmSection(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7c, 0x00]), // type (i32, i32, f64) -> ()
    ...wasmSection(2, [0x01, ...wasmName('env'), ...wasmName('memory'), 0x02, 0x00, 0x01]),
    ...wasmSection(3, [0x01, 0x00]),
    ...wasmSection(7, [0x01, ...wasmName('scale'), 0x00, 0x00]),
    ...wasmSection(10, [0x01, ...leb128(body.length), ...body]),
  ]
  return new WebAssembly.Module(new Uint8Array(bytes))
}

let compiledScale: WebAssembly.Module | undefined

/** In-place read-modify-write in WebAssembly SIMD over a Float64Array view of its memory. */
export function wasmReadModifyWriteBandwidth(doubles: number, runs = 5): Bandwidth {
  if (doubles % 8 !== 0) throw new Error(`the SIMD loop takes a multiple of 8 doubles, not ${doubles}`)
  compiledScale ??= scaleModule()
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((8 * doubles) / WASM_PAGE)) })
  const exports = new WebAssembly.Instance(compiledScale, { env: { memory } }).exports as {
    scale: (start: number, end: number, factor: number) => void
  }
  const values = new Float64Array(memory.buffer, 0, doubles).fill(1)
  const result = measure(doubles, runs, () => exports.scale(0, 8 * doubles, FACTOR))
  // Every pass negates every element: an even or odd number of them leaves all 1 or all -1.
  const first = values[0]
  if ((first !== 1 && first !== -1) || values[doubles - 1] !== first) {
    throw new Error('the SIMD loop did not scale every element')
  }
  return result
}

// --- copy ---------------------------------------------------------------------------------------

/** Plain copy (TypedArray.prototype.set) from one array into another of the same length. */
export function copyBandwidth(doubles: number, runs = 5): Bandwidth {
  const from = new Float64Array(doubles).fill(1)
  const into = new Float64Array(doubles)
  return measure(doubles, runs, () => into.set(from))
}
