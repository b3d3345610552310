import { describe, expect, it } from 'vitest'
import {
  normaliseAngle,
  unitarySqrt,
  zyzAngles,
} from '../../../../quantum-adapters/adapters/one-qubit-unitary.ts'
import {
  type ComplexMatrix,
  equal,
  equalUpToPhase,
  matrix,
  multiply,
  phase,
  scale,
} from '../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES, u } from '../../../../quantum-adapters/circuit/gates.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

function gate(name: string, params: number[] = []): ComplexMatrix {
  const definition = QELIB1_GATES.get(name)
  if (definition === undefined) throw new Error(`no gate ${name}`)
  return definition.matrix(params)
}

function fromAngles(beta: number, gamma: number, delta: number): ComplexMatrix {
  return multiply(gate('rz', [beta]), multiply(gate('ry', [gamma]), gate('rz', [delta])))
}

function randomUnitaries(count: number): ComplexMatrix[] {
  const random = seededRandom(5)
  const angle = () => (random() - 0.5) * 4 * Math.PI
  return Array.from({ length: count }, () => scale(u(angle(), angle(), angle()), phase(angle())))
}

const SPECIAL = ['id', 'x', 'y', 'z', 'h', 's', 'sdg', 't', 'tdg', 'sx', 'sxdg'].map((name) => gate(name))

describe('ZYZ angles', () => {
  it('rebuild every matrix exactly, global phase included', () => {
    for (const m of [...SPECIAL, ...randomUnitaries(200)]) {
      const { phase: p, beta, gamma, delta } = zyzAngles(m)
      expect(gamma).toBeGreaterThanOrEqual(0)
      expect(gamma).toBeLessThanOrEqual(Math.PI + 1e-12)
      expect(equal(scale(fromAngles(beta, gamma, delta), phase(p)), m, 1e-9)).toBe(true)
    }
  })

  it('handle diagonal and anti-diagonal matrices', () => {
    const diagonal = matrix([
      [phase(0.3), 0],
      [0, phase(-1.1)],
    ])
    const antiDiagonal = matrix([
      [0, phase(0.4)],
      [phase(2.2), 0],
    ])
    for (const m of [diagonal, antiDiagonal]) {
      const { beta, gamma, delta } = zyzAngles(m)
      expect(equalUpToPhase(fromAngles(beta, gamma, delta), m, 1e-12)).toBe(true)
    }
  })
})

describe('unitary square root', () => {
  it('squares back to the matrix', () => {
    const minusIdentity = scale(gate('id'), [-1, 0])
    for (const m of [...SPECIAL, minusIdentity, ...randomUnitaries(200)]) {
      const v = unitarySqrt(m)
      expect(equal(multiply(v, v), m, 1e-9)).toBe(true)
    }
  })
})

describe('angle normalisation', () => {
  it('brings angles into (−π, π]', () => {
    expect(normaliseAngle(3 * Math.PI)).toBeCloseTo(Math.PI, 12)
    expect(normaliseAngle(-Math.PI)).toBeCloseTo(Math.PI, 12)
    expect(normaliseAngle(-3.5 * Math.PI)).toBeCloseTo(0.5 * Math.PI, 12)
    expect(normaliseAngle(0.25)).toBe(0.25)
  })
})
