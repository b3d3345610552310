import { describe, expect, it } from 'vitest'
import { QASM_ERROR_CODES, QasmError, type QasmErrorCode } from '../../../../quantum-adapters/qasm/errors.ts'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

const QASM2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
const QASM3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'

/** Parses `source`, expects a refusal with `code` at `line`:`column`, and returns it. */
function refused(source: string | Uint8Array, code: QasmErrorCode, line: number, column: number): QasmError {
  const err = expectRefusal(() => parseQasm(source, 'circuit.qasm'), QasmError)
  expect({ code: err.code, line: err.type.line, column: err.type.column, file: err.type.file }).toEqual({
    code,
    line,
    column,
    file: 'circuit.qasm',
  })
  expect(err.message.startsWith(`circuit.qasm:${line}:${column}: `)).toBe(true)
  return err
}

describe('parseQasm refusals', () => {
  it('has a test below for every code', () => {
    expect([...QASM_ERROR_CODES].sort()).toEqual(
      [
        'QASM_NOT_TEXT',
        'QASM_SYNTAX',
        'QASM_VERSION',
        'QASM_UNKNOWN_GATE',
        'QASM_RECURSIVE_GATE',
        'QASM_REDEFINED',
        'QASM_UNDECLARED',
        'QASM_INDEX_OUT_OF_RANGE',
        'QASM_BROADCAST_MISMATCH',
        'QASM_ARGUMENTS',
        'QASM_BAD_VALUE',
        'QASM_BAD_INCLUDE',
        'QASM_UNSUPPORTED',
        'QASM_TOO_LARGE',
      ].sort(),
    )
  })

  it('QASM_NOT_TEXT: NUL bytes, invalid UTF-8 and random binary, at the first bad byte', () => {
    const encode = (text: string): number[] => [...new TextEncoder().encode(text)]
    const nul = refused(
      new Uint8Array([...encode('OPENQASM 2.0;\nqreg q[1];\n'), 0, 65]),
      'QASM_NOT_TEXT',
      3,
      1,
    )
    expect(nul.type).toMatchObject({ byteOffset: 25 })
    expect(nul.message).toContain('NUL byte')
    const utf8 = refused(
      new Uint8Array([...encode('OPENQASM 2.0;\n// é'), 0xff, 0x41]),
      'QASM_NOT_TEXT',
      2,
      5,
    )
    expect(utf8.type).toMatchObject({ byteOffset: 19 })
    expect(utf8.message).toContain('invalid UTF-8')
    // Overlong forms, UTF-16 surrogates and truncated sequences are not UTF-8 either.
    refused(new Uint8Array([...encode('x'), 0xc0, 0x80]), 'QASM_NOT_TEXT', 1, 2)
    refused(new Uint8Array([0xed, 0xa0, 0x80]), 'QASM_NOT_TEXT', 1, 1)
    refused(new Uint8Array([...encode('ab'), 0xe2, 0x82]), 'QASM_NOT_TEXT', 1, 3)
    refused('OPENQASM 2.0;\n\0', 'QASM_NOT_TEXT', 2, 1)
    refused('OPENQASM 2.0; \uD800', 'QASM_NOT_TEXT', 1, 15)

    const random = seededRandom(7)
    const bytes = Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256))
    bytes[100] = 0
    const garbage = expectRefusal(() => parseQasm(bytes, 'circuit.qasm'), QasmError)
    expect(garbage.code).toBe('QASM_NOT_TEXT')
    expect((garbage.type as { byteOffset: number }).byteOffset).toBeLessThanOrEqual(100)
  })

  it('QASM_SYNTAX: what was expected and what was found, where', () => {
    const err = refused(`${QASM2}qreg q[2];\ncx q[0] q[1];\n`, 'QASM_SYNTAX', 4, 9)
    expect(err.message).toBe("circuit.qasm:4:9: expected ';' after the gate call, found 'q'")
    expect(err.type).toMatchObject({ expected: "';' after the gate call", found: "'q'" })
    refused(`${QASM2}qreg q[2]\nh q;`, 'QASM_SYNTAX', 4, 1)
    refused(`${QASM2}qreg q[2];\nh q; /* never closed`, 'QASM_SYNTAX', 4, 6)
    refused(`${QASM2}qreg q[2];\nrz(1 +) q[0];`, 'QASM_SYNTAX', 4, 7)
    refused(`${QASM2}qreg q[2];\nh q[0]; ? `, 'QASM_SYNTAX', 4, 9)
    refused(`${QASM2}include "qelib1.inc`, 'QASM_SYNTAX', 3, 9)
    refused(`${QASM2}qreg q[2];\ngate g a { measure a; }`, 'QASM_SYNTAX', 4, 12)
    refused(`${QASM2}qreg q[2];\ngate g a { x a[0]; }`, 'QASM_SYNTAX', 4, 15)
    refused(`${QASM2}qreg q[2];\ncreg c[1];\nif (c == 1) barrier q;`, 'QASM_SYNTAX', 5, 13)
    refused(`${QASM2}qreg q[2];\nrz(2**2) q[0];`, 'QASM_SYNTAX', 4, 5)
    refused(`${QASM2}qreg q[0x2];`, 'QASM_SYNTAX', 3, 8)
  })

  it('QASM_VERSION: a missing or unsupported header', () => {
    refused('qreg q[1];\n', 'QASM_VERSION', 1, 1)
    refused('', 'QASM_VERSION', 1, 1)
    refused('// just a comment\n\n  include "qelib1.inc";', 'QASM_VERSION', 3, 3)
    const err = refused('OPENQASM 4.0;\n', 'QASM_VERSION', 1, 10)
    expect(err.type).toMatchObject({ found: '4.0' })
    refused('OPENQASM;\n', 'QASM_VERSION', 1, 9)
  })

  it('QASM_UNKNOWN_GATE: says when an include is likely missing', () => {
    const missing = refused('OPENQASM 2.0;\nqreg q[1];\nh q;\n', 'QASM_UNKNOWN_GATE', 3, 1)
    expect(missing.message).toContain('unknown gate \'h\'; add include "qelib1.inc"')
    expect(missing.type).toMatchObject({ gate: 'h' })
    const missing3 = refused('OPENQASM 3.0;\nqubit q;\ncx q, q;\n', 'QASM_UNKNOWN_GATE', 3, 1)
    expect(missing3.message).toContain('add include "stdgates.inc"')
    const plain = refused(`${QASM2}qreg q[1];\nfoo q;\n`, 'QASM_UNKNOWN_GATE', 4, 1)
    expect(plain.message).toBe("circuit.qasm:4:1: unknown gate 'foo'")
    const elsewhere = refused(`${QASM3}qubit[2] q;\ncu1(0.5) q[0], q[1];\n`, 'QASM_UNKNOWN_GATE', 4, 1)
    expect(elsewhere.message).toContain("'cu1' is in qelib1.inc, not stdgates.inc")
    // A body can call only earlier gates, so mutual recursion shows up as an unknown gate.
    const later = refused(`${QASM2}gate a x { b x; }\ngate b x { a x; }\n`, 'QASM_UNKNOWN_GATE', 3, 12)
    expect(later.message).toContain('definitions cannot be recursive')
    const opaque = refused(`${QASM2}qreg q[1];\nopaque magic q;\nmagic q[0];\n`, 'QASM_UNKNOWN_GATE', 5, 1)
    expect(opaque.message).toContain("gate 'magic' is declared opaque and has no definition")
    const through = refused(
      `${QASM2}qreg q[1];\nopaque magic q;\ngate g a { magic a; }\ng q[0];\n`,
      'QASM_UNKNOWN_GATE',
      6,
      1,
    )
    expect(through.message).toContain("gate 'g' calls opaque gate 'magic'")
  })

  it('QASM_RECURSIVE_GATE: a gate body that calls the gate being defined', () => {
    const err = refused(
      `${QASM2}gate g(t) a, b {\n  cx a, b;\n  g(t) b, a;\n}\n`,
      'QASM_RECURSIVE_GATE',
      5,
      3,
    )
    expect(err.message).toContain('gate definitions cannot be recursive')
    expect(err.type).toMatchObject({ gate: 'g' })
  })

  it('QASM_REDEFINED: gates, registers, arguments and includes that clash', () => {
    const gate = refused(`${QASM2}gate g a { x a; }\ngate g a { y a; }\n`, 'QASM_REDEFINED', 4, 6)
    expect(gate.message).toContain('already defined at line 3')
    refused(`${QASM2}gate h a { x a; }\n`, 'QASM_REDEFINED', 3, 6)
    refused('OPENQASM 2.0;\ngate CX a, b { }\n', 'QASM_REDEFINED', 2, 6)
    const register = refused(`${QASM2}qreg q[2];\ncreg q[2];\n`, 'QASM_REDEFINED', 4, 6)
    expect(register.message).toContain("register 'q' is already declared at line 3")
    refused(`${QASM2}gate g(a, a) x { }\n`, 'QASM_REDEFINED', 3, 11)
    refused(`${QASM2}gate g(t) t { }\n`, 'QASM_REDEFINED', 3, 11)
    refused(`${QASM2}gate g(pi) a { }\n`, 'QASM_REDEFINED', 3, 8)
    refused('OPENQASM 2.0;\ngate h a { U(pi/2, 0, pi) a; }\ninclude "qelib1.inc";\n', 'QASM_REDEFINED', 3, 1)
  })

  it('QASM_UNDECLARED: unknown registers, names and arguments', () => {
    const register = refused(`${QASM2}qreg q[1];\nh r;\n`, 'QASM_UNDECLARED', 4, 3)
    expect(register.message).toContain("unknown quantum register 'r'; declare it first with 'qreg r[n];'")
    const classical = refused(`${QASM2}qreg q[1];\ncreg c[1];\nh c[0];\n`, 'QASM_UNDECLARED', 5, 3)
    expect(classical.message).toContain("'c' is a classical register")
    refused(`${QASM2}qreg q[1];\nmeasure q -> c;\n`, 'QASM_UNDECLARED', 4, 14)
    refused(`${QASM2}qreg q[1];\nif (c == 1) x q;\n`, 'QASM_UNDECLARED', 4, 5)
    refused(`${QASM2}qreg q[1];\nrz(theta) q;\n`, 'QASM_UNDECLARED', 4, 4)
    refused(`${QASM2}gate g(a) x { rz(b) x; }\n`, 'QASM_UNDECLARED', 3, 18)
    refused(`${QASM2}gate g a { x b; }\n`, 'QASM_UNDECLARED', 3, 14)
    refused(`${QASM2}qreg q[1];\nrz(cosh(1)) q;\n`, 'QASM_UNDECLARED', 4, 4)
  })

  it('QASM_INDEX_OUT_OF_RANGE: an index past the register', () => {
    const err = refused(`${QASM2}qreg q[2];\nh q[2];\n`, 'QASM_INDEX_OUT_OF_RANGE', 4, 3)
    expect(err.message).toContain("q[2] is out of range: 'q' has 2 qubits, indices 0 to 1")
    expect(err.type).toMatchObject({ register: 'q', index: 2, size: 2 })
    refused(
      `${QASM2}qreg q[2];\ncreg c[1];\nmeasure q[0] -> c[99999999999999999999];\n`,
      'QASM_INDEX_OUT_OF_RANGE',
      5,
      17,
    )
  })

  it('QASM_BROADCAST_MISMATCH: registers of different sizes given whole', () => {
    const err = refused(`${QASM2}qreg q[2];\nqreg r[3];\ncx q, r;\n`, 'QASM_BROADCAST_MISMATCH', 5, 7)
    expect(err.message).toContain("'q' has 2 and 'r' has 3")
    refused(`${QASM2}qreg q[2];\ncreg c[3];\nmeasure q -> c;\n`, 'QASM_BROADCAST_MISMATCH', 5, 14)
    refused(`${QASM2}qreg q[2];\ncreg c[2];\nmeasure q -> c[0];\n`, 'QASM_BROADCAST_MISMATCH', 5, 14)
  })

  it('QASM_ARGUMENTS: wrong parameter or qubit counts, or one qubit twice', () => {
    const params = refused(`${QASM2}qreg q[2];\nrz(1, 2) q[0];\n`, 'QASM_ARGUMENTS', 4, 1)
    expect(params.message).toContain("gate 'rz' takes 1 parameter, but 2 are given")
    const qubits = refused(`${QASM2}qreg q[2];\ncx q[0];\n`, 'QASM_ARGUMENTS', 4, 1)
    expect(qubits.message).toContain("gate 'cx' acts on 2 qubits, but 1 is given")
    refused(`${QASM2}qreg q[2];\nh q[0], q[1];\n`, 'QASM_ARGUMENTS', 4, 1)
    const twice = refused(`${QASM2}qreg q[2];\ncx q[1], q[1];\n`, 'QASM_ARGUMENTS', 4, 10)
    expect(twice.message).toContain("'q[1]' twice")
    refused(`${QASM2}qreg q[2];\ncx q, q;\n`, 'QASM_ARGUMENTS', 4, 7)
    refused(`${QASM2}qreg q[2];\nccx q[0], q[1], q;\n`, 'QASM_ARGUMENTS', 4, 17)
    refused(`${QASM2}gate g a, b { cx a, a; }\n`, 'QASM_ARGUMENTS', 3, 21)
    refused(`${QASM2}gate g a { rz a; }\n`, 'QASM_ARGUMENTS', 3, 12)
  })

  it('QASM_BAD_VALUE: non-finite parameters, empty registers, impossible conditions', () => {
    const direct = refused(`${QASM2}qreg q[1];\nrz(1/0) q[0];\n`, 'QASM_BAD_VALUE', 4, 1)
    expect(direct.message).toContain("parameter 1 of gate 'rz' evaluates to Infinity")
    const nested = refused(
      `${QASM2}qreg q[1];\ngate g(t) a { u1(ln(t)) a; }\ng(-1) q;\n`,
      'QASM_BAD_VALUE',
      5,
      1,
    )
    expect(nested.message).toContain('evaluates to NaN')
    expect(nested.message).toContain("inside 'g'")
    refused(`${QASM2}qreg q[0];\n`, 'QASM_BAD_VALUE', 3, 8)
    const condition = refused(`${QASM2}qreg q[1];\ncreg c[2];\nif (c == 4) x q;\n`, 'QASM_BAD_VALUE', 5, 10)
    expect(condition.message).toContain('at most 3')
    refused(
      `${QASM2}qreg q[1];\ncreg c[2];\nif (c == ${'9'.repeat(100_000)}) x q;\n`,
      'QASM_BAD_VALUE',
      5,
      10,
    )
  })

  it('QASM_BAD_INCLUDE: any file but the version library', () => {
    const err = refused('OPENQASM 2.0;\ninclude "mygates.inc";\n', 'QASM_BAD_INCLUDE', 2, 1)
    expect(err.type).toMatchObject({ include: 'mygates.inc' })
    const wrong = refused('OPENQASM 2.0;\ninclude "stdgates.inc";\n', 'QASM_BAD_INCLUDE', 2, 1)
    expect(wrong.message).toContain('include "qelib1.inc"')
    refused('OPENQASM 3;\ninclude "qelib1.inc";\n', 'QASM_BAD_INCLUDE', 2, 1)
  })

  it('QASM_UNSUPPORTED: OpenQASM 3 beyond the subset, named and placed', () => {
    const loop = refused(`${QASM3}qubit[2] q;\nfor int i in [0:1] { h q[i]; }\n`, 'QASM_UNSUPPORTED', 4, 1)
    expect(loop.message).toContain("'for' loop")
    const cases: Array<[string, number, number, string]> = [
      ['ctrl @ x q[0], q[1];', 4, 1, "'ctrl @' gate modifier"],
      ['def f(qubit a) { h a; }', 4, 1, 'subroutine'],
      ['input float theta;', 4, 1, "'input'"],
      ['int n = 3;', 4, 1, "'int'"],
      ['c[0] = 1;', 4, 1, 'classical assignment'],
      ['measure q[0];', 4, 13, 'without a target'],
      ['if (c[0] == 1) x q[0];', 4, 5, 'single bit'],
      ['if (c != 1) x q[0];', 4, 7, "other than 'register == integer'"],
      ['if (c == 1) x q[0]; else x q[1];', 4, 21, "'else'"],
      ['h $0;', 4, 3, 'physical qubit'],
      ['h q[0:1];', 4, 6, 'slice'],
      ['rz(2 ^ 2) q[0];', 4, 6, "'**'"],
      ['opaque g a;', 4, 1, "'opaque'"],
      ['#pragma braket verbatim', 4, 1, 'pragma'],
      ['delay[100ns] q[0];', 4, 1, "'delay'"],
      ['if (c == 1) { barrier q; }', 4, 15, 'barrier'],
    ]
    for (const [statement, line, column, construct] of cases) {
      const err = refused(
        `${QASM3}qubit[2] q;\nbit[2] c;\n${statement}\n`,
        'QASM_UNSUPPORTED',
        line + 1,
        column,
      )
      expect(err.message).toContain(construct)
    }
  })

  it('QASM_TOO_LARGE: hostile sizes refused before the work is done', () => {
    refused(`${QASM2}qreg q[4097];\n`, 'QASM_TOO_LARGE', 3, 8)
    refused(`${QASM2}qreg a[4000];\nqreg b[97];\n`, 'QASM_TOO_LARGE', 4, 8)
    refused(`${QASM2}creg c[65537];\n`, 'QASM_TOO_LARGE', 3, 8)
    refused(`${QASM2}qreg q[1];\nrz(${'('.repeat(300)}1${')'.repeat(300)}) q;\n`, 'QASM_TOO_LARGE', 4, 260)

    // 2^40 operations from 40 lines: refused from the counts, before any expansion.
    const lines = ['qreg q[1];', 'gate g0 a { x a; x a; }']
    for (let i = 1; i < 40; i++) lines.push(`gate g${i} a { g${i - 1} a; g${i - 1} a; }`)
    lines.push('g39 q[0];')
    const started = performance.now()
    const bomb = refused(QASM2 + lines.join('\n'), 'QASM_TOO_LARGE', 44, 1)
    expect(performance.now() - started).toBeLessThan(100)
    expect(bomb.type).toMatchObject({ limit: 1_000_000 })

    const chain = ['gate g0 a { x a; }']
    for (let i = 1; i <= 256; i++) chain.push(`gate g${i} a { g${i - 1} a; }`)
    refused(QASM2 + chain.join('\n'), 'QASM_TOO_LARGE', 259, 6)

    refused(`OPENQASM 2.0;${' '.repeat(16 * 1024 * 1024)}`, 'QASM_TOO_LARGE', 1, 1)
    refused(new Uint8Array(16 * 1024 * 1024 + 1), 'QASM_TOO_LARGE', 1, 1)
  })
})
