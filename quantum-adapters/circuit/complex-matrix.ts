// Dense complex matrices as Float64Arrays: row-major, real and imaginary parts interleaved
// (element (r, c) of a d×d matrix is at 2·(r·d + c)). A gate matrix on qubits [q0, q1, …]
// uses Qiskit's little-endian order: bit i of a row or column index is the state of qi.

export interface ComplexMatrix {
  readonly dim: number
  readonly data: Float64Array
}

export function matrix(
  rows: ReadonlyArray<ReadonlyArray<readonly [number, number] | number>>,
): ComplexMatrix {
  const dim = rows.length
  const data = new Float64Array(2 * dim * dim)
  rows.forEach((row, r) => {
    if (row.length !== dim) throw new Error(`matrix row ${r} has ${row.length} entries, expected ${dim}`)
    row.forEach((entry, c) => {
      const [re, im] = typeof entry === 'number' ? [entry, 0] : entry
      data[2 * (r * dim + c)] = re
      data[2 * (r * dim + c) + 1] = im
    })
  })
  return { dim, data }
}

export function identity(dim: number): ComplexMatrix {
  const data = new Float64Array(2 * dim * dim)
  for (let i = 0; i < dim; i++) data[2 * (i * dim + i)] = 1
  return { dim, data }
}

/** e^{iφ} as a [re, im] pair. */
export function phase(angle: number): [number, number] {
  return [Math.cos(angle), Math.sin(angle)]
}

export function get(m: ComplexMatrix, row: number, col: number): [number, number] {
  const at = 2 * (row * m.dim + col)
  return [m.data[at] as number, m.data[at + 1] as number]
}

/** a · b (apply b first, then a). */
export function multiply(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  const dim = a.dim
  if (b.dim !== dim) throw new Error(`cannot multiply ${dim}×${dim} by ${b.dim}×${b.dim}`)
  const out = new Float64Array(2 * dim * dim)
  const x = a.data
  const y = b.data
  for (let r = 0; r < dim; r++) {
    for (let k = 0; k < dim; k++) {
      const ar = x[2 * (r * dim + k)] as number
      const ai = x[2 * (r * dim + k) + 1] as number
      if (ar === 0 && ai === 0) continue
      for (let c = 0; c < dim; c++) {
        const br = y[2 * (k * dim + c)] as number
        const bi = y[2 * (k * dim + c) + 1] as number
        const at = 2 * (r * dim + c)
        out[at] = (out[at] as number) + ar * br - ai * bi
        out[at + 1] = (out[at + 1] as number) + ar * bi + ai * br
      }
    }
  }
  return { dim, data: out }
}

export function scale(m: ComplexMatrix, [re, im]: readonly [number, number]): ComplexMatrix {
  const data = new Float64Array(m.data.length)
  for (let i = 0; i < data.length; i += 2) {
    const xr = m.data[i] as number
    const xi = m.data[i + 1] as number
    data[i] = xr * re - xi * im
    data[i + 1] = xr * im + xi * re
  }
  return { dim: m.dim, data }
}

export function adjoint(m: ComplexMatrix): ComplexMatrix {
  const { dim } = m
  const data = new Float64Array(m.data.length)
  for (let r = 0; r < dim; r++) {
    for (let c = 0; c < dim; c++) {
      data[2 * (c * dim + r)] = m.data[2 * (r * dim + c)] as number
      data[2 * (c * dim + r) + 1] = -(m.data[2 * (r * dim + c) + 1] as number)
    }
  }
  return { dim, data }
}

/**
 * `target` with `controls` extra qubits in front: the gate's qubits become
 * [c0, …, c(k-1), t0, …], and `target` acts only where every control bit is 1.
 */
export function controlled(target: ComplexMatrix, controls = 1): ComplexMatrix {
  const mask = (1 << controls) - 1
  const dim = target.dim << controls
  const out = identity(dim)
  for (let r = 0; r < target.dim; r++) {
    for (let c = 0; c < target.dim; c++) {
      const row = (r << controls) | mask
      const col = (c << controls) | mask
      out.data[2 * (row * dim + col)] = target.data[2 * (r * target.dim + c)] as number
      out.data[2 * (row * dim + col) + 1] = target.data[2 * (r * target.dim + c) + 1] as number
    }
  }
  return out
}

/**
 * The `numQubits`-qubit matrix of `gate` acting on `qubits` (positions in the larger space,
 * in the gate's own order) and the identity elsewhere.
 */
export function embed(gate: ComplexMatrix, qubits: readonly number[], numQubits: number): ComplexMatrix {
  const dim = 1 << numQubits
  const data = new Float64Array(2 * dim * dim)
  const k = qubits.length
  let mask = 0
  for (const q of qubits) mask |= 1 << q
  const local = (index: number): number => {
    let l = 0
    for (let i = 0; i < k; i++) l |= ((index >> (qubits[i] as number)) & 1) << i
    return l
  }
  for (let row = 0; row < dim; row++) {
    for (let col = 0; col < dim; col++) {
      if ((row & ~mask) !== (col & ~mask)) continue
      const at = 2 * (local(row) * gate.dim + local(col))
      data[2 * (row * dim + col)] = gate.data[at] as number
      data[2 * (row * dim + col) + 1] = gate.data[at + 1] as number
    }
  }
  return { dim, data }
}

/** Equal up to a global phase, within `tolerance` per element. */
export function equalUpToPhase(a: ComplexMatrix, b: ComplexMatrix, tolerance = 1e-9): boolean {
  if (a.dim !== b.dim) return false
  // The phase is b/a at a's largest element.
  let best = 0
  let at = 0
  for (let i = 0; i < a.data.length; i += 2) {
    const size = Math.hypot(a.data[i] as number, a.data[i + 1] as number)
    if (size > best) {
      best = size
      at = i
    }
  }
  if (best === 0) return b.data.every((x) => Math.abs(x) <= tolerance)
  const ar = a.data[at] as number
  const ai = a.data[at + 1] as number
  const br = b.data[at] as number
  const bi = b.data[at + 1] as number
  const norm = ar * ar + ai * ai
  const pr = (br * ar + bi * ai) / norm
  const pi = (bi * ar - br * ai) / norm
  if (Math.abs(Math.hypot(pr, pi) - 1) > tolerance) return false
  return equal(scale(a, [pr, pi]), b, tolerance)
}

export function equal(a: ComplexMatrix, b: ComplexMatrix, tolerance = 1e-9): boolean {
  if (a.dim !== b.dim) return false
  for (let i = 0; i < a.data.length; i++) {
    if (Math.abs((a.data[i] as number) - (b.data[i] as number)) > tolerance) return false
  }
  return true
}
