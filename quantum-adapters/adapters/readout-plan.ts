// Which qubit each classical bit reads, for providers that measure once, at the end of the circuit
// (IonQ and Braket's gate-model QPUs). They cannot run a measurement that later gates depend on,
// a reset or a classically conditioned operation, so those circuits are refused here, before
// anything is sent.

import type { Circuit } from '../circuit/circuit.ts'
import type { BackendId } from './adapter.ts'
import { unsupportedCircuit } from './provider-errors.ts'

export interface ReadoutPlan {
  /** For each clbit, the qubit whose final measurement it holds; null when nothing is measured into it. */
  readonly clbitSource: readonly (number | null)[]
  /** Every qubit some clbit reads, ascending. */
  readonly measuredQubits: readonly number[]
}

export function readoutPlan(circuit: Circuit, backend: BackendId, provider: string): ReadoutPlan {
  const clbitSource = new Array<number | null>(circuit.numClbits).fill(null)
  const measured = new Set<number>()
  circuit.ops.forEach((op, index) => {
    const where = `operation ${index + 1}`
    if (op.kind === 'barrier') return
    if (op.condition !== undefined) {
      throw unsupportedCircuit(backend, provider, `${where} is conditioned on a classical register (if)`)
    }
    if (op.kind === 'reset') throw unsupportedCircuit(backend, provider, `${where} resets qubit ${op.qubit}`)
    if (op.kind === 'measure') {
      // Measuring a qubit again reads the same value: nothing acted on it in between.
      measured.add(op.qubit)
      clbitSource[op.clbit] = op.qubit
      return
    }
    for (const q of op.qubits) {
      if (measured.has(q)) {
        throw unsupportedCircuit(
          backend,
          provider,
          `${where} (${op.name}) acts on qubit ${q} after it was measured (mid-circuit measurement)`,
        )
      }
    }
  })
  const sources = clbitSource.filter((q): q is number => q !== null)
  return { clbitSource, measuredQubits: [...new Set(sources)].sort((a, b) => a - b) }
}
