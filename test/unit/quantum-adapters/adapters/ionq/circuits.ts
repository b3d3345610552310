// Circuits for adapter tests, built from the library gates without a QASM front end, and the
// unitary a circuit's gates multiply to (for equivalence checks).

import type {
  Circuit,
  CircuitOp,
  Condition,
  Register,
} from '../../../../../quantum-adapters/circuit/circuit.ts'
import type { ComplexMatrix } from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES, STDGATES } from '../../../../../quantum-adapters/circuit/gates.ts'
import { unitaryOf } from '../../../../helpers/reference-quantum.ts'

export interface CircuitBuilder {
  gate(
    name: string,
    qubits: readonly number[],
    params?: readonly number[],
    condition?: Condition,
  ): CircuitBuilder
  measure(qubit: number, clbit: number): CircuitBuilder
  reset(qubit: number): CircuitBuilder
  barrier(qubits: readonly number[]): CircuitBuilder
  readonly cregs: readonly Register[]
  build(): Circuit
}

/** Registers in declaration order, each `[name, size]`. */
export function circuit(
  qregs: ReadonlyArray<readonly [string, number]>,
  cregs: ReadonlyArray<readonly [string, number]> = [],
): CircuitBuilder {
  const q = registers(qregs)
  const c = registers(cregs)
  const ops: CircuitOp[] = []
  const builder: CircuitBuilder = {
    cregs: c,
    gate(name, qubits, params = [], condition) {
      const definition = QELIB1_GATES.get(name) ?? STDGATES.get(name)
      if (definition === undefined) throw new Error(`no library gate '${name}'`)
      ops.push({
        kind: 'gate',
        name,
        params,
        qubits,
        matrix: definition.matrix(params),
        ...(condition === undefined ? {} : { condition }),
      })
      return builder
    },
    measure(qubit, clbit) {
      ops.push({ kind: 'measure', qubit, clbit })
      return builder
    },
    reset(qubit) {
      ops.push({ kind: 'reset', qubit })
      return builder
    },
    barrier(qubits) {
      ops.push({ kind: 'barrier', qubits })
      return builder
    },
    build() {
      return {
        numQubits: total(q),
        numClbits: total(c),
        qregs: q,
        cregs: c,
        ops: [...ops],
      }
    },
  }
  return builder
}

export function bell(): Circuit {
  return circuit([['q', 2]], [['c', 2]])
    .gate('h', [0])
    .gate('cx', [0, 1])
    .measure(0, 0)
    .measure(1, 1)
    .build()
}

/** The product of the circuit's gate matrices, first gate rightmost. */
export function circuitUnitary(c: Circuit): ComplexMatrix {
  return unitaryOf(
    c.ops.filter((op) => op.kind === 'gate'),
    c.numQubits,
  )
}

function registers(list: ReadonlyArray<readonly [string, number]>): Register[] {
  let offset = 0
  return list.map(([name, size]) => {
    const register = { name, size, offset }
    offset += size
    return register
  })
}

function total(list: readonly Register[]): number {
  return list.reduce((sum, r) => sum + r.size, 0)
}
