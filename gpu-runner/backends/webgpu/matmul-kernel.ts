// The WGSL kernel for C = A x B over row-major float32 arrays of any shape.
//
// Each workgroup computes a tileRows x tileCols block of C. It walks k in steps of tileDepth:
// the workgroup copies a tileRows x tileDepth slice of A and a tileDepth x tileCols slice of B
// into workgroup memory (zeros where the slice runs past the matrix), then every invocation
// adds that step's terms into its own blockRows x blockCols register block. Each output is
// a single f32 sum taken in ascending k, so integer-valued inputs whose partial sums stay
// below 2^24 give exactly the integer product, the same bytes as any other backend. The zero
// padding only ever adds +0 to a sum that starts at +0, which changes no value.
//
// The source is generated with its register block unrolled into named vec4 variables: WGSL
// has no unroll hint, and compilers that cannot prove an array index constant (lavapipe's
// among them) would otherwise keep the block in memory instead of registers.

export interface KernelVariant {
  /** Rows of C per workgroup. */
  readonly tileRows: number
  /** Columns of C per workgroup. */
  readonly tileCols: number
  /** Terms of k per step through workgroup memory. */
  readonly tileDepth: number
  /** Rows of C per invocation; a multiple of 4. */
  readonly blockRows: number
  /** Columns of C per invocation; a multiple of 4. */
  readonly blockCols: number
}

/**
 * For GPUs: 256 invocations with 8x8 outputs each, the usual shape of a register-blocked SGEMM.
 * Its 64 accumulators leave room in every GPU's register file; larger blocks spill there.
 */
export const GPU_KERNEL: KernelVariant = {
  tileRows: 128,
  tileCols: 128,
  tileDepth: 8,
  blockRows: 8,
  blockCols: 8,
}

/**
 * For adapters that run on the CPU (lavapipe): 64 invocations with 16x16 outputs each. There an
 * invocation is a SIMD lane and every read of workgroup memory a gather, so the larger block,
 * fewer gathers per multiply-add, measured fastest: about 11.5 GFLOP/s at n = 1024 on two
 * cores, against 7.5 for the GPU variant and 3.6 for 4x4 blocks.
 */
export const CPU_ADAPTER_KERNEL: KernelVariant = {
  tileRows: 128,
  tileCols: 128,
  tileDepth: 8,
  blockRows: 16,
  blockCols: 16,
}

export function defaultKernel(software: boolean): KernelVariant {
  return software ? CPU_ADAPTER_KERNEL : GPU_KERNEL
}

/** Spec minimums of maxComputeInvocationsPerWorkgroup and maxComputeWorkgroupStorageSize. */
const MIN_INVOCATIONS = 256
const MIN_WORKGROUP_STORAGE = 16_384

export function kernelKey(v: KernelVariant): string {
  return `${v.tileRows}x${v.tileCols}x${v.tileDepth}/${v.blockRows}x${v.blockCols}`
}

export function workgroupSize(v: KernelVariant): { x: number; y: number } {
  return { x: v.tileCols / v.blockCols, y: v.tileRows / v.blockRows }
}

/**
 * Workgroups along x (columns of C) and y (rows of C) for an n x m product. With sides of at
 * most MAX_MATRIX_SIDE (32768) this stays under the 65535 per dimension every device allows.
 */
export function dispatchSize(v: KernelVariant, n: number, m: number): { x: number; y: number } {
  return { x: Math.ceil(m / v.tileCols), y: Math.ceil(n / v.tileRows) }
}

/** Throws unless the variant's tiles divide evenly among its invocations and fit every device. */
export function checkKernelVariant(v: KernelVariant): void {
  const { x, y } = workgroupSize(v)
  const invocations = x * y
  const problems: string[] = []
  for (const [name, value] of Object.entries(v)) {
    if (!Number.isSafeInteger(value) || value < 1) problems.push(`${name} must be a positive whole number`)
  }
  if (v.blockRows % 4 !== 0 || v.blockCols % 4 !== 0) problems.push('the register block must be whole vec4s')
  if (!Number.isInteger(x) || !Number.isInteger(y)) problems.push('the tile must be whole register blocks')
  if (((v.tileRows / 4) * v.tileDepth) % invocations !== 0) problems.push('the A slice must split evenly')
  if (((v.tileCols / 4) * v.tileDepth) % invocations !== 0) problems.push('the B slice must split evenly')
  if (invocations > MIN_INVOCATIONS) problems.push(`${invocations} invocations exceed ${MIN_INVOCATIONS}`)
  const storage = (v.tileRows + v.tileCols) * v.tileDepth * 4
  if (storage > MIN_WORKGROUP_STORAGE)
    problems.push(`${storage} bytes of workgroup memory exceed ${MIN_WORKGROUP_STORAGE}`)
  if (problems.length > 0) throw new RangeError(`kernel ${kernelKey(v)}: ${problems.join('; ')}`)
}

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i)

/**
 * Bindings: 0 the shape (n, k, m) as a uniform, 1 A and 2 B read-only, 3 C written. Dispatch
 * `dispatchSize(v, n, m)` workgroups.
 */
