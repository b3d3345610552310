// The fused block simulator against the dense reference (every gate as its full 2^n×2^n
// embedding): each library gate on every kind of qubit placement, random circuits under
// block plans small enough to split them into many passes, and the threaded run against
// the single-threaded one.

import { afterAll, describe, expect, it } from 'vitest'
import type { GateOp } from '../../../../quantum-adapters/circuit/circuit.ts'
import type { GateDefinition } from '../../../../quantum-adapters/circuit/gates.ts'
import { DEFAULT_PLAN_OPTIONS, type PlanOptions } from '../../../../quantum-adapters/sim/plan.ts'
import { statevector } from '../../../../quantum-adapters/sim/statevector.ts'
import { ThreadPool } from '../../../../quantum-adapters/sim/thread-pool.ts'
import {
  ALL_GATES,
  applyGate,
  circuitOf,
  denseState,
  gateDefinition,
  gateOp,
  maxDifference,
  norm,
  randomAngle,
  randomGates,
  randomQubits,
  registers,
} from '../../../helpers/circuits.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

const N = 5

/** U gates that prepare a random product state, and that state computed directly. */
function productState(random: () => number, n: number): { prep: GateOp[]; state: Float64Array } {
  const prep: GateOp[] = []
  const factors: Array<readonly [number, number, number, number]> = []
  for (let q = 0; q < n; q++) {
    const theta = randomAngle(random)
    const phi = randomAngle(random)
    prep.push(gateOp('U', [q], [theta, phi, randomAngle(random)]))
    // U|0⟩ = cos(θ/2)|0⟩ + e^{iφ} sin(θ/2)|1⟩.
    const s = Math.sin(theta / 2)
    factors.push([Math.cos(theta / 2), 0, Math.cos(phi) * s, Math.sin(phi) * s])
  }
  const state = new Float64Array(2 << n)
  for (let i = 0; i < 1 << n; i++) {
    let re = 1
    let im = 0
    for (let q = 0; q < n; q++) {
      const [zr, zi, or, oi] = factors[q] as readonly [number, number, number, number]
      const [fr, fi] = ((i >> q) & 1) === 1 ? [or, oi] : [zr, zi]
      const next = re * fr - im * fi
      im = re * fi + im * fr
      re = next
    }
    state[2 * i] = re
    state[2 * i + 1] = im
  }
  return { prep, state }
}

/** Ascending, reversed, at the top, spread out, and two random orders of k of the N qubits. */
function placements(k: number, random: () => number): number[][] {
  const all = [
    Array.from({ length: k }, (_, i) => i),
    Array.from({ length: k }, (_, i) => k - 1 - i),
    Array.from({ length: k }, (_, i) => N - 1 - i),
    [4, 2, 0, 3, 1].slice(0, k),
    [1, 3, 0, 4, 2].slice(0, k),
    randomQubits(random, k, N),
    randomQubits(random, k, N),
  ]
  return [...new Map(all.map((p) => [p.join(','), p])).values()]
}

function planOptionsFor(k: number): PlanOptions[] {
  return [
    DEFAULT_PLAN_OPTIONS,
    { blockQubits: k, lowQubits: 0 },
    { blockQubits: Math.max(k, 3), lowQubits: 2 },
  ]
}

const GATES = ALL_GATES.map((gate) => [gate.name, gate] as const)

