import { describe, expect, it } from 'vitest'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'

/** The parameter `expression` evaluates to, as an rz angle in an OpenQASM `version` program. */
function value(expression: string, version: '2.0' | '3.0' = '2.0'): number {
  const include = version === '2.0' ? 'qelib1.inc' : 'stdgates.inc'
  const program = `OPENQASM ${version};\ninclude "${include}";\nqreg q[1];\nrz(${expression}) q[0];\n`
  const op = parseQasm(program, 'expr.qasm').ops[0]
  if (op?.kind !== 'gate') throw new Error('expected one gate')
  return op.params[0] as number
}

describe('parameter expressions', () => {
  it.each([
    ['1.5e-3', 0.0015],
    ['.5', 0.5],
    ['1.', 1],
    ['2E2', 200],
    ['7', 7],
    ['pi', Math.PI],
    ['-pi', -Math.PI],
    ['--1', 1],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['8 / 4 / 2', 1],
    ['1 - 2 - 3', -4],
    ['2 * -3', -6],
    ['-(1 + 2)', -3],
    ['2^3', 8],
    ['2^3^2', 512],
    ['-2^2', -4],
    ['(-2)^2', 4],
    ['2^-1', 0.5],
    ['3 * 2^2', 12],
    ['sin(pi / 2)', 1],
    ['cos(0)', 1],
    ['tan(pi / 4)', 1],
    ['exp(1)', Math.E],
    ['ln(exp(2))', 2],
    ['sqrt(16)', 4],
    ['sqrt(2) * sqrt(2) / 2', 1],
  ])('OpenQASM 2 reads %s as %d', (expression, expected) => {
    expect(value(expression)).toBeCloseTo(expected, 12)
  })

  it.each([
    ['2**3', 8],
    ['-2**2', -4],
    ['2**3**2', 512],
    ['π', Math.PI],
    ['tau', 2 * Math.PI],
    ['τ / 2', Math.PI],
    ['euler', Math.E],
    ['ℇ', Math.E],
    ['ln(euler)', 1],
    ['arcsin(1)', Math.PI / 2],
    ['arccos(1)', 0],
    ['arctan(1)', Math.PI / 4],
    ['0x10', 16],
  ])('OpenQASM 3 reads %s as %d', (expression, expected) => {
    expect(value(expression, '3.0')).toBeCloseTo(expected, 12)
  })

  it("passes a gate's parameters through expressions inside its body", () => {
    const program = [
      'OPENQASM 2.0;',
      'include "qelib1.inc";',
      'qreg q[1];',
      'gate g(a, b) x { u3(a^2, -b / 2, sin(a) * cos(b)) x; }',
      'g(3, pi) q[0];',
    ].join('\n')
    const op = parseQasm(program, 'g.qasm').ops[0]
    expect(op?.kind === 'gate' && op.params).toEqual([9, -Math.PI / 2, Math.sin(3) * Math.cos(Math.PI)])
  })
})
