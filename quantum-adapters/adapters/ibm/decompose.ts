// Library gates as the operations IBM's routing places: single-qubit unitaries, CX and CZ. The
// shared lowering (gate-lowering.ts) does the work with one-control CNOTs only; its one-qubit
// gates become matrices, since each run of them is merged and rewritten in IBM's basis later, and
// CZ stays CZ, the native 2-qubit gate of many IBM backends.

import type { GateOp } from '../../circuit/circuit.ts'
import type { ComplexMatrix } from '../../circuit/complex-matrix.ts'
import { type LoweredOp, lowerGate, oneQubitMatrix, UnloweredGateError } from '../gate-lowering.ts'
import { unsupportedCircuit } from './ibm-errors.ts'

export type BasicOp =
  | { readonly kind: 'u'; readonly qubit: number; readonly matrix: ComplexMatrix }
  | { readonly kind: 'cx'; readonly control: number; readonly target: number }
  | { readonly kind: 'cz'; readonly a: number; readonly b: number }

/** `op` as single-qubit unitaries, CX and CZ on the same qubits. */
export function decomposeGate(op: GateOp): BasicOp[] {
  const [a, b] = op.qubits
  if (op.name === 'cz' && op.qubits.length === 2 && a !== undefined && b !== undefined) {
    return [{ kind: 'cz', a, b }]
  }
  try {
    return lowerGate(op, { maxControls: 1 }).flatMap(basicOps)
  } catch (err) {
    if (err instanceof UnloweredGateError) throw unsupportedCircuit(err.message)
    throw err
  }
}

function basicOps(op: LoweredOp): BasicOp[] {
  switch (op.kind) {
    case 'fixed':
    case 'rotation':
      return [{ kind: 'u', qubit: op.qubit, matrix: oneQubitMatrix(op) }]
    case 'cnot': {
      const [control] = op.controls
      if (control === undefined || op.controls.length > 1) {
        throw new Error(`lowering with one control at most gave a CNOT with ${op.controls.length}`)
      }
      return [{ kind: 'cx', control, target: op.target }]
    }
    case 'swap': {
      const [a, b] = op.qubits
      return [
        { kind: 'cx', control: a, target: b },
        { kind: 'cx', control: b, target: a },
        { kind: 'cx', control: a, target: b },
      ]
    }
  }
}
