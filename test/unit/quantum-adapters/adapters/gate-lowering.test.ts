import { describe, expect, it } from 'vitest'
import {
  controlledOneQubit,
  controlStructure,
  type LoweredOp,
  type LoweringOptions,
  lowerGate,
  oneQubitMatrix,
  UnloweredGateError,
} from '../../../../quantum-adapters/adapters/gate-lowering.ts'
import type { GateOp } from '../../../../quantum-adapters/circuit/circuit.ts'
import {
  type ComplexMatrix,
  controlled,
  embed,
  equal,
  equalUpToPhase,
  identity,
  multiply,
  phase,
  scale,
} from '../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES, STDGATES, u } from '../../../../quantum-adapters/circuit/gates.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

const library = (name: string, params: number[] = []): ComplexMatrix => {
  const definition = QELIB1_GATES.get(name) ?? STDGATES.get(name)
  if (definition === undefined) throw new Error(`no gate ${name}`)
  return definition.matrix(params)
}

function gateOp(name: string, matrix: ComplexMatrix, params: number[] = []): GateOp {
  return { kind: 'gate', name, params, qubits: [...Array(Math.log2(matrix.dim)).keys()], matrix }
}

function unitaryOf(ops: readonly LoweredOp[], numQubits: number): ComplexMatrix {
  let m = identity(1 << numQubits)
  for (const op of ops) {
    const [gate, qubits] =
      op.kind === 'cnot'
        ? [controlled(library('x'), op.controls.length), [...op.controls, op.target]]
        : op.kind === 'swap'
          ? [library('swap'), op.qubits]
          : [oneQubitMatrix(op), [op.qubit]]
    m = multiply(embed(gate, qubits, numQubits), m)
  }
  return m
}

function randomUnitary(random: () => number): ComplexMatrix {
  return scale(u(random() * Math.PI, random() * 6, random() * 6), phase(random() * 6))
}

const ONE_CONTROL: LoweringOptions = { maxControls: 1 }
const TWO_CONTROLS: LoweringOptions = { maxControls: 2 }

describe('gate lowering', () => {
  it('finds the controls and targets of controlled gates, wherever the controls are', () => {
    expect(controlStructure(library('ccx'), 3)).toMatchObject({ controls: [0, 1], targets: [2] })
    expect(controlStructure(library('c3sqrtx'), 4)).toMatchObject({ controls: [0, 1, 2], targets: [3] })
    // CZ fixes every state with a zero in it: one of its qubits serves as the target.
    expect(controlStructure(library('cz'), 2)).toMatchObject({ controls: [0], targets: [1] })
    const cswap = controlStructure(library('cswap'), 3)
    expect(cswap).toMatchObject({ controls: [0], targets: [1, 2] })
    expect(equal(cswap?.matrix ?? identity(4), library('swap'))).toBe(true)
    // A CRY whose control is its second qubit, not its first.
    const reversed = controlStructure(embed(library('cry', [0.3]), [1, 0], 2), 2)
    expect(reversed).toMatchObject({ controls: [1], targets: [0] })
    expect(equal(reversed?.matrix ?? identity(2), library('ry', [0.3]))).toBe(true)
    expect(controlStructure(library('swap'), 2)).toBeUndefined()
    expect(controlStructure(library('rxx', [0.4]), 2)).toBeUndefined()
  })

  it('builds multiply controlled gates exactly, relative phases included', () => {
    const random = seededRandom(22)
    for (const options of [ONE_CONTROL, TWO_CONTROLS]) {
      for (let controls = 1; controls <= 4; controls++) {
        for (const target of [randomUnitary(random), library('x')]) {
          const qubits = [...Array(controls + 1).keys()]
          const ops = controlledOneQubit(target, qubits.slice(0, -1), controls, options)
          const widest = Math.max(...ops.map((op) => (op.kind === 'cnot' ? op.controls.length : 0)))
          expect(widest).toBeLessThanOrEqual(options.maxControls)
          // A phase on the target gate is a relative phase of the controlled one, so it must survive.
          expect(equalUpToPhase(unitaryOf(ops, controls + 1), controlled(target, controls), 1e-9)).toBe(true)
        }
      }
    }
  })

  it('lowers a gate controlled by qubits on either side of its target', () => {
    const random = seededRandom(23)
    const target = randomUnitary(random)
    // Gate qubit 1 is the target, 2 and 0 the controls.
    const m = embed(controlled(target, 2), [2, 0, 1], 3)
    for (const options of [ONE_CONTROL, TWO_CONTROLS]) {
      expect(equalUpToPhase(unitaryOf(lowerGate(gateOp('mystery', m), options), 3), m, 1e-9)).toBe(true)
    }
  })

  it('uses two CNOTs for a singly controlled gate, six for a Toffoli and Toffoli where allowed', () => {
    const cnots = (name: string, params: number[], options: LoweringOptions) =>
      lowerGate(gateOp(name, library(name, params), params), options).filter((op) => op.kind === 'cnot')
    expect(cnots('crz', [0.3], ONE_CONTROL)).toHaveLength(2)
    expect(cnots('cp', [0.3], ONE_CONTROL)).toHaveLength(2)
    expect(cnots('rzz', [0.3], ONE_CONTROL)).toHaveLength(2)
    expect(cnots('ccx', [], ONE_CONTROL)).toHaveLength(6)
    expect(cnots('cswap', [], ONE_CONTROL)).toHaveLength(8)
    expect(cnots('ccx', [], TWO_CONTROLS)).toEqual([{ kind: 'cnot', controls: [0, 1], target: 2 }])
    expect(cnots('cswap', [], TWO_CONTROLS)).toHaveLength(3)
  })

  it('refuses a gate whose matrix does not fit its qubits', () => {
    const misfit: GateOp = { ...gateOp('mystery', library('cx')), qubits: [0, 1, 2] }
    expect(() => lowerGate(misfit, ONE_CONTROL)).toThrow(UnloweredGateError)
    expect(() => lowerGate(misfit, ONE_CONTROL)).toThrow(/4×4 matrix on 3 qubits/)
  })
})
