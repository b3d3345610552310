// The parser's view of the lexer: a short lookahead and the errors every parse step raises.

import { QasmError } from './errors.ts'
import { describeToken, type Lexer, type Token } from './lexer.ts'

export type QasmVersion = 2 | 3

/** What the OpenQASM 3 subset covers, for refusals of everything else. */
const SUBSET = 'hcx reads qubit and bit registers, gates, measure, reset, barrier and if on a whole register'

export class TokenStream {
  readonly file: string
  private readonly lexer: Lexer
  private readonly ahead: Token[] = []

  constructor(lexer: Lexer, file: string) {
    this.lexer = lexer
    this.file = file
  }

  /** The token `k` places ahead, without consuming it. */
  peek(k = 0): Token {
    while (this.ahead.length <= k) this.ahead.push(this.lexer.next())
    return this.ahead[k] as Token
  }

  next(): Token {
    return this.ahead.shift() ?? this.lexer.next()
  }

  isSymbol(text: string, k = 0): boolean {
    const token = this.peek(k)
    return token.kind === 'symbol' && token.text === text
  }

  isWord(text: string, k = 0): boolean {
    const token = this.peek(k)
    return token.kind === 'identifier' && token.text === text
  }

  /** Consumes the symbol `text` when it is next. */
  accept(text: string): boolean {
    if (!this.isSymbol(text)) return false
    this.next()
    return true
  }

  /** `expected` reads in the message: "expected ';' after the gate call, found 'q'". */
  expectSymbol(text: string, context: string): Token {
    if (!this.isSymbol(text)) throw this.syntax(this.peek(), `'${text}' ${context}`)
    return this.next()
  }

  expectIdentifier(what: string): Token {
    const token = this.peek()
    if (token.kind !== 'identifier') throw this.syntax(token, what)
    return this.next()
  }

  syntax(found: Token, expected: string, hint?: string): QasmError {
    const shown = describeToken(found)
    return new QasmError(
      {
        code: 'QASM_SYNTAX',
        file: this.file,
        line: found.line,
        column: found.column,
        expected,
        found: shown,
      },
      `expected ${expected}, found ${shown}${hint === undefined ? '' : `; ${hint}`}`,
    )
  }

  /** OpenQASM 3 beyond the subset, named as `construct` ("a 'for' loop"). */
  unsupported(at: Token, construct: string): QasmError {
    return new QasmError(
      { code: 'QASM_UNSUPPORTED', file: this.file, line: at.line, column: at.column, construct },
      `${construct} is not supported; ${SUBSET}`,
    )
  }
}
