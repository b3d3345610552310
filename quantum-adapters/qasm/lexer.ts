// Splits OpenQASM 2 and 3 text into tokens on demand, so a large file never becomes a large
// token array. The token set is the union of both versions; the parser decides what each
// version allows.

import { QasmError } from './errors.ts'

export type TokenKind = 'identifier' | 'integer' | 'real' | 'string' | 'symbol' | 'hardware' | 'eof'

export interface Token {
  readonly kind: TokenKind
  /** The source text; for a string, what is between the quotes. */
  readonly text: string
  readonly line: number
  readonly column: number
}

const TWO_CHAR_SYMBOLS = new Set(['->', '==', '**', '!=', '<=', '>=', '+=', '-=', '*=', '/='])
const ONE_CHAR_SYMBOLS = new Set([...';,()[]{}+-*/^=@<>!%&|~:#'])

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the file'
    case 'string':
      return `"${shorten(token.text)}"`
    default:
      return `'${shorten(token.text)}'`
  }
}

const shorten = (text: string): string => (text.length <= 80 ? text : `${text.slice(0, 80)}…`)

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isAsciiIdentifierStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 12 || c === 11

const LETTER = /^\p{L}$/u
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u

export class Lexer {
  private readonly text: string
  private readonly file: string
  private offset = 0
  private line = 1
  private column = 1

  constructor(text: string, file: string) {
    this.text = text
    this.file = file
  }

  next(): Token {
    this.skipSpaceAndComments()
    const { text, offset: start, line, column } = this
    const c = text.charCodeAt(start)
    if (Number.isNaN(c)) return { kind: 'eof', text: '', line, column }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) return this.number()
    const identifierEnd = this.identifierEnd(start)
    if (identifierEnd > start) return this.token('identifier', identifierEnd)
    if (c === 34 || c === 39) {
      let end = start + 1
      while (end < text.length && text.charCodeAt(end) !== c && text.charCodeAt(end) !== 10) end++
      if (text.charCodeAt(end) !== c) {
        throw this.syntax(line, column, 'a closing quote for the string', 'the end of the line')
      }
      this.advanceTo(end + 1)
      return { kind: 'string', text: text.slice(start + 1, end), line, column }
    }
    if (c === 36 && isDigit(text.charCodeAt(start + 1))) {
      let end = start + 1
      while (isDigit(text.charCodeAt(end))) end++
      return this.token('hardware', end)
    }
    if (TWO_CHAR_SYMBOLS.has(text.slice(start, start + 2))) return this.token('symbol', start + 2)
    if (ONE_CHAR_SYMBOLS.has(text[start] as string)) return this.token('symbol', start + 1)
    const point = text.codePointAt(start) as number
    const shown =
      point < 0x20 || (point >= 0x7f && point < 0xa0) ? `U+${hex(point)}` : String.fromCodePoint(point)
    throw this.syntax(line, column, 'a statement, name, number or symbol', `the character '${shown}'`)
  }

  /** The token from the current offset to `end`, which holds no line break. */
  private token(kind: TokenKind, end: number): Token {
    const { text, offset: start, line, column } = this
    this.advanceTo(end)
    return { kind, text: text.slice(start, end), line, column }
  }

  private syntax(line: number, column: number, expected: string, found: string): QasmError {
    return new QasmError(
      { code: 'QASM_SYNTAX', file: this.file, line, column, expected, found },
      `expected ${expected}, found ${found}`,
    )
  }

  /** Moves to `end`, keeping line and column (in code points) up to date. */
  private advanceTo(end: number): void {
    const { text } = this
    let i = this.offset
    // Most tokens are plain ASCII on one line.
    while (i < end) {
      const c = text.charCodeAt(i)
      if (c === 10 || c >= 0x80) break
      i++
    }
    this.column += i - this.offset
    for (; i < end; i++) {
      const c = text.charCodeAt(i)
      if (c === 10) {
        this.line++
        this.column = 1
      } else if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) {
        this.column++
      }
    }
    this.offset = end
  }

  private skipSpaceAndComments(): void {
    const { text } = this
    for (;;) {
      const c = text.charCodeAt(this.offset)
      if (c === 10) {
        this.offset++
        this.line++
        this.column = 1
      } else if (isSpace(c)) {
        this.offset++
        this.column++
      } else if (c === 47 && text.charCodeAt(this.offset + 1) === 47) {
        const end = text.indexOf('\n', this.offset)
        this.advanceTo(end < 0 ? text.length : end)
      } else if (c === 47 && text.charCodeAt(this.offset + 1) === 42) {
        const end = text.indexOf('*/', this.offset + 2)
        if (end < 0)
          throw this.syntax(this.line, this.column, "'*/' to close the comment", 'the end of the file')
        this.advanceTo(end + 2)
      } else return
    }
  }

  /** The end of the identifier starting at `start`, or `start` when none starts there. */
  private identifierEnd(start: number): number {
    const { text } = this
    let end = start
    if (isAsciiIdentifierStart(text.charCodeAt(end))) {
      end++
      for (;;) {
        const c = text.charCodeAt(end)
        if (!isAsciiIdentifierStart(c) && !isDigit(c)) break
        end++
      }
      if (!(text.charCodeAt(end) >= 0x80)) return end
    }
    for (;;) {
      const c = text.charCodeAt(end)
      if (isAsciiIdentifierStart(c) || (end > start && isDigit(c))) {
        end++
        continue
      }
      if (c < 0x80 || Number.isNaN(c)) return end
      const point = text.codePointAt(end) as number
      const char = String.fromCodePoint(point)
      if (!(end > start ? LETTER_OR_DIGIT : LETTER).test(char)) return end
      end += char.length
    }
  }

  private number(): Token {
    const { text, offset: start, line, column } = this
    let end = start
    const second = text[start + 1]
    const radix = text[start] === '0' && second !== undefined ? RADIX_PREFIXES.get(second) : undefined
    if (radix !== undefined) {
      end += 2
      while (end < text.length && radix.test(text[end] as string)) end++
      if (end === start + 2)
        throw this.syntax(line, column, `digits after '${text.slice(start, end)}'`, 'none')
      this.advanceTo(end)
      return { kind: 'integer', text: text.slice(start, end), line, column }
    }
    let real = false
    while (isDigit(text.charCodeAt(end))) end++
    if (text.charCodeAt(end) === 46) {
      real = true
      end++
      while (isDigit(text.charCodeAt(end))) end++
    }
    const e = text.charCodeAt(end)
    if (e === 101 || e === 69) {
      const sign = text.charCodeAt(end + 1)
      const digitsAt = sign === 43 || sign === 45 ? end + 2 : end + 1
      if (isDigit(text.charCodeAt(digitsAt))) {
        real = true
        end = digitsAt
        while (isDigit(text.charCodeAt(end))) end++
      }
    }
    this.advanceTo(end)
    return { kind: real ? 'real' : 'integer', text: text.slice(start, end), line, column }
  }
}

// OpenQASM 3's hexadecimal, binary and octal integers.
const RADIX_PREFIXES: ReadonlyMap<string, RegExp> = new Map([
  ['x', /[0-9a-fA-F]/],
  ['X', /[0-9a-fA-F]/],
  ['b', /[01]/],
  ['B', /[01]/],
  ['o', /[0-7]/],
  ['O', /[0-7]/],
])

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff
}

function hex(point: number): string {
  return point.toString(16).toUpperCase().padStart(4, '0')
}
