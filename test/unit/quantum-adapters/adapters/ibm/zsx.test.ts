import { describe, expect, it } from 'vitest'
import { type OneQubitStep, zsxSteps } from '../../../../../quantum-adapters/adapters/ibm/zsx.ts'
import {
  type ComplexMatrix,
  equalUpToPhase,
  identity,
  multiply,
  scale,
} from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { STDGATES, u } from '../../../../../quantum-adapters/circuit/gates.ts'
import { seededRandom } from '../../../../helpers/seeded-random.ts'

const library = (name: string, params: number[] = []) => STDGATES.get(name)?.matrix(params) as ComplexMatrix

function product(steps: readonly OneQubitStep[]): ComplexMatrix {
  let m = identity(2)
  for (const step of steps) m = multiply(library(step.name, step.name === 'rz' ? [step.angle] : []), m)
  return m
}

function randomUnitary(random: () => number): ComplexMatrix {
  const angle = () => (random() * 2 - 1) * Math.PI
  const global = angle()
  return scale(u(random() * Math.PI, angle(), angle()), [Math.cos(global), Math.sin(global)])
}

describe('rz/sx/x synthesis', () => {
  it('writes random unitaries as rz/sx/x steps equal up to global phase', () => {
    const random = seededRandom(12)
    for (let i = 0; i < 200; i++) {
      const m = randomUnitary(random)
      for (const hasX of [true, false]) {
        const steps = zsxSteps(m, hasX)
        expect(equalUpToPhase(product(steps), m, 1e-9)).toBe(true)
        expect(steps.filter((s) => s.name === 'sx').length).toBeLessThanOrEqual(2)
        if (!hasX) expect(steps.some((s) => s.name === 'x')).toBe(false)
      }
    }
  })

  it('takes the short forms at the special angles', () => {
    const cases: [ComplexMatrix, boolean, string[]][] = [
      [identity(2), true, []],
      [library('z'), true, ['rz']],
      [library('t'), true, ['rz']],
      [library('sx'), true, ['sx']],
      [library('h'), true, ['rz', 'sx', 'rz']],
      [library('x'), true, ['x']],
      [library('y'), true, ['rz', 'x']],
      [library('x'), false, ['sx', 'sx']],
      [library('ry', [Math.PI / 2]), true, ['rz', 'sx', 'rz']],
      [library('y'), false, ['rz', 'sx', 'sx']],
    ]
    for (const [m, hasX, names] of cases) {
      const steps = zsxSteps(m, hasX)
      expect(equalUpToPhase(product(steps), m, 1e-9)).toBe(true)
      expect(steps.map((s) => s.name)).toEqual(names)
    }
  })

  it('keeps rz angles in (-π, π]', () => {
    const random = seededRandom(13)
    for (let i = 0; i < 50; i++) {
      for (const step of zsxSteps(randomUnitary(random), true)) {
        if (step.name !== 'rz') continue
        expect(step.angle).toBeGreaterThan(-Math.PI)
        expect(step.angle).toBeLessThanOrEqual(Math.PI)
      }
    }
  })
})
