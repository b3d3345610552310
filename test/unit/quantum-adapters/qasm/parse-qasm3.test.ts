import { describe, expect, it } from 'vitest'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'
import { opsText } from './ops-text.ts'

const QASM2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
const QASM3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'

/** The OpenQASM 3 program and its OpenQASM 2 twin lower to the same circuit. */
function expectSameCircuit(qasm3: string, qasm2: string): void {
  expect(parseQasm(QASM3 + qasm3, 'three.qasm')).toEqual(parseQasm(QASM2 + qasm2, 'two.qasm'))
}

describe('parseQasm, the OpenQASM 3 subset', () => {
  it('declares qubit and bit registers, sized or single, as qreg and creg do', () => {
    expectSameCircuit(
      'qubit[2] q;\nqubit r;\nbit[3] c;\nbit d;\nh q;\nx r;\n',
      'qreg q[2];\nqreg r[1];\ncreg c[3];\ncreg d[1];\nh q;\nx r;\n',
    )
    expectSameCircuit('qreg q[2];\ncreg c[2];\ncx q[0], q[1];\n', 'qreg q[2];\ncreg c[2];\ncx q[0], q[1];\n')
  })

  it('reads both measure forms', () => {
    const regs3 = 'qubit[2] q;\nbit[2] c;\nbit d;\n'
    const regs2 = 'qreg q[2];\ncreg c[2];\ncreg d[1];\n'
    expectSameCircuit(`${regs3}c = measure q;\n`, `${regs2}measure q -> c;\n`)
    expectSameCircuit(
      `${regs3}c[1] = measure q[0];\nd = measure q[1];\n`,
      `${regs2}measure q[0] -> c[1];\nmeasure q[1] -> d;\n`,
    )
    expectSameCircuit(`${regs3}measure q -> c;\n`, `${regs2}measure q -> c;\n`)
  })

  it('reads gate definitions, reset and barrier as OpenQASM 2 does', () => {
    const rest =
      'gate rot(a, b) x, y { rz(a) x; cx x, y; ry(a * b) y; }\nrot(pi / 2, 2) q[0], q[2];\nreset q;\n'
    expectSameCircuit(`qubit[3] q;\n${rest}barrier q[1], q[0];\n`, `qreg q[3];\n${rest}barrier q[1], q[0];\n`)
  })

  it('conditions one statement or a block on a whole register', () => {
    const regs3 = 'qubit[2] q;\nbit[2] c;\n'
    const regs2 = 'qreg q[2];\ncreg c[2];\n'
    expectSameCircuit(`${regs3}if (c == 2) x q[0];\n`, `${regs2}if (c == 2) x q[0];\n`)
    expectSameCircuit(
      `${regs3}if (c == 0b11) { x q[0]; h q; c[0] = measure q[1]; reset q[0]; }\n`,
      `${regs2}if (c == 3) x q[0];\nif (c == 3) h q;\n` +
        'if (c == 3) measure q[1] -> c[0];\nif (c == 3) reset q[0];\n',
    )
  })

  it('drops gphase, at the top level and in gate bodies', () => {
    expectSameCircuit(
      'qubit q;\ngate g(t) a { gphase(t / 2); rx(t) a; }\ngphase(pi);\ng(0.5) q;\n',
      'qreg q[1];\ngate g(t) a { rx(t) a; }\ng(0.5) q;\n',
    )
  })

  it("reads 'OPENQASM 3;', the builtin U without an include, and a barrier over every qubit", () => {
    const circuit = parseQasm('OPENQASM 3;\nqubit[2] q;\nqubit r;\nU(π, 0, τ) q[1];\nbarrier;\n', 'u.qasm')
    expect(opsText(circuit.ops)).toEqual(['U(3.14159265359,0,6.28318530718) 1', 'barrier 0,1,2'])
  })

  it('accepts identifiers with non-ASCII letters', () => {
    const circuit = parseQasm(`${QASM3}qubit[1] qubits_ä;\nh qubits_ä;\n`, 'u.qasm')
    expect(circuit.qregs).toEqual([{ name: 'qubits_ä', size: 1, offset: 0 }])
  })
})
