import { describe, expect, it } from 'vitest'
import { decomposeGate } from '../../../../../quantum-adapters/adapters/ibm/decompose.ts'
import type { GateOp } from '../../../../../quantum-adapters/circuit/circuit.ts'
import { type ComplexMatrix, equal } from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES } from '../../../../../quantum-adapters/circuit/gates.ts'

const library = (name: string, params: number[] = []): ComplexMatrix =>
  QELIB1_GATES.get(name)?.matrix(params) as ComplexMatrix

function gateOp(name: string, qubits: number[], matrix = library(name)): GateOp {
  return { kind: 'gate', name, params: [], qubits, matrix }
}

describe('IBM gate decomposition', () => {
  it('keeps CZ native, writes SWAP as three CX and one-qubit gates as matrices', () => {
    expect(decomposeGate(gateOp('cz', [3, 1]))).toEqual([{ kind: 'cz', a: 3, b: 1 }])
    expect(decomposeGate(gateOp('swap', [3, 1]))).toEqual([
      { kind: 'cx', control: 3, target: 1 },
      { kind: 'cx', control: 1, target: 3 },
      { kind: 'cx', control: 3, target: 1 },
    ])
    const [h, ...rest] = decomposeGate(gateOp('h', [2]))
    expect(rest).toEqual([])
    expect(h?.kind === 'u' && h.qubit === 2 && equal(h.matrix, library('h'))).toBe(true)
  })

  it('refuses a gate it cannot decompose with QPU_UNSUPPORTED_CIRCUIT', () => {
    const mystery = gateOp('mystery', [0, 1], library('rxx', [0.7]))
    expect(() => decomposeGate(mystery)).toThrow(/IBM Quantum cannot run this circuit: gate 'mystery'/)
    expect(() => decomposeGate(mystery)).toThrow(expect.objectContaining({ code: 'QPU_UNSUPPORTED_CIRCUIT' }))
  })
})
