// The OpenQASM front end: source text (OpenQASM 2.0, or the OpenQASM 3 subset IBM and Braket
// accept for plain circuits) in, the flat circuit every backend runs out. Every refusal is a
// QasmError with a stable code and the file, line and column it concerns.

import type { Circuit } from '../circuit/circuit.ts'
import { Lowering } from './lower.ts'
import { Parser } from './parser.ts'
import { sourceText } from './source-text.ts'

export function parseQasm(source: string | Uint8Array, file: string): Circuit {
  const parser = new Parser(sourceText(source, file), file)
  const lowering = new Lowering(file, parser.version)
  for (let statement = parser.next(); statement !== undefined; statement = parser.next()) {
    lowering.statement(statement)
  }
  return lowering.circuit()
}
