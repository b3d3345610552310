// Whatever it is given, parseQasm returns a circuit or throws a QasmError whose position lies
// inside the source: never a TypeError, RangeError or stack overflow from hostile input.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { QasmError } from '../../quantum-adapters/qasm/errors.ts'
import { parseQasm } from '../../quantum-adapters/qasm/parse-qasm.ts'

const RUNS = { seed: 42, numRuns: 200 }

function parsesOrRefuses(source: string | Uint8Array): void {
  try {
    parseQasm(source, 'fuzz.qasm')
  } catch (err) {
    expect(err).toBeInstanceOf(QasmError)
    const { line, column } = (err as QasmError).type
    expect(line).toBeGreaterThanOrEqual(1)
    expect(column).toBeGreaterThanOrEqual(1)
    expect((err as QasmError).message.startsWith(`fuzz.qasm:${line}:${column}: `)).toBe(true)
    if (typeof source === 'string') expect(line).toBeLessThanOrEqual(source.split('\n').length)
  }
}

// Pieces of both versions, so random programs get past the header and into every statement.
const PIECES = [
  'OPENQASM 2.0;',
  'OPENQASM 3;',
  'include "qelib1.inc";',
  'include "stdgates.inc";',
  'qreg',
  'creg',
  'qubit',
  'bit',
  'gate',
  'opaque',
  'measure',
  'reset',
  'barrier',
  'if',
  'gphase',
  'ctrl @',
  'for',
  'q',
  'c',
  'a',
  'h',
  'cx',
  'U',
  'rz',
  'ccx',
  'pi',
  'π',
  'sin',
  'ln',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ';',
  ',',
  '->',
  '==',
  '=',
  '-',
  '+',
  '*',
  '/',
  '^',
  '**',
  '0',
  '1',
  '2',
  '4097',
  '0x3',
  '1.5e-3',
  '.5',
  '1e999',
  '$0',
  '#',
  '\n',
  '// c\n',
  '/* c */',
  '"s"',
]

// Mostly ASCII, and any code point at all, NUL and unpaired surrogates included. (fast-check's
// own 'binary' unit spends over a second building its tables.)
const ANY_CHARACTER = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point)), weight: 1 },
)

const program = (header: string) =>
  fc
    .array(fc.constantFrom(...PIECES), { maxLength: 60 })
    .map((pieces) => `${header}\nqreg q[3];\ncreg c[3];\n${pieces.join(' ')}`)

describe('parseQasm on arbitrary input', () => {
  it('refuses arbitrary strings only with QasmError', () => {
    fc.assert(fc.property(fc.string({ unit: ANY_CHARACTER, maxLength: 200 }), parsesOrRefuses), RUNS)
  })

  it('refuses arbitrary bytes only with QasmError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), parsesOrRefuses), RUNS)
  })

  it('refuses random OpenQASM 2 and 3 token sequences only with QasmError', () => {
    const header = fc.constantFrom(
      'OPENQASM 2.0;\ninclude "qelib1.inc";',
      'OPENQASM 3.0;\ninclude "stdgates.inc";',
    )
    fc.assert(fc.property(header.chain(program), parsesOrRefuses), RUNS)
  })
})
