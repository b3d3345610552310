// A circuit as IonQ's JSON circuit input with the `qis` gate set (API v0.4 `QisCircuitInput`,
// the same gate list v0.3 called `ionq.circuit.v0`): `{ qubits, gateset: 'qis', circuit: [...] }`,
// each gate `{ gate, target | targets, control | controls, rotation }`, rotations in radians.
// IonQ measures every qubit at the end, so measurements are not part of the input.

import type { Circuit } from '../../circuit/circuit.ts'
import { type LoweredOp, lowerGate } from '../gate-lowering.ts'

/** IonQ's `QisGate` enum, from the v0.4 OpenAPI document. */
export const QIS_GATES = [
  'x',
  'y',
  'z',
  'rx',
  'ry',
  'rz',
  'h',
  's',
  'si',
  'v',
  'vi',
  't',
  'ti',
  'not',
  'cnot',
  'swap',
  'xx',
  'yy',
  'zz',
  'pauliexp',
] as const

export type QisGateName = (typeof QIS_GATES)[number]

export interface QisGate {
  readonly gate: QisGateName
  readonly target?: number
  readonly targets?: readonly number[]
  readonly control?: number
  readonly controls?: readonly number[]
  readonly rotation?: number
}

export interface QisCircuitInput {
  readonly qubits: number
  readonly gateset: 'qis'
  readonly circuit: readonly QisGate[]
}

// IonQ's guide shows CNOT with a two-control array (Toffoli); more controls are split up rather
// than risk the API's TooManyControls failure.
export const IONQ_MAX_CONTROLS = 2

/** Throws UnloweredGateError for a gate that has no qis form. */
export function toQisInput(circuit: Circuit): QisCircuitInput {
  const gates: QisGate[] = []
  for (const op of circuit.ops) {
    if (op.kind !== 'gate') continue
    for (const lowered of lowerGate(op, { maxControls: IONQ_MAX_CONTROLS })) gates.push(qisGate(lowered))
  }
  return { qubits: circuit.numQubits, gateset: 'qis', circuit: gates }
}

function qisGate(op: LoweredOp): QisGate {
  switch (op.kind) {
    case 'fixed':
      return { gate: op.name, target: op.qubit }
    case 'rotation':
      return { gate: op.axis, target: op.qubit, rotation: op.angle }
    case 'cnot': {
      const [only] = op.controls
      return op.controls.length === 1 && only !== undefined
        ? { gate: 'cnot', control: only, target: op.target }
        : { gate: 'cnot', controls: op.controls, target: op.target }
    }
    case 'swap':
      return { gate: 'swap', targets: op.qubits }
  }
}
