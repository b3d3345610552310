// Freivalds' kernels: dot products of float32 matrix rows with a float64 vector, exact for the
// integer values the check uses (see ../freivalds.ts). The check reads each matrix once and is
// bound by memory bandwidth, so the kernels do little per value: rows go in pairs, sharing each
// load of the vector, four floats at a time widened to two f64x2 lanes.

/** out[i] = sum_j mat[i][j] * vec[j] for rows [rowStart, rowEnd). */
export function rowDots(mat: usize, cols: i32, vec: usize, out: usize, rowStart: i32, rowEnd: i32): void {
  dots(mat, cols, vec, out, rowStart, rowEnd, false, 0)
}

/**
 * rowDots, and also returns 1 if any value read is not a whole number of magnitude at most
 * `bound` (NaN and infinities included): such a product cannot be correct, and the exactness
 * of the float64 sums relies on the bound.
 */
export function rowDotsChecked(
  mat: usize,
  cols: i32,
  vec: usize,
  out: usize,
  rowStart: i32,
  rowEnd: i32,
  bound: f32,
): i32 {
  return dots(mat, cols, vec, out, rowStart, rowEnd, true, bound)
}

// Two accumulators per lane pair and row hide the add latency; `check` is a constant after
// inlining, so rowDots carries none of the checking.
@inline
function dots(mat: usize, cols: i32, vec: usize, out: usize, rowStart: i32, rowEnd: i32, check: bool, bound: f32): i32 {
  // v - nearest(v) is +-0 exactly when v is whole, and NaN for NaN and infinities; OR-ing the
  // differences keeps any nonzero bit. So only finite values reach the largest magnitude, and
  // pmax (one instruction, unlike max's NaN handling) serves.
  let fraction = i32x4.splat(0)
  let largest = f32x4.splat(0)
  let i = rowStart
  for (; i + 2 <= rowEnd; i += 2) {
    const row0 = mat + ((<usize>i * <usize>cols) << 2)
    const row1 = row0 + (<usize>cols << 2)
    let a0 = f64x2.splat(0)
    let a1 = f64x2.splat(0)
    let b0 = f64x2.splat(0)
    let b1 = f64x2.splat(0)
    let j = 0
    for (; j + 4 <= cols; j += 4) {
      const offset = <usize>j << 2
      const v = vec + (<usize>j << 3)
      const low = v128.load(v)
      const high = v128.load(v, 16)
      const x = v128.load(row0 + offset)
      const y = v128.load(row1 + offset)
      if (check) {
        fraction = v128.or(fraction, v128.or(f32x4.sub(x, f32x4.nearest(x)), f32x4.sub(y, f32x4.nearest(y))))
        largest = f32x4.pmax(largest, f32x4.pmax(f32x4.abs(x), f32x4.abs(y)))
      }
      a0 = f64x2.add(a0, f64x2.mul(f64x2.promote_low_f32x4(x), low))
      a1 = f64x2.add(a1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)), high))
      b0 = f64x2.add(b0, f64x2.mul(f64x2.promote_low_f32x4(y), low))
      b1 = f64x2.add(b1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(y, y, 2, 3, 0, 1)), high))
    }
    const a = f64x2.add(a0, a1)
    const b = f64x2.add(b0, b1)
    let sum0 = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)
    let sum1 = f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1)
    for (; j < cols; j++) {
      const w = load<f64>(vec + (<usize>j << 3))
      const x = load<f32>(row0 + (<usize>j << 2))
      const y = load<f32>(row1 + (<usize>j << 2))
      if (check && !(whole(x, bound) && whole(y, bound))) largest = f32x4.splat(Infinity)
      sum0 += <f64>x * w
      sum1 += <f64>y * w
    }
    store<f64>(out + (<usize>i << 3), sum0)
    store<f64>(out + (<usize>(i + 1) << 3), sum1)
  }
  if (i < rowEnd) {
    const row = mat + ((<usize>i * <usize>cols) << 2)
    let sum: f64 = 0
    for (let j = 0; j < cols; j++) {
      const x = load<f32>(row + (<usize>j << 2))
      if (check && !whole(x, bound)) largest = f32x4.splat(Infinity)
      sum += <f64>x * load<f64>(vec + (<usize>j << 3))
    }
    store<f64>(out + (<usize>i << 3), sum)
  }
  if (!check) return 0
  const tooLarge = v128.any_true(v128.not(f32x4.le(largest, f32x4.splat(bound))))
  return tooLarge || v128.any_true(fraction) ? 1 : 0
}

@inline
function whole(x: f32, bound: f32): bool {
  return x == nearest<f32>(x) && abs<f32>(x) <= bound
}

/**
 * For real-valued products, checked within a rounding bound: out[i] = sum_j mat[i][j] * vec[j]
 * and outAbs[i] = sum_j |mat[i][j]| * vecAbs[j], from one read of each row.
 */
export function rowDotsWithAbs(
  mat: usize,
  cols: i32,
  vec: usize,
  vecAbs: usize,
  out: usize,
  outAbs: usize,
  rowStart: i32,
  rowEnd: i32,
): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const row = mat + ((<usize>i * <usize>cols) << 2)
    let s0 = f64x2.splat(0)
    let s1 = f64x2.splat(0)
    let t0 = f64x2.splat(0)
    let t1 = f64x2.splat(0)
    let j = 0
    for (; j + 4 <= cols; j += 4) {
      const x = v128.load(row + (<usize>j << 2))
      const ax = f32x4.abs(x)
      const v = vec + (<usize>j << 3)
      const w = vecAbs + (<usize>j << 3)
      s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(x), v128.load(v)))
      s1 = f64x2.add(s1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)), v128.load(v, 16)))
      t0 = f64x2.add(t0, f64x2.mul(f64x2.promote_low_f32x4(ax), v128.load(w)))
      t1 = f64x2.add(t1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(ax, ax, 2, 3, 0, 1)), v128.load(w, 16)))
    }
    const s = f64x2.add(s0, s1)
    const t = f64x2.add(t0, t1)
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)
    let sumAbs = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1)
    for (; j < cols; j++) {
      const x = <f64>load<f32>(row + (<usize>j << 2))
      sum += x * load<f64>(vec + (<usize>j << 3))
      sumAbs += abs<f64>(x) * load<f64>(vecAbs + (<usize>j << 3))
    }
    store<f64>(out + (<usize>i << 3), sum)
    store<f64>(outAbs + (<usize>i << 3), sumAbs)
  }
}
