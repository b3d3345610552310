// AssemblyScript: the statevector kernels, compiled to WebAssembly with SIMD at install
// (scripts/build-wasm.ts). One complex double per v128 lane pair. Every pointer is a byte
// offset into this module's memory, laid out by sim/block-engine.ts.
//
// Matrices arrive "expanded": each complex entry (r, i) as two vectors [r, r] and [-i, i],
// so x·m = [r, r]·x + [-i, i]·swap(x) costs two multiplies, an add and one shuffle.

@inline
function cmul(x: v128, re: v128, im: v128): v128 {
  return f64x2.add(f64x2.mul(re, x), f64x2.mul(im, v128.shuffle<f64>(x, x, 1, 0)))
}

/**
 * A 2×2 on `qubit`, only where every bit of `controlMask` is 1 when `masked`. Inlined into both
 * kernels, so the plain one loses the test at compile time.
 */
@inline
function apply2x2(buf: usize, size: i32, qubit: i32, controlMask: i32, m: usize, masked: bool): void {
  const m00r = v128.load(m, 0)
  const m00i = v128.load(m, 16)
  const m01r = v128.load(m, 32)
  const m01i = v128.load(m, 48)
  const m10r = v128.load(m, 64)
  const m10i = v128.load(m, 80)
  const m11r = v128.load(m, 96)
  const m11i = v128.load(m, 112)
  const half = 1 << qubit
  const low = half - 1
  const pairs = size >> 1
  const stride = (<usize>half) << 4
  for (let p = 0; p < pairs; p++) {
    const i = ((p & ~low) << 1) | (p & low)
    if (masked && (i & controlMask) != controlMask) continue
    const pa = buf + ((<usize>i) << 4)
    const pb = pa + stride
    const a = v128.load(pa)
    const b = v128.load(pb)
    const as = v128.shuffle<f64>(a, a, 1, 0)
    const bs = v128.shuffle<f64>(b, b, 1, 0)
    v128.store(
      pa,
      f64x2.add(f64x2.add(f64x2.mul(m00r, a), f64x2.mul(m00i, as)), f64x2.add(f64x2.mul(m01r, b), f64x2.mul(m01i, bs))),
    )
    v128.store(
      pb,
      f64x2.add(f64x2.add(f64x2.mul(m10r, a), f64x2.mul(m10i, as)), f64x2.add(f64x2.mul(m11r, b), f64x2.mul(m11i, bs))),
    )
  }
}

/** A 2×2 on qubit `qubit` of a buffer of `size` amplitudes. */
export function single(buf: usize, size: i32, qubit: i32, m: usize): void {
  apply2x2(buf, size, qubit, 0, m, false)
}

/** A 2×2 on `qubit`, only where every bit of `controlMask` is 1. */
export function controlled(buf: usize, size: i32, qubit: i32, controlMask: i32, m: usize): void {
  apply2x2(buf, size, qubit, controlMask, m, true)
}

/** A real 2×2 (RY, H…) on `qubit`: `m` holds [m, m] for m00, m01, m10, m11; no shuffles needed. */
export function singleReal(buf: usize, size: i32, qubit: i32, m: usize): void {
  const m00 = v128.load(m, 0)
  const m01 = v128.load(m, 16)
  const m10 = v128.load(m, 32)
  const m11 = v128.load(m, 48)
  const half = 1 << qubit
  const low = half - 1
  const pairs = size >> 1
  const stride = (<usize>half) << 4
  for (let p = 0; p < pairs; p++) {
    const pa = buf + ((<usize>(((p & ~low) << 1) | (p & low))) << 4)
    const pb = pa + stride
    const a = v128.load(pa)
    const b = v128.load(pb)
    v128.store(pa, f64x2.add(f64x2.mul(m00, a), f64x2.mul(m01, b)))
    v128.store(pb, f64x2.add(f64x2.mul(m10, a), f64x2.mul(m11, b)))
  }
}

/** buf[i] *= phases[i] (plain complex pairs). */
export function phases(buf: usize, size: i32, table: usize): void {
  const sign = f64x2(-1, 1)
  for (let i = 0; i < size; i++) {
    const at = (<usize>i) << 4
    const x = v128.load(buf + at)
    const p = v128.load(table + at)
    const re = v128.shuffle<f64>(p, p, 0, 0)
    const im = f64x2.mul(v128.shuffle<f64>(p, p, 1, 1), sign)
    v128.store(buf + at, cmul(x, re, im))
  }
}

/** to[perm[i]] = phases[i] · from[i]; `table` 0 means every phase is 1. */
export function monomial(from: usize, to: usize, size: i32, perm: usize, table: usize): void {
  if (table == 0) {
    for (let i = 0; i < size; i++) {
      const target = (<usize>load<i32>(perm + ((<usize>i) << 2))) << 4
      v128.store(to + target, v128.load(from + ((<usize>i) << 4)))
    }
    return
  }
  const sign = f64x2(-1, 1)
  for (let i = 0; i < size; i++) {
    const at = (<usize>i) << 4
    const target = (<usize>load<i32>(perm + ((<usize>i) << 2))) << 4
    const x = v128.load(from + at)
    const p = v128.load(table + at)
    const re = v128.shuffle<f64>(p, p, 0, 0)
    const im = f64x2.mul(v128.shuffle<f64>(p, p, 1, 1), sign)
    v128.store(to + target, cmul(x, re, im))
  }
}

/**
 * Any matrix on `k` qubits: `offsets` holds the 2^k buffer offsets (in amplitudes) of a
 * group, `m` the expanded matrix, `scratch` room for 2^k amplitudes.
 */
export function dense(buf: usize, size: i32, mask: i32, k: i32, offsets: usize, m: usize, scratch: usize): void {
  const dim = 1 << k
  for (let base = 0; base < size; base++) {
    if ((base & mask) != 0) continue
    for (let j = 0; j < dim; j++) {
      const at = (<usize>(base + load<i32>(offsets + ((<usize>j) << 2)))) << 4
      v128.store(scratch + ((<usize>j) << 4), v128.load(buf + at))
    }
    for (let r = 0; r < dim; r++) {
      let acc = f64x2.splat(0)
      const row = m + ((<usize>(r * dim)) << 5)
      for (let c = 0; c < dim; c++) {
        const entry = row + ((<usize>c) << 5)
        acc = f64x2.add(acc, cmul(v128.load(scratch + ((<usize>c) << 4)), v128.load(entry), v128.load(entry, 16)))
      }
      v128.store(buf + ((<usize>(base + load<i32>(offsets + ((<usize>r) << 2)))) << 4), acc)
    }
  }
}

/** Copies the block at amplitude `base` of the state into `buf`: `runs` runs of `run` amplitudes. */
export function gather(state: usize, base: i32, buf: usize, offsets: usize, runs: i32, run: i32): void {
  const bytes = (<usize>run) << 4
  const from = state + ((<usize>base) << 4)
  for (let h = 0; h < runs; h++) {
    memory.copy(buf + (<usize>h) * bytes, from + ((<usize>load<i32>(offsets + ((<usize>h) << 2))) << 4), bytes)
  }
}

/** The inverse of gather. */
export function scatter(state: usize, base: i32, buf: usize, offsets: usize, runs: i32, run: i32): void {
  const bytes = (<usize>run) << 4
  const to = state + ((<usize>base) << 4)
  for (let h = 0; h < runs; h++) {
    memory.copy(to + ((<usize>load<i32>(offsets + ((<usize>h) << 2))) << 4), buf + (<usize>h) * bytes, bytes)
  }
}
