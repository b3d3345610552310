// Freivalds' kernels: dot products of float32 matrix rows with a float64 vector, exact for the
// integer values the check uses (see ../freivalds.ts). They read each row once, four floats
// at a time, widened to two f64x2 lanes; four accumulators hide the add latency.

/** out[i] = sum_j mat[i][j] * vec[j] for rows [rowStart, rowEnd). */
export function rowDots(mat: usize, cols: i32, vec: usize, out: usize, rowStart: i32, rowEnd: i32): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const row = mat + ((<usize>i * <usize>cols) << 2)
    store<f64>(out + (<usize>i << 3), dot(row, cols, vec))
  }
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
  const limit = f32x4.splat(bound)
  let bad = i32x4.splat(0)
  for (let i = rowStart; i < rowEnd; i++) {
    const row = mat + ((<usize>i * <usize>cols) << 2)
    let j = 0
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(row + (<usize>j << 2))
      bad = v128.or(bad, v128.or(f32x4.ne(v, f32x4.nearest(v)), f32x4.gt(f32x4.abs(v), limit)))
    }
    for (; j < cols; j++) {
      const x = load<f32>(row + (<usize>j << 2))
      if (x != nearest<f32>(x) || abs<f32>(x) > bound) bad = i32x4.splat(-1)
    }
    store<f64>(out + (<usize>i << 3), dot(row, cols, vec))
  }
  return v128.any_true(bad) ? 1 : 0
}

@inline
function dot(row: usize, cols: i32, vec: usize): f64 {
  let acc0 = f64x2.splat(0)
  let acc1 = f64x2.splat(0)
  let acc2 = f64x2.splat(0)
  let acc3 = f64x2.splat(0)
  let j = 0
  for (; j + 8 <= cols; j += 8) {
    const lo = v128.load(row + (<usize>j << 2))
    const hi = v128.load(row + (<usize>j << 2), 16)
    const v = vec + (<usize>j << 3)
    acc0 = f64x2.add(acc0, f64x2.mul(f64x2.promote_low_f32x4(lo), v128.load(v)))
    acc1 = f64x2.add(acc1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(lo, lo, 2, 3, 0, 1)), v128.load(v, 16)))
    acc2 = f64x2.add(acc2, f64x2.mul(f64x2.promote_low_f32x4(hi), v128.load(v, 32)))
    acc3 = f64x2.add(acc3, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(hi, hi, 2, 3, 0, 1)), v128.load(v, 48)))
  }
  const acc = f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3))
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)
  for (; j < cols; j++) sum += <f64>load<f32>(row + (<usize>j << 2)) * load<f64>(vec + (<usize>j << 3))
  return sum
}
