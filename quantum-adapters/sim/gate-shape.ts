// What kind of matrix a gate has decides which kernel applies it. A monomial matrix (one
// non-zero per row: X, CX, SWAP, Toffoli, and every diagonal gate such as RZ, CZ, CP, RZZ)
// only moves and rephases amplitudes, so any run of them folds into one permutation-with-
// phases pass. A controlled 2×2 only touches the half, quarter… where its controls are 1.

import type { ComplexMatrix } from '../circuit/complex-matrix.ts'

export type GateShape =
  | { kind: 'single'; matrix: Float64Array }
  /** `matrix` acts on gate qubit `target` where every gate qubit in `controls` is 1. */
  | { kind: 'controlled'; target: number; controls: readonly number[]; matrix: Float64Array }
  /** Column c goes to row `rows[c]`, multiplied by `phases[c]` (re, im interleaved). */
  | { kind: 'monomial'; rows: Int32Array; phases: Float64Array }
  | { kind: 'dense' }

export function gateShape(m: ComplexMatrix): GateShape {
  const monomial = monomialOf(m)
  if (monomial !== undefined) return monomial
  if (m.dim === 2) return { kind: 'single', matrix: m.data }
  const k = Math.log2(m.dim)
  for (let target = 0; target < k; target++) {
    const shape = controlledOn(m, target, k)
    if (shape !== undefined) return shape
  }
  return { kind: 'dense' }
}

function isZero(m: ComplexMatrix, row: number, col: number): boolean {
  const at = 2 * (row * m.dim + col)
  return m.data[at] === 0 && m.data[at + 1] === 0
}

function monomialOf(m: ComplexMatrix): GateShape | undefined {
  const rows = new Int32Array(m.dim).fill(-1)
  const phases = new Float64Array(2 * m.dim)
  for (let col = 0; col < m.dim; col++) {
    for (let row = 0; row < m.dim; row++) {
      if (isZero(m, row, col)) continue
      if (rows[col] !== -1) return undefined
      rows[col] = row
      phases[2 * col] = m.data[2 * (row * m.dim + col)] as number
      phases[2 * col + 1] = m.data[2 * (row * m.dim + col) + 1] as number
    }
    if (rows[col] === -1) return undefined
  }
  return { kind: 'monomial', rows, phases }
}

/** The gate as a 2×2 on `target` controlled by every other qubit that must be 1, if it is one. */
function controlledOn(m: ComplexMatrix, target: number, k: number): GateShape | undefined {
  const tbit = 1 << target
  const others = (m.dim - 1) & ~tbit
  // The controls are the qubits whose 0 value leaves the gate acting as the identity.
  const controls: number[] = []
  for (let q = 0; q < k; q++) if (q !== target) controls.push(q)
  const inner = new Float64Array(8)
  for (let row = 0; row < m.dim; row++) {
    for (let col = 0; col < m.dim; col++) {
      const at = 2 * (row * m.dim + col)
      const re = m.data[at] as number
      const im = m.data[at + 1] as number
      if ((row & others) !== (col & others)) {
        if (re !== 0 || im !== 0) return undefined
      } else if ((row & others) !== others) {
        if (im !== 0 || re !== (row === col ? 1 : 0)) return undefined
      } else {
        const r = (row & tbit) === 0 ? 0 : 1
        const c = (col & tbit) === 0 ? 0 : 1
        inner[2 * (2 * r + c)] = re
        inner[2 * (2 * r + c) + 1] = im
      }
    }
  }
  return { kind: 'controlled', target, controls, matrix: inner }
}
