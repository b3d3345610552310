import { describe, expect, it } from 'vitest'
import {
  type GateDefinition,
  QASM2_BUILTINS,
  QASM3_BUILTINS,
  QELIB1_GATES,
  STDGATES,
} from '../../../../quantum-adapters/circuit/gates.ts'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'

/** Calls `gate` once with distinct parameters on qubits 4, 3, … and checks the one op it makes. */
function checkCall(gate: GateDefinition, header: string): void {
  const params = Array.from({ length: gate.numParams }, (_, i) => 0.25 * (i + 1))
  const qubits = Array.from({ length: gate.numQubits }, (_, i) => 4 - i)
  const args = params.length === 0 ? '' : `(${params.join(', ')})`
  const program = `${header}qreg q[5];\n${gate.name}${args} ${qubits.map((q) => `q[${q}]`).join(', ')};\n`
  const ops = parseQasm(program, `${gate.name}.qasm`).ops
  expect(ops).toEqual([{ kind: 'gate', name: gate.name, params, qubits, matrix: gate.matrix(params) }])
}

const QASM2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
const QASM3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'

describe('gate libraries', () => {
  it.each([...QELIB1_GATES.values()].map((gate) => [gate.name, gate] as const))(
    'qelib1.inc gate %s is callable after its include',
    (_name, gate) => checkCall(gate, QASM2),
  )

  it.each([...STDGATES.values()].map((gate) => [gate.name, gate] as const))(
    'stdgates.inc gate %s is callable after its include',
    (_name, gate) => checkCall(gate, QASM3),
  )

  it('has U and CX built into OpenQASM 2, and U into OpenQASM 3, without an include', () => {
    for (const gate of QASM2_BUILTINS.values()) checkCall(gate, 'OPENQASM 2.0;\n')
    for (const gate of QASM3_BUILTINS.values()) checkCall(gate, 'OPENQASM 3.0;\n')
  })
})
