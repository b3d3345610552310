// Parameter expressions. Precedence, loosest first: + -, then * /, then unary minus, then the
// power operator (right-associative, so -2^2 is -4 and 2^3^2 is 512, as in the OpenQASM 2
// grammar; OpenQASM 3 spells it ** and uses ^ for xor, which is refused).

import type { Expression, FunctionName, Position } from './ast.ts'
import { QasmError } from './errors.ts'
import type { Token } from './lexer.ts'
import { QASM_LIMITS } from './limits.ts'
import type { QasmVersion, TokenStream } from './token-stream.ts'

const FUNCTIONS_2: ReadonlySet<string> = new Set(['sin', 'cos', 'tan', 'exp', 'ln', 'sqrt'])
const FUNCTIONS_3: ReadonlySet<string> = new Set([...FUNCTIONS_2, 'arcsin', 'arccos', 'arctan'])

const CONSTANTS_2: ReadonlyMap<string, number> = new Map([['pi', Math.PI]])
const CONSTANTS_3: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['π', Math.PI],
  ['tau', 2 * Math.PI],
  ['τ', 2 * Math.PI],
  ['euler', Math.E],
  ['ℇ', Math.E],
])

/** The built-in constants of a version: names a gate parameter may not take. */
export function constants(version: QasmVersion): ReadonlyMap<string, number> {
  return version === 2 ? CONSTANTS_2 : CONSTANTS_3
}

const at = (token: Token): Position => ({ line: token.line, column: token.column })

export function parseExpression(s: TokenStream, version: QasmVersion): Expression {
  return new ExpressionParser(s, version).sum(0)
}

class ExpressionParser {
  private readonly s: TokenStream
  private readonly version: QasmVersion

  constructor(s: TokenStream, version: QasmVersion) {
    this.s = s
    this.version = version
  }

  sum(depth: number): Expression {
    let left = this.product(depth)
    while (this.s.isSymbol('+') || this.s.isSymbol('-')) {
      const operator = this.s.next()
      const right = this.product(depth)
      left = { kind: 'binary', operator: operator.text === '+' ? '+' : '-', left, right, at: at(operator) }
    }
    return left
  }

  private product(depth: number): Expression {
    let left = this.unary(depth)
    for (;;) {
      if (this.version === 3 && this.s.isSymbol('%'))
        throw this.s.unsupported(this.s.peek(), "the '%' operator")
      if (!this.s.isSymbol('*') && !this.s.isSymbol('/')) return left
      const operator = this.s.next()
      const right = this.unary(depth)
      left = { kind: 'binary', operator: operator.text === '*' ? '*' : '/', left, right, at: at(operator) }
    }
  }

  private unary(depth: number): Expression {
    const token = this.s.peek()
    if (token.kind === 'symbol' && (token.text === '-' || token.text === '+')) {
      this.s.next()
      const operand = this.unary(this.deeper(token, depth))
      return token.text === '-' ? { kind: 'negate', operand, at: at(token) } : operand
    }
    return this.power(depth)
  }

  private power(depth: number): Expression {
    const base = this.primary(depth)
    const power = this.version === 2 ? '^' : '**'
    if (this.version === 3 && this.s.isSymbol('^')) {
      throw this.s.unsupported(this.s.peek(), "the bitwise '^' operator (write '**' for a power)")
    }
    if (!this.s.isSymbol(power)) return base
    const operator = this.s.next()
    const exponent = this.unary(this.deeper(operator, depth))
    return { kind: 'binary', operator: '^', left: base, right: exponent, at: at(operator) }
  }

  private primary(depth: number): Expression {
    const token = this.s.peek()
    if (token.kind === 'integer' || token.kind === 'real') {
      this.s.next()
      if (this.version === 2 && /^0[xXbBoO]/.test(token.text)) {
        throw this.s.syntax(
          token,
          'a decimal number',
          'hexadecimal, octal and binary literals are OpenQASM 3',
        )
      }
      return { kind: 'number', value: Number(token.text), at: at(token) }
    }
    if (token.kind === 'identifier') {
      this.s.next()
      const constant = constants(this.version).get(token.text)
      if (constant !== undefined) return { kind: 'number', value: constant, at: at(token) }
      const functions = this.version === 2 ? FUNCTIONS_2 : FUNCTIONS_3
      if (functions.has(token.text)) {
        this.s.expectSymbol('(', `after '${token.text}'`)
        const argument = this.sum(this.deeper(token, depth))
        this.s.expectSymbol(')', `to close the argument of '${token.text}'`)
        return { kind: 'call', name: token.text as FunctionName, argument, at: at(token) }
      }
      if (this.s.isSymbol('(')) {
        const known = [...functions].join(', ')
        throw new QasmError(
          {
            code: 'QASM_UNDECLARED',
            file: this.s.file,
            line: token.line,
            column: token.column,
            name: token.text,
          },
          `unknown function '${token.text}'; the functions are ${known}`,
        )
      }
      return { kind: 'name', name: token.text, at: at(token) }
    }
    if (token.kind === 'symbol' && token.text === '(') {
      this.s.next()
      const inner = this.sum(this.deeper(token, depth))
      this.s.expectSymbol(')', 'to close the parenthesis')
      return inner
    }
    throw this.s.syntax(token, 'an expression')
  }

  /** One level deeper, refused past the limit: parsing recurses per level. */
  private deeper(token: Token, depth: number): number {
    const limit = QASM_LIMITS.expressionNesting
    if (depth + 1 <= limit) return depth + 1
    throw new QasmError(
      { code: 'QASM_TOO_LARGE', file: this.s.file, line: token.line, column: token.column, limit },
      `expression nested more than ${limit} levels deep`,
    )
  }
}
