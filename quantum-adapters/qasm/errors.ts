import { HcxError } from '../../errors/hcx-error.ts'

export const QASM_ERROR_CODES = [
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
] as const

export type QasmErrorCode = (typeof QASM_ERROR_CODES)[number]

/** Where in the source the problem is; line and column are 1-based, columns count characters. */
export interface QasmWhere {
  file: string
  line: number
  column: number
}

/** What each code carries besides the position. */
export type QasmErrorDetail =
  /** NUL bytes or invalid UTF-8; byteOffset is the first bad byte (or UTF-16 unit of a string). */
  | { code: 'QASM_NOT_TEXT'; byteOffset: number }
  | { code: 'QASM_SYNTAX'; expected: string; found: string }
  /** No `OPENQASM` header, or a version other than 2.0 and 3. */
  | { code: 'QASM_VERSION'; found: string }
  | { code: 'QASM_UNKNOWN_GATE'; gate: string }
  /** A gate body names the gate it defines. */
  | { code: 'QASM_RECURSIVE_GATE'; gate: string }
  /** A gate, register, parameter or gate argument declared twice. */
  | { code: 'QASM_REDEFINED'; name: string }
  | { code: 'QASM_UNDECLARED'; name: string }
  | { code: 'QASM_INDEX_OUT_OF_RANGE'; register: string; index: number; size: number }
  /** Registers given whole to one statement differ in size. */
  | { code: 'QASM_BROADCAST_MISMATCH' }
  /** Wrong number of parameters or qubits for a gate, or one qubit twice in one call. */
  | { code: 'QASM_ARGUMENTS'; gate: string }
  /** A non-finite gate parameter, an empty register, or a condition value the register cannot hold. */
  | { code: 'QASM_BAD_VALUE' }
  | { code: 'QASM_BAD_INCLUDE'; include: string }
  /** OpenQASM 3 beyond the subset hcx reads (loops, subroutines, classical types, modifiers…). */
  | { code: 'QASM_UNSUPPORTED'; construct: string }
  /** One of the limits against hostile input (qubits, clbits, operations, source size, nesting). */
  | { code: 'QASM_TOO_LARGE'; limit: number }

export type QasmErrorType = QasmWhere & QasmErrorDetail

/** Names in quotes longer than this are cut in messages (the error's fields keep them whole). */
const SHOWN_NAME_LENGTH = 80

/** `message` with every quoted name (quotes pair up left to right) cut to SHOWN_NAME_LENGTH. */
function shortenNames(message: string): string {
  return message.replace(/'[^'\n]*'|"[^"\n]*"/g, (quoted) =>
    quoted.length <= SHOWN_NAME_LENGTH + 2
      ? quoted
      : `${quoted.slice(0, SHOWN_NAME_LENGTH + 1)}…${quoted[0]}`,
  )
}

export class QasmError extends HcxError<QasmErrorType> {
  constructor(type: QasmErrorType, message: string) {
    super(type, `${type.file}:${type.line}:${type.column}: ${shortenNames(message)}`)
    this.name = 'QasmError'
  }
}

/** The `file`, `line` and `column` fields of an error at `at`. */
export function where(file: string, at: { readonly line: number; readonly column: number }): QasmWhere {
  return { file, line: at.line, column: at.column }
}

/** "1 qubit", "2 qubits". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