describe('statevector against the dense reference', () => {
  it.each(GATES)('applies %s on 5 qubits as embed(matrix)·state on every placement', async (name, gate) => {
    const random = seededRandom(1000 + name.length * 31 + (name.codePointAt(0) ?? 0))
    for (let trial = 0; trial < 2; trial++) {
      const params = Array.from({ length: gate.numParams }, () => randomAngle(random))
      for (const qubits of placements(gate.numQubits, random)) {
        const { prep, state } = productState(random, N)
        const op = gateOp(name, qubits, params)
        const expected = applyGate(op, state, N)
        for (const plan of planOptionsFor(gate.numQubits)) {
          const { amplitudes } = await statevector(circuitOf(N, [...prep, op]), { plan })
          const where = `${name}(${params.join(',')}) on ${qubits.join(',')}, blocks of ${plan.blockQubits}`
          expect(maxDifference(amplitudes, expected), where).toBeLessThan(1e-12)
        }
      }
    }
  })

  it('matches random circuits of 1–8 qubits split into many small blocks', async () => {
    const random = seededRandom(7)
    for (let n = 1; n <= 8; n++) {
      for (let blockQubits = 3; blockQubits <= 6; blockQubits++) {
        for (let lowQubits = 0; lowQubits <= 2; lowQubits++) {
          const width = Math.min(n, blockQubits)
          const fitting = ALL_GATES.filter((g) => g.numQubits <= width)
          const circuit = circuitOf(n, randomGates(random, n, 30, fitting))
          const plan = { blockQubits, lowQubits }
          const { amplitudes, passes } = await statevector(circuit, { plan })
          const where = `${n} qubits, blocks of ${blockQubits}, ${lowQubits} low`
          expect(maxDifference(amplitudes, denseState(circuit)), where).toBeLessThan(1e-12)
          if (n > blockQubits) expect(passes, where).toBeGreaterThan(1)
        }
      }
    }
  })

  it.each([
    [
      'monomial gates only',
      ['x', 'cx', 'ccx', 'swap', 'cswap', 'c3x', 'rz', 'cz', 'cp', 'rzz', 't', 's', 'sdg', 'y'],
    ],
    ['one-qubit gates only', ['h', 'rx', 'ry', 'U', 'u2', 'sx', 'sxdg', 'rz', 'x']],
    ['controlled 2×2 gates only', ['cx', 'ch', 'crx', 'cry', 'cu', 'cu3', 'csx', 'c3sqrtx', 'cy']],
    ['dense gates only', ['rxx', 'rccx', 'rc3x', 'h']],
  ] as const)('fuses runs of %s without changing the state', async (_kind, names) => {
    const random = seededRandom(names.length)
    const gates: GateDefinition[] = names.map(gateDefinition)
    for (let n = 4; n <= 6; n++) {
      for (const plan of [DEFAULT_PLAN_OPTIONS, { blockQubits: 4, lowQubits: 1 }]) {
        const { prep } = productState(random, n)
        const circuit = circuitOf(n, [...prep, ...randomGates(random, n, 40, gates)])
        const { amplitudes } = await statevector(circuit, { plan })
        expect(maxDifference(amplitudes, denseState(circuit))).toBeLessThan(1e-12)
      }
    }
  })

  it('cancels gates that undo each other and keeps phases of those that do not', async () => {
    const cancelling = circuitOf(3, [
      gateOp('x', [0]),
      gateOp('x', [0]),
      gateOp('s', [1]),
      gateOp('sdg', [1]),
      gateOp('cx', [0, 2]),
      gateOp('cx', [0, 2]),
    ])
    const { amplitudes } = await statevector(cancelling)
    expect(Array.from(amplitudes)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    // S·S on |1⟩ is Z: the amplitude of |001⟩ becomes -1.
    const phased = circuitOf(3, [gateOp('x', [0]), gateOp('s', [0]), gateOp('s', [0])])
    const after = await statevector(phased)
    expect(after.amplitudes[2]).toBeCloseTo(-1, 15)
    expect(maxDifference(after.amplitudes, denseState(phased))).toBeLessThan(1e-15)
  })

  it('starts in |0…0⟩ with no passes for a circuit of barriers only', async () => {
    const circuit = circuitOf(2, [{ kind: 'barrier', qubits: [0, 1] }])
    const { amplitudes, passes } = await statevector(circuit)
    expect(Array.from(amplitudes)).toEqual([1, 0, 0, 0, 0, 0, 0, 0])
    expect(passes).toBe(0)
  })

  it('refuses measurements, resets and conditioned gates', async () => {
    const [c] = registers([['c', 1]])
    if (c === undefined) throw new Error('no register')
    await expect(statevector(circuitOf(1, [{ kind: 'measure', qubit: 0, clbit: 0 }], [c]))).rejects.toThrow(
      /measure/,
    )
    await expect(statevector(circuitOf(1, [{ kind: 'reset', qubit: 0 }]))).rejects.toThrow(/reset/)
    const conditioned = gateOp('x', [0], [], { register: c, value: 1n })
    await expect(statevector(circuitOf(1, [conditioned], [c]))).rejects.toThrow(/if/)
  })
})

describe('statevector at scale', () => {
  const pool = new ThreadPool(2)
  afterAll(() => pool.close())

  it('gives exactly the single-thread amplitudes on a thread pool of 2 at 18 qubits', async () => {
    const random = seededRandom(18)
    const n = 18
    const { prep } = productState(random, n)
    const circuit = circuitOf(n, [...prep, ...randomGates(random, n, 120)])
    for (const plan of [DEFAULT_PLAN_OPTIONS, { blockQubits: 8, lowQubits: 3 }]) {
      const single = await statevector(circuit, { plan })
      const threaded = await statevector(circuit, { plan, pool })
      expect(threaded.passes).toBe(single.passes)
      let firstDifference = -1
      for (let i = 0; i < single.amplitudes.length && firstDifference < 0; i++) {
        if (!Object.is(single.amplitudes[i], threaded.amplitudes[i])) firstDifference = i
      }
      expect(firstDifference, `blocks of ${plan.blockQubits}`).toBe(-1)
      expect(Math.abs(norm(single.amplitudes) - 1)).toBeLessThan(1e-12)
    }
  })

  it('matches the dense reference on a thread pool when a block has fewer settings than threads', async () => {
    const random = seededRandom(19)
    for (const [n, plan] of [
      [3, DEFAULT_PLAN_OPTIONS],
      [5, { blockQubits: 4, lowQubits: 1 }],
      [6, { blockQubits: 5, lowQubits: 0 }],
    ] as const) {
      const circuit = circuitOf(
        n,
        randomGates(
          random,
          n,
          25,
          ALL_GATES.filter((g) => g.numQubits <= 4),
        ),
      )
      const { amplitudes } = await statevector(circuit, { plan, pool })
      expect(maxDifference(amplitudes, denseState(circuit)), `${n} qubits`).toBeLessThan(1e-12)
    }
  })

  it('fuses 20 layers of rotations and CNOT ladders on 16 qubits into under gates/10 passes', async () => {
    const n = 16
    const ops: GateOp[] = []
    for (let layer = 0; layer < 20; layer++) {
      for (let q = 0; q < n; q++)
        ops.push(gateOp(layer % 2 === 0 ? 'ry' : 'rz', [q], [0.1 * q + 0.3 * layer]))
      for (let q = 0; q + 1 < n; q++) ops.push(gateOp('cx', [q, q + 1]))
    }
    const circuit = circuitOf(n, ops)
    const fused = await statevector(circuit)
    expect(fused.passes).toBeLessThan(ops.length / 10)
    // A plan of tiny blocks takes many more passes and must reach the same state.
    const unfused = await statevector(circuit, { plan: { blockQubits: 2, lowQubits: 0 } })
    expect(unfused.passes).toBeGreaterThan(fused.passes * 10)
    expect(maxDifference(fused.amplitudes, unfused.amplitudes)).toBeLessThan(1e-12)
  })
})
