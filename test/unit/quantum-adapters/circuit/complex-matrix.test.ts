// The dense matrix toolkit the gate library and the reference simulator are built on:
// embed() checked against Kronecker products written out here, and the controlled(),
// multiply() and equalUpToPhase() conventions the rest relies on.

import { describe, expect, it } from 'vitest'
import {
  adjoint,
  type ComplexMatrix,
  controlled,
  embed,
  equal,
  equalUpToPhase,
  get,
  identity,
  matrix,
  multiply,
  scale,
} from '../../../../quantum-adapters/circuit/complex-matrix.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

/** a ⊗ b: b acts on the low bits of the index. */
function kron(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  const dim = a.dim * b.dim
  const data = new Float64Array(2 * dim * dim)
  for (let ar = 0; ar < a.dim; ar++) {
    for (let ac = 0; ac < a.dim; ac++) {
      const [xr, xi] = get(a, ar, ac)
      for (let br = 0; br < b.dim; br++) {
        for (let bc = 0; bc < b.dim; bc++) {
          const [yr, yi] = get(b, br, bc)
          const at = 2 * ((ar * b.dim + br) * dim + (ac * b.dim + bc))
          data[at] = xr * yr - xi * yi
          data[at + 1] = xr * yi + xi * yr
        }
      }
    }
  }
  return { dim, data }
}

function randomMatrix(random: () => number, dim: number): ComplexMatrix {
  const data = new Float64Array(2 * dim * dim)
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1
  return { dim, data }
}

const SWAP = matrix([
  [1, 0, 0, 0],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 1],
])

describe('complex matrices', () => {
  it('embeds a one-qubit matrix as I ⊗ … ⊗ m ⊗ … ⊗ I with qubit 0 the lowest factor', () => {
    const random = seededRandom(1)
    const m = randomMatrix(random, 2)
    const i2 = identity(2)
    expect(equal(embed(m, [0], 3), kron(i2, kron(i2, m)), 0)).toBe(true)
    expect(equal(embed(m, [1], 3), kron(i2, kron(m, i2)), 0)).toBe(true)
    expect(equal(embed(m, [2], 3), kron(m, kron(i2, i2)), 0)).toBe(true)
  })

  it('embeds a two-qubit matrix on adjacent qubits in either order', () => {
    const random = seededRandom(2)
    const m = randomMatrix(random, 4)
    const i2 = identity(2)
    // Gate qubit 0 on circuit qubit 1, gate qubit 1 on circuit qubit 2.
    expect(equal(embed(m, [1, 2], 3), kron(m, i2), 0)).toBe(true)
    // Reversed: the same as swapping the qubits around the gate.
    const swapped = multiply(SWAP, multiply(m, SWAP))
    expect(equal(embed(m, [2, 1], 3), kron(swapped, i2), 1e-15)).toBe(true)
  })

  it('embeds a gate on non-adjacent qubits as swaps around the adjacent embedding', () => {
    const random = seededRandom(3)
    const m = randomMatrix(random, 4)
    // Qubits [0, 2] = swap(1, 2) · embed(m, [0, 1]) · swap(1, 2).
    const swap12 = embed(SWAP, [1, 2], 3)
    const expected = multiply(swap12, multiply(embed(m, [0, 1], 3), swap12))
    expect(equal(embed(m, [0, 2], 3), expected, 1e-15)).toBe(true)
  })

  it('puts the controls of controlled() on the low gate qubits', () => {
    const random = seededRandom(4)
    const t = randomMatrix(random, 2)
    const c = controlled(t, 2)
    expect(c.dim).toBe(8)
    // Where the controls (bits 0 and 1) are both 1, t acts on bit 2: indices 3 and 7.
    expect(get(c, 3, 3)).toEqual(get(t, 0, 0))
    expect(get(c, 3, 7)).toEqual(get(t, 0, 1))
    expect(get(c, 7, 3)).toEqual(get(t, 1, 0))
    expect(get(c, 7, 7)).toEqual(get(t, 1, 1))
    for (const i of [0, 1, 2, 4, 5, 6]) {
      for (let j = 0; j < 8; j++) expect(get(c, i, j)).toEqual(i === j ? [1, 0] : [0, 0])
    }
  })

  it('multiplies so that multiply(a, b) applies b first', () => {
    const x = matrix([
      [0, 1],
      [1, 0],
    ])
    const s = matrix([
      [1, 0],
      [0, [0, 1]],
    ])
    // S·X |0⟩ = S |1⟩ = i|1⟩; X·S |0⟩ = |1⟩.
    expect(get(multiply(s, x), 1, 0)).toEqual([0, 1])
    expect(get(multiply(x, s), 1, 0)).toEqual([1, 0])
    expect(equal(multiply(adjoint(s), s), identity(2), 0)).toBe(true)
  })

  it('tells matrices equal up to a global phase from ones that differ', () => {
    const random = seededRandom(5)
    const m = randomMatrix(random, 4)
    expect(equalUpToPhase(m, scale(m, [Math.cos(1.3), Math.sin(1.3)]))).toBe(true)
    expect(equal(m, scale(m, [Math.cos(1.3), Math.sin(1.3)]))).toBe(false)
    expect(equalUpToPhase(m, scale(m, [0.5, 0]))).toBe(false)
    const other = randomMatrix(random, 4)
    expect(equalUpToPhase(m, other)).toBe(false)
  })
})
