// Turns the bytes or string handed in into program text, refusing what is not text at all
// (a binary uploaded by mistake, or hostile input) before the lexer sees it.

import { QasmError } from './errors.ts'
import { QASM_LIMITS } from './limits.ts'

export function sourceText(source: string | Uint8Array, file: string): string {
  return typeof source === 'string' ? checkString(source, file) : decodeBytes(source, file)
}

function tooLarge(file: string, bytes: number): QasmError {
  const limit = QASM_LIMITS.sourceBytes
  return new QasmError(
    { code: 'QASM_TOO_LARGE', file, line: 1, column: 1, limit },
    `the source is ${bytes} bytes, more than the ${limit}-byte limit`,
  )
}

/** `before` is the text up to the bad byte or character, which sits at `offset`. */
function notText(file: string, before: string, offset: number, what: string): QasmError {
  const { line, column } = endPosition(before)
  return new QasmError(
    { code: 'QASM_NOT_TEXT', file, line, column, byteOffset: offset },
    `${what} at offset ${offset}: this is not an OpenQASM text file`,
  )
}

function checkString(source: string, file: string): string {
  // Every UTF-16 unit is at least one UTF-8 byte, and at most three.
  if (source.length > QASM_LIMITS.sourceBytes) throw tooLarge(file, source.length)
  if (source.length * 3 > QASM_LIMITS.sourceBytes) {
    const bytes = Buffer.byteLength(source, 'utf8')
    if (bytes > QASM_LIMITS.sourceBytes) throw tooLarge(file, bytes)
  }
  const nul = source.indexOf('\0')
  const lone = source.isWellFormed() ? -1 : firstLoneSurrogate(source)
  if (nul >= 0 && (lone < 0 || nul < lone)) throw notText(file, source.slice(0, nul), nul, 'a NUL character')
  if (lone >= 0) throw notText(file, source.slice(0, lone), lone, 'an unpaired UTF-16 surrogate')
  return source.startsWith('\uFEFF') ? source.slice(1) : source
}

function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else return i
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return i
  }
  return -1
}

function decodeBytes(bytes: Uint8Array, file: string): string {
  if (bytes.length > QASM_LIMITS.sourceBytes) throw tooLarge(file, bytes.length)
  const bad = firstBadByte(bytes)
  if (bad >= 0) {
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad))
    throw notText(file, before, bad, bytes[bad] === 0 ? 'a NUL byte' : 'invalid UTF-8')
  }
  // The default decoder drops a leading byte-order mark.
  return new TextDecoder('utf-8').decode(bytes)
}

/** The offset of the first NUL byte or of the first byte of an invalid UTF-8 sequence, or -1. */
function firstBadByte(bytes: Uint8Array): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i] as number
    if (b === 0) return i
    if (b < 0x80) {
      i++
      continue
    }
    let length: number
    let low = 0x80
    let high = 0xbf
    if (b >= 0xc2 && b <= 0xdf) length = 2
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3
      // No overlong forms, and no UTF-16 surrogates.
      if (b === 0xe0) low = 0xa0
      if (b === 0xed) high = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4
      // No overlong forms, and nothing past U+10FFFF.
      if (b === 0xf0) low = 0x90
      if (b === 0xf4) high = 0x8f
    } else return i
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i
    }
    i += length
  }
  return -1
}

/** 1-based line and column (in code points) just past the end of `text`. */
function endPosition(text: string): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  let column = 1
  for (let i = lineStart; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    // The second half of a surrogate pair is the same character.
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > lineStart && isHighSurrogate(text.charCodeAt(i - 1)))) {
      column++
    }
  }
  return { line, column }
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff
}
