import { describe, expect, it } from 'vitest'
import { QELIB1_GATES } from '../../../../quantum-adapters/circuit/gates.ts'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'
import { opsText } from './ops-text.ts'

const HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
const ops = (body: string): string[] => opsText(parseQasm(HEADER + body, 'circuit.qasm').ops)

describe('parseQasm, OpenQASM 2.0', () => {
  it('lays registers out one after another, quantum and classical apart', () => {
    const circuit = parseQasm(`${HEADER}qreg a[2];\ncreg c[1];\nqreg b[3];\ncreg d[4];\nx b[1];\n`, 'c.qasm')
    expect(circuit.numQubits).toBe(5)
    expect(circuit.numClbits).toBe(5)
    expect(circuit.qregs).toEqual([
      { name: 'a', size: 2, offset: 0 },
      { name: 'b', size: 3, offset: 2 },
    ])
    expect(circuit.cregs).toEqual([
      { name: 'c', size: 1, offset: 0 },
      { name: 'd', size: 4, offset: 1 },
    ])
    expect(opsText(circuit.ops)).toEqual(['x 3'])
  })

  it('reads an empty program and keeps U and CX in scope without an include', () => {
    expect(parseQasm('OPENQASM 2.0;', 'e.qasm')).toEqual({
      numQubits: 0,
      numClbits: 0,
      qregs: [],
      cregs: [],
      ops: [],
    })
    const circuit = parseQasm('OPENQASM 2;\nqreg q[2];\nU(pi/2, 0, pi) q[0];\nCX q[0], q[1];\n', 'b.qasm')
    expect(opsText(circuit.ops)).toEqual(['U(1.57079632679,0,3.14159265359) 0', 'CX 0,1'])
  })

  it('broadcasts a gate over a register, pairs registers and repeats single qubits', () => {
    const regs = 'qreg a[2];\nqreg b[2];\nqreg s[1];\n'
    expect(ops(`${regs}h a;`)).toEqual(['h 0', 'h 1'])
    expect(ops(`${regs}cx a, b;`)).toEqual(['cx 0,2', 'cx 1,3'])
    expect(ops(`${regs}cx s[0], a;`)).toEqual(['cx 4,0', 'cx 4,1'])
    expect(ops(`${regs}cx a, s[0];`)).toEqual(['cx 0,4', 'cx 1,4'])
    expect(ops(`${regs}ccx a, s[0], b;`)).toEqual(['ccx 0,4,2', 'ccx 1,4,3'])
    expect(ops(`${regs}rz(0.5) b;`)).toEqual(['rz(0.5) 2', 'rz(0.5) 3'])
    // A one-qubit register given whole pairs like any other register.
    expect(ops(`${regs}cx s, a[1];`)).toEqual(['cx 4,1'])
  })

  it('broadcasts measure and reset, and gathers a barrier over registers and bits', () => {
    const regs = 'qreg q[2];\nqreg r[2];\ncreg c[2];\n'
    expect(ops(`${regs}measure q -> c;`)).toEqual(['measure 0->0', 'measure 1->1'])
    expect(ops(`${regs}measure r[1] -> c[0];`)).toEqual(['measure 3->0'])
    expect(ops(`${regs}reset r;`)).toEqual(['reset 2', 'reset 3'])
    expect(ops(`${regs}reset q[1];`)).toEqual(['reset 1'])
    expect(ops(`${regs}barrier q, r[1];`)).toEqual(['barrier 0,1,3'])
    expect(ops(`${regs}barrier q[1], q;`)).toEqual(['barrier 1,0'])
  })

  it('conditions one operation on a whole classical register read as an integer', () => {
    const circuit = parseQasm(
      `${HEADER}qreg q[2];\ncreg a[1];\ncreg c[2];\n` +
        'if(c==3) x q[1];\nif (c == 0) reset q;\nif (a==1) measure q[0] -> c[1];\n',
      'if.qasm',
    )
    expect(opsText(circuit.ops)).toEqual([
      'if c==3: x 1',
      'if c==0: reset 0',
      'if c==0: reset 1',
      'if a==1: measure 0->2',
    ])
    const first = circuit.ops[0]
    expect(first?.kind === 'gate' && first.condition).toEqual({
      register: { name: 'c', size: 2, offset: 1 },
      value: 3n,
    })
  })

  it('keeps condition values beyond 2^53 exact', () => {
    const circuit = parseQasm(
      `${HEADER}qreg q[1];\ncreg c[70];\nif (c == 1180591620717411303423) x q[0];\n`,
      'big.qasm',
    )
    const op = circuit.ops[0]
    expect(op?.kind === 'gate' && op.condition?.value).toBe(1180591620717411303423n)
  })

  it('expands nested user gates into library gates with their parameters evaluated', () => {
    const program = [
      'qreg q[2];',
      'gate inner(t) a { rz(t/2) a; }',
      'gate outer(x, y) a, b {',
      '  inner(x*y) a;',
      '  cx a, b;',
      '  inner(-x) b;',
      '  U(x, y, x+y) a;',
      '  barrier a, b;',
      '}',
      'outer(0.5, 3) q[1], q[0];',
    ].join('\n')
    const circuit = parseQasm(HEADER + program, 'nested.qasm')
    expect(opsText(circuit.ops)).toEqual([
      'rz(0.75) 1',
      'cx 1,0',
      'rz(-0.25) 0',
      'U(0.5,3,3.5) 1',
      'barrier 1,0',
    ])
    const rz = circuit.ops[0]
    expect(rz?.kind === 'gate' && rz.matrix).toEqual(QELIB1_GATES.get('rz')?.matrix([0.75]))
  })

  it('broadcasts a user gate and conditions every operation it expands to', () => {
    const program = [
      'qreg q[2];\nqreg r[2];\ncreg c[1];',
      'gate pair(t) a, b { h a; crz(t) a, b; }',
      'pair(pi) q, r;',
      'if (c == 1) pair(2*pi) q[0], r[1];',
    ].join('\n')
    expect(ops(program)).toEqual([
      'h 0',
      'crz(3.14159265359) 0,2',
      'h 1',
      'crz(3.14159265359) 1,3',
      'if c==1: h 0',
      'if c==1: crz(6.28318530718) 0,3',
    ])
  })

  it('accepts empty parameter lists, empty gate bodies and opaque declarations', () => {
    const program = [
      'qreg q[2];',
      'gate nothing() a { }',
      'gate twice a, b { nothing() a; nothing b; cx a, b; cx a, b; }',
      'opaque magic(t) a, b;',
      'twice q[0], q[1];',
      'nothing q;',
    ].join('\n')
    expect(ops(program)).toEqual(['cx 0,1', 'cx 0,1'])
  })

  it('skips // and /* */ comments, across lines too', () => {
    const program = '// a comment\nqreg /* inline */ q[1];\n/* several\nlines */ h q[0]; // done\n'
    expect(ops(program)).toEqual(['h 0'])
    expect(parseQasm('// first\nOPENQASM 2.0; /* x */ qreg q[1];', 'x').numQubits).toBe(1)
  })

  it('reads bytes, and a byte-order mark before the header', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${HEADER}qreg q[1];\nx q[0];\n`)
    expect(opsText(parseQasm(bytes, 'bytes.qasm').ops)).toEqual(['x 0'])
  })
})
