// Sampled counts against the exact outcome probabilities, by a chi-square goodness-of-fit
// test: final measurements against |amplitude|² of the statevector, and circuits with
// mid-circuit measurement, reset and `if` against the probabilities of every branch.
// The simulator's seeds are fixed, so each test sees the same counts on every run.

import { describe, expect, it } from 'vitest'
import type { Circuit, CircuitOp, GateOp } from '../../../../quantum-adapters/circuit/circuit.ts'
import type { Counts } from '../../../../quantum-adapters/circuit/counts.ts'
import { simulate } from '../../../../quantum-adapters/sim/simulate.ts'
import { statevector } from '../../../../quantum-adapters/sim/statevector.ts'
import {
  circuitOf,
  exactDistribution,
  gateOp,
  measuredCircuit,
  probabilities,
  randomAngle,
  randomGates,
  randomQubits,
  registers,
} from '../../../helpers/circuits.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

const SHOTS = 20_000
const SIGNIFICANCE = 0.001

/** Φ(z), through erfc (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
  const erfc = poly * Math.exp(-x * x)
  return z >= 0 ? 1 - erfc / 2 : erfc / 2
}

/** P(χ²_k ≥ x) by the Wilson–Hilferty cube-root normal approximation. */
function chiSquareSurvival(x: number, k: number): number {
  const v = 2 / (9 * k)
  const z = ((x / k) ** (1 / 3) - (1 - v)) / Math.sqrt(v)
  return 1 - normalCdf(z)
}

interface Fit {
  readonly statistic: number
  readonly degrees: number
  readonly pValue: number
}

/** Pearson's χ² of `counts` against `expected` probabilities, cells expecting < 5 pooled into one. */
function goodnessOfFit(counts: Counts, expected: ReadonlyMap<string, number>, shots: number): Fit {
  for (const key of Object.keys(counts))
    expect(expected.has(key), `outcome ${key} has probability 0`).toBe(true)
  const cells: Array<readonly [observed: number, expected: number]> = []
  let pooledObserved = 0
  let pooledExpected = 0
  for (const [key, p] of expected) {
    const e = p * shots
    const o = counts[key] ?? 0
    if (e < 5) {
      pooledObserved += o
      pooledExpected += e
    } else cells.push([o, e])
  }
  if (pooledExpected > 0) cells.push([pooledObserved, pooledExpected])
  const statistic = cells.reduce((sum, [o, e]) => sum + (o - e) ** 2 / e, 0)
  const degrees = Math.max(1, cells.length - 1)
  return { statistic, degrees, pValue: chiSquareSurvival(statistic, degrees) }
}

function keyedProbabilities(amplitudes: Float64Array, numQubits: number): Map<string, number> {
  const out = new Map<string, number>()
  probabilities(amplitudes).forEach((p, i) => {
    if (p > 1e-15) out.set(i.toString(2).padStart(numQubits, '0'), p)
  })
  return out
}

/** Random gates with measurements, resets and conditioned gates in the middle, then everything measured. */
function dynamicCircuit(random: () => number, n: number): Circuit {
  const [m, c] = registers([
    ['m', 2],
    ['c', n],
  ])
  if (m === undefined || c === undefined) throw new Error('no registers')
  const pick = () => randomQubits(random, 1, n)[0] as number
  const conditioned = (value: bigint): GateOp => {
    const [op] = randomGates(random, n, 1)
    if (op === undefined) throw new Error('no gate')
    return { ...op, condition: { register: m, value } }
  }
  const ops: CircuitOp[] = [
    ...randomGates(random, n, 6),
    { kind: 'measure', qubit: pick(), clbit: 0 },
    ...randomGates(random, n, 3),
    conditioned(1n),
    { kind: 'reset', qubit: pick() },
    ...randomGates(random, n, 4),
    { kind: 'measure', qubit: pick(), clbit: 1 },
    conditioned(2n),
    { kind: 'reset', qubit: pick(), condition: { register: m, value: 3n } },
    ...randomGates(random, n, 3),
    ...Array.from({ length: n }, (_, q) => ({ kind: 'measure' as const, qubit: q, clbit: 2 + q })),
  ]
  return circuitOf(n, ops, [m, c])
}

