// A parsed, fully expanded circuit: what every backend runs. Front ends (OpenQASM 2 and 3)
// lower user gate definitions and register broadcasting into this flat list of operations
// on absolute qubit and classical-bit indices.

import type { ComplexMatrix } from './complex-matrix.ts'

export interface Register {
  readonly name: string
  readonly size: number
  /** Index of the register's bit 0 in the circuit's flat qubit or clbit numbering. */
  readonly offset: number
}

/** `if (creg == value)`: the whole register read as an integer, its bit 0 the low bit. */
export interface Condition {
  readonly register: Register
  readonly value: bigint
}

export interface GateOp {
  readonly kind: 'gate'
  /** The library gate's name (`cx`, `rz`, `U`…), kept so adapters can re-emit the circuit. */
  readonly name: string
  readonly params: readonly number[]
  /** In the gate's own order: matrix bit i is qubits[i]. */
  readonly qubits: readonly number[]
  readonly matrix: ComplexMatrix
  readonly condition?: Condition
}

export interface MeasureOp {
  readonly kind: 'measure'
  readonly qubit: number
  readonly clbit: number
  readonly condition?: Condition
}

export interface ResetOp {
  readonly kind: 'reset'
  readonly qubit: number
  readonly condition?: Condition
}

export interface BarrierOp {
  readonly kind: 'barrier'
  readonly qubits: readonly number[]
}

export type CircuitOp = GateOp | MeasureOp | ResetOp | BarrierOp

export interface Circuit {
  readonly numQubits: number
  readonly numClbits: number
  readonly qregs: readonly Register[]
  /** In declaration order; counts keys list them in reverse (Qiskit's order). */
  readonly cregs: readonly Register[]
  readonly ops: readonly CircuitOp[]
}

/** The number of layers when every op starts as soon as its qubits (and condition bits) are free. */
export function circuitDepth(circuit: Circuit): number {
  const qubitLevel = new Array<number>(circuit.numQubits).fill(0)
  const clbitLevel = new Array<number>(circuit.numClbits).fill(0)
  let depth = 0
  for (const op of circuit.ops) {
    if (op.kind === 'barrier') continue
    const qubits = op.kind === 'gate' ? op.qubits : [op.qubit]
    const clbits: number[] = op.kind === 'measure' ? [op.clbit] : []
    if (op.condition !== undefined) {
      const { offset, size } = op.condition.register
      for (let i = 0; i < size; i++) clbits.push(offset + i)
    }
    let level = 0
    for (const q of qubits) level = Math.max(level, qubitLevel[q] as number)
    for (const c of clbits) level = Math.max(level, clbitLevel[c] as number)
    level += 1
    for (const q of qubits) qubitLevel[q] = level
    for (const c of clbits) clbitLevel[c] = level
    depth = Math.max(depth, level)
  }
  return depth
}
