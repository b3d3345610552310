// Circuit operations as short strings, so tests compare whole op lists at a glance:
// 'h 0', 'rz(0.5) 1', 'cx 0,2', 'measure 0->1', 'reset 2', 'barrier 0,1', 'if c==3: x 1'.

import type { CircuitOp } from '../../../../quantum-adapters/circuit/circuit.ts'

const number = (x: number): string => String(Number(x.toPrecision(12)))

export function opText(op: CircuitOp): string {
  const text = (() => {
    switch (op.kind) {
      case 'gate':
        return `${op.name}${op.params.length === 0 ? '' : `(${op.params.map(number)})`} ${op.qubits}`
      case 'measure':
        return `measure ${op.qubit}->${op.clbit}`
      case 'reset':
        return `reset ${op.qubit}`
      case 'barrier':
        return `barrier ${op.qubits.join(',')}`
    }
  })()
  if (op.kind === 'barrier' || op.condition === undefined) return text
  return `if ${op.condition.register.name}==${op.condition.value}: ${text}`
}

export function opsText(ops: readonly CircuitOp[]): string[] {
  return ops.map(opText)
}
