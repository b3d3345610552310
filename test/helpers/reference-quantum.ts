// Quantum arithmetic for the fake providers and the checks that need a reference, kept apart from
// hcx's simulator so that one can check the other: the standard gate matrices Braket's and IonQ's
// gate tables both define, one gate applied to a state vector, and one shot drawn from a
// distribution. Matrices use hcx's little-endian convention (bit i of an index is qubit i).

import {
  type ComplexMatrix,
  embed,
  get,
  identity,
  matrix,
  multiply,
  phase,
} from '../../quantum-adapters/circuit/complex-matrix.ts'

const SQRT1_2 = Math.SQRT1_2

export const PAULI_X = matrix([
  [0, 1],
  [1, 0],
])

export const PAULI_Y = matrix([
  [0, [0, -1]],
  [[0, 1], 0],
])

export const HADAMARD = matrix([
  [SQRT1_2, SQRT1_2],
  [SQRT1_2, -SQRT1_2],
])

/** √X, Braket's and IonQ's `v`. */
export const SQRT_X = matrix([
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
])

/** √X†, Braket's and IonQ's `vi`. */
export const SQRT_X_DAGGER = matrix([
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
])

export const SWAP = matrix([
  [1, 0, 0, 0],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 1],
])

/** exp(−iθσ/2) about the x, y or z axis: `rx`, `ry`, `rz`. */
export function rotation(axis: 'x' | 'y' | 'z', theta: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  if (axis === 'x') {
    return matrix([
      [c, [0, -s]],
      [[0, -s], c],
    ])
  }
  if (axis === 'y') {
    return matrix([
      [c, -s],
      [s, c],
    ])
  }
  return matrix([
    [phase(-theta / 2), 0],
    [0, phase(theta / 2)],
  ])
}

/** One gate placed on the qubits it acts on, its qubit 0 first. */
export interface PlacedGate {
  readonly matrix: ComplexMatrix
  readonly qubits: readonly number[]
}

/** The unitary of `gates` run in order on `numQubits` qubits: the first gate is the rightmost factor. */
export function unitaryOf(gates: Iterable<PlacedGate>, numQubits: number): ComplexMatrix {
  let u = identity(1 << numQubits)
  for (const gate of gates) u = multiply(embed(gate.matrix, gate.qubits, numQubits), u)
  return u
}

/** The probability of each basis state, by its index, after `u` acts on |0…0⟩. */
export function probabilitiesFromZero(u: ComplexMatrix): number[] {
  return Array.from({ length: u.dim }, (_, state) => {
    const [re, im] = get(u, state, 0)
    return re * re + im * im
  })
}

/** `state` (re, im interleaved) after `m` acts on `qubits`, the gate's qubit 0 first. */
export function applyOnQubits(
  state: Float64Array,
  m: ComplexMatrix,
  qubits: readonly number[],
): Float64Array {
  const out = new Float64Array(state.length)
  let mask = 0
  for (const q of qubits) mask |= 1 << q
  // Where each of the gate's local basis states sits, relative to a base index with those bits clear.
  const offsets = Array.from({ length: m.dim }, (_, local) =>
    qubits.reduce((at, q, b) => at | (((local >> b) & 1) << q), 0),
  )
  const index = (base: number, local: number): number => base | (offsets[local] as number)
  for (let base = 0; base < state.length / 2; base++) {
    if (base & mask) continue
    for (let r = 0; r < m.dim; r++) {
      let re = 0
      let im = 0
      for (let c = 0; c < m.dim; c++) {
        const at = index(base, c)
        const mr = m.data[2 * (r * m.dim + c)] as number
        const mi = m.data[2 * (r * m.dim + c) + 1] as number
        const sr = state[2 * at] as number
        const si = state[2 * at + 1] as number
        re += mr * sr - mi * si
        im += mr * si + mi * sr
      }
      const to = index(base, r)
      out[2 * to] = re
      out[2 * to + 1] = im
    }
  }
  return out
}

/** The index one shot lands on, drawn from `probabilities` (the last one if rounding leaves a gap). */
export function sampleIndex(probabilities: readonly number[], random: () => number): number {
  let r = random()
  for (const [i, p] of probabilities.entries()) {
    if (r < p) return i
    r -= p
  }
  return probabilities.length - 1
}