describe('the chi-square test itself', () => {
  it('approximates known chi-square tail probabilities', () => {
    // Tables: P(χ²_10 ≥ 23.209) = 0.01, P(χ²_10 ≥ 9.342) = 0.5, P(χ²_63 ≥ 82.529) = 0.05.
    expect(chiSquareSurvival(23.209, 10)).toBeCloseTo(0.01, 3)
    expect(chiSquareSurvival(9.342, 10)).toBeCloseTo(0.5, 2)
    expect(chiSquareSurvival(82.529, 63)).toBeCloseTo(0.05, 3)
  })

  it('rejects counts drawn from a slightly different distribution', async () => {
    const random = seededRandom(99)
    const circuit = measuredCircuit(4, randomGates(random, 4, 12))
    const { counts } = await simulate(circuit, { shots: SHOTS, seed: 5 })
    const exact = keyedProbabilities(
      (await statevector(circuitOf(4, circuit.ops.slice(0, 12)))).amplitudes,
      4,
    )
    // Move 3% of the probability from the likeliest outcome to the least likely.
    const sorted = [...exact].sort(([, a], [, b]) => b - a)
    const [top, bottom] = [sorted[0], sorted[sorted.length - 1]]
    if (top === undefined || bottom === undefined) throw new Error('no outcomes')
    const skewed = new Map(exact)
    skewed.set(top[0], top[1] - 0.03)
    skewed.set(bottom[0], bottom[1] + 0.03)
    expect(goodnessOfFit(counts, exact, SHOTS).pValue).toBeGreaterThan(SIGNIFICANCE)
    expect(goodnessOfFit(counts, skewed, SHOTS).pValue).toBeLessThan(SIGNIFICANCE)
  })
})

describe('sampled counts', () => {
  it.each([
    [4, 1],
    [4, 2],
    [5, 3],
    [5, 4],
    [6, 5],
    [6, 6],
  ])('fit |amplitude|² of a random %i-qubit circuit (circuit seed %i)', async (n, seed) => {
    const random = seededRandom(seed)
    // A layer of random U gates first, so the outcomes spread over many cells.
    const spread = Array.from({ length: n }, (_, q) =>
      gateOp('U', [q], [randomAngle(random), randomAngle(random), randomAngle(random)]),
    )
    const gates = [...spread, ...randomGates(random, n, 4 * n)]
    const { amplitudes } = await statevector(circuitOf(n, gates))
    const exact = keyedProbabilities(amplitudes, n)
    const { counts } = await simulate(measuredCircuit(n, gates), { shots: SHOTS, seed: 1000 + seed })
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(SHOTS)
    const fit = goodnessOfFit(counts, exact, SHOTS)
    expect(fit.degrees).toBeGreaterThan(4)
    expect(fit.pValue, `χ² = ${fit.statistic.toFixed(1)} on ${fit.degrees} degrees`).toBeGreaterThan(
      SIGNIFICANCE,
    )
  })

  it('fit the branch probabilities of a hand-worked mid-circuit measurement', async () => {
    // ry(θ) then measure: P(1) = sin²(θ/2) = p. If 1, X then H on qubit 1; otherwise nothing.
    // Final: m = 0 → q1 = 0; m = 1 → q1 is 0 or 1 with probability ½.
    const theta = 1.9
    const p = Math.sin(theta / 2) ** 2
    const [m, c] = registers([
      ['m', 1],
      ['c', 1],
    ])
    if (m === undefined || c === undefined) throw new Error('no registers')
    const circuit = circuitOf(
      2,
      [
        gateOp('ry', [0], [theta]),
        { kind: 'measure', qubit: 0, clbit: 0 },
        gateOp('h', [1], [], { register: m, value: 1n }),
        { kind: 'measure', qubit: 1, clbit: 1 },
      ],
      [m, c],
    )
    const byHand = new Map([
      ['0 0', 1 - p],
      ['0 1', p / 2],
      ['1 1', p / 2],
    ])
    const enumerated = exactDistribution(circuit)
    expect([...enumerated.keys()].sort()).toEqual([...byHand.keys()].sort())
    for (const [key, q] of byHand) expect(enumerated.get(key)).toBeCloseTo(q, 12)
    const { counts } = await simulate(circuit, { shots: SHOTS, seed: 17 })
    const fit = goodnessOfFit(counts, byHand, SHOTS)
    expect(fit.pValue, `χ² = ${fit.statistic.toFixed(1)}`).toBeGreaterThan(SIGNIFICANCE)
  })

  it.each([
    [3, 11],
    [4, 12],
    [4, 13],
    [5, 14],
  ])(
    'fit the branches of a random %i-qubit circuit with mid-circuit measure, reset and if (seed %i)',
    async (n, seed) => {
      const circuit = dynamicCircuit(seededRandom(seed), n)
      const exact = exactDistribution(circuit)
      expect([...exact.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
      const { counts } = await simulate(circuit, { shots: SHOTS, seed: 2000 + seed })
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(SHOTS)
      const fit = goodnessOfFit(counts, exact, SHOTS)
      expect(fit.pValue, `χ² = ${fit.statistic.toFixed(1)} on ${fit.degrees} degrees`).toBeGreaterThan(
        SIGNIFICANCE,
      )
    },
  )
})