export function matmulKernel(v: KernelVariant): string {
  checkKernelVariant(v)
  const { x: threadsX, y: threadsY } = workgroupSize(v)
  const invocations = threadsX * threadsY
  const rowQuads = v.tileRows / 4
  const colQuads = v.tileCols / 4
  const blockRowQuads = v.blockRows / 4
  const blockColQuads = v.blockCols / 4
  const aLoads = (rowQuads * v.tileDepth) / invocations
  const bLoads = (colQuads * v.tileDepth) / invocations
  const rows = range(v.blockRows)
  const colGroups = range(blockColQuads)

  // Invocation (tx, ty) owns rows ty*blockRows .. +blockRows of the tile, and the column
  // quads tx, tx + threadsX, ...: neighbouring invocations read neighbouring vec4s of B.
  const declare = rows.flatMap((r) => colGroups.map((g) => `  var acc_${r}_${g} = vec4<f32>(0.0);`))
  const readA = range(blockRowQuads).map(
    (q) => `      let a${q} = tileA[t * ${rowQuads}u + ty * ${blockRowQuads}u + ${q}u];`,
  )
  const readB = colGroups.map((g) => `      let b${g} = tileB[t * ${colQuads}u + tx + ${g * threadsX}u];`)
  const fmas = rows.flatMap((r) =>
    colGroups.map((g) => `      acc_${r}_${g} = acc_${r}_${g} + a${Math.floor(r / 4)}[${r % 4}] * b${g};`),
  )
  const stores = rows.flatMap((r) =>
    colGroups.map(
      (g) =>
        `  store(row0 + ty * ${v.blockRows}u + ${r}u, col0 + (tx + ${g * threadsX}u) * 4u, acc_${r}_${g});`,
    ),
  )

  return `
struct Shape { n: u32, k: u32, m: u32, pad: u32 }

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// A's slice is kept transposed, [t][row quad], so an invocation reads its rows as vec4s.
var<workgroup> tileA: array<vec4<f32>, ${rowQuads * v.tileDepth}>;
// B's slice as [t][column quad].
var<workgroup> tileB: array<vec4<f32>, ${colQuads * v.tileDepth}>;

fn loadA(row: u32, col: u32) -> f32 {
  if (row < shape.n && col < shape.k) { return a[row * shape.k + col]; }
  return 0.0;
}

fn loadB(row: u32, col: u32) -> f32 {
  if (row < shape.k && col < shape.m) { return b[row * shape.m + col]; }
  return 0.0;
}

fn store(row: u32, col: u32, value: vec4<f32>) {
  if (row >= shape.n) { return; }
  let base = row * shape.m;
  for (var i = 0u; i < 4u; i++) {
    if (col + i < shape.m) { c[base + col + i] = value[i]; }
  }
}

@compute @workgroup_size(${threadsX}, ${threadsY})
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let tx = local.x;
  let ty = local.y;
  let row0 = group.y * ${v.tileRows}u;
  let col0 = group.x * ${v.tileCols}u;
${declare.join('\n')}

  for (var t0 = 0u; t0 < shape.k; t0 += ${v.tileDepth}u) {
    // Consecutive lanes take consecutive t (A) or column quads (B): contiguous reads of a row.
    // Slices wholly inside the matrices, all but the edges, skip the per-element checks.
    let insideK = t0 + ${v.tileDepth}u <= shape.k;
    if (insideK && row0 + ${v.tileRows}u <= shape.n) {
      for (var i = 0u; i < ${aLoads}u; i++) {
        let e = lane + i * ${invocations}u;
        let t = e % ${v.tileDepth}u;
        let at = (row0 + (e / ${v.tileDepth}u) * 4u) * shape.k + t0 + t;
        tileA[t * ${rowQuads}u + e / ${v.tileDepth}u] =
          vec4<f32>(a[at], a[at + shape.k], a[at + 2u * shape.k], a[at + 3u * shape.k]);
      }
    } else {
      for (var i = 0u; i < ${aLoads}u; i++) {
        let e = lane + i * ${invocations}u;
        let t = e % ${v.tileDepth}u;
        let r = row0 + (e / ${v.tileDepth}u) * 4u;
        tileA[t * ${rowQuads}u + e / ${v.tileDepth}u] =
          vec4<f32>(loadA(r, t0 + t), loadA(r + 1u, t0 + t), loadA(r + 2u, t0 + t), loadA(r + 3u, t0 + t));
      }
    }
    if (insideK && col0 + ${v.tileCols}u <= shape.m) {
      for (var i = 0u; i < ${bLoads}u; i++) {
        let e = lane + i * ${invocations}u;
        let q = e % ${colQuads}u;
        let t = e / ${colQuads}u;
        let at = (t0 + t) * shape.m + col0 + q * 4u;
        tileB[t * ${colQuads}u + q] = vec4<f32>(b[at], b[at + 1u], b[at + 2u], b[at + 3u]);
      }
    } else {
      for (var i = 0u; i < ${bLoads}u; i++) {
        let e = lane + i * ${invocations}u;
        let q = e % ${colQuads}u;
        let t = e / ${colQuads}u;
        let col = col0 + q * 4u;
        tileB[t * ${colQuads}u + q] =
          vec4<f32>(loadB(t0 + t, col), loadB(t0 + t, col + 1u), loadB(t0 + t, col + 2u), loadB(t0 + t, col + 3u));
      }
    }
    workgroupBarrier();

    for (var t = 0u; t < ${v.tileDepth}u; t++) {
${readA.join('\n')}
${readB.join('\n')}
${fmas.join('\n')}
    }
    workgroupBarrier();
  }

${stores.join('\n')}
}
`
}
