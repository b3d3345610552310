// The gates a program can call: the version's built-ins, the libraries it includes, and its own
// definitions in order. User gates are kept compiled: parameter names bound to indices, qubit
// names to argument positions, and the size and depth of their expansion known up front.

import {
  type GateDefinition,
  QASM2_BUILTINS,
  QASM3_BUILTINS,
  QELIB1_GATES,
  STDGATES,
} from '../circuit/gates.ts'
import type { Expression, Position } from './ast.ts'
import { QasmError, where } from './errors.ts'
import type { QasmVersion } from './token-stream.ts'

export interface LibraryGate {
  readonly kind: 'library'
  readonly name: string
  readonly numParams: number
  readonly numQubits: number
  readonly definition: GateDefinition
  /** 'built in', 'qelib1.inc' or 'stdgates.inc', for messages. */
  readonly origin: string
}

export type GateStep =
  | {
      readonly kind: 'gate'
      readonly gate: LibraryGate | UserGate
      readonly params: readonly Expression[]
      /** Positions in the enclosing gate's qubit arguments. */
      readonly qubits: readonly number[]
    }
  | { readonly kind: 'barrier'; readonly qubits: readonly number[] }

export interface UserGate {
  readonly kind: 'user'
  readonly name: string
  readonly numParams: number
  readonly numQubits: number
  readonly body: readonly GateStep[]
  /** Operations one call expands to (a barrier counts once per qubit); may exceed every limit. */
  readonly ops: number
  /** 1 for a gate that calls only library gates. */
  readonly depth: number
  /** An opaque gate this one reaches, which makes it impossible to expand. */
  readonly opaque?: string
  readonly at: Position
}

export interface OpaqueGate {
  readonly kind: 'opaque'
  readonly name: string
  readonly numParams: number
  readonly numQubits: number
  readonly at: Position
}

export type Gate = LibraryGate | UserGate | OpaqueGate

interface Library {
  readonly file: string
  readonly gates: ReadonlyMap<string, GateDefinition>
}

/** The one file each version may include. */
const LIBRARIES: Readonly<Record<QasmVersion, Library>> = {
  2: { file: 'qelib1.inc', gates: QELIB1_GATES },
  3: { file: 'stdgates.inc', gates: STDGATES },
}

export class GateScope {
  private readonly file: string
  private readonly version: QasmVersion
  private readonly gates = new Map<string, Gate>()
  private included = false

  constructor(file: string, version: QasmVersion) {
    this.file = file
    this.version = version
    this.addLibrary(version === 2 ? QASM2_BUILTINS : QASM3_BUILTINS, 'built in', { line: 1, column: 1 })
  }

  /** The gate called `name`, or QASM_UNKNOWN_GATE with a hint at the likely fix. */
  lookup(name: string, at: Position, inGateBody: boolean): Gate {
    const gate = this.gates.get(name)
    if (gate !== undefined) return gate
    const hints: string[] = []
    const own = LIBRARIES[this.version]
    const other = LIBRARIES[this.version === 2 ? 3 : 2]
    if (own.gates.has(name) && !this.included) hints.push(`add include "${own.file}";`)
    else if (other.gates.has(name)) {
      hints.push(`'${name}' is in ${other.file}, not ${own.file}; define it with a 'gate' definition`)
    }
    if (inGateBody) {
      hints.push('a gate body can call only gates defined before it; definitions cannot be recursive')
    }
    throw new QasmError(
      { code: 'QASM_UNKNOWN_GATE', ...where(this.file, at), gate: name },
      `unknown gate '${name}'${hints.length > 0 ? `; ${hints.join('; ')}` : ''}`,
    )
  }

  /** A user gate or opaque declaration; its name must be new. */
  define(gate: UserGate | OpaqueGate, nameAt: Position): void {
    const existing = this.gates.get(gate.name)
    if (existing !== undefined) {
      throw new QasmError(
        { code: 'QASM_REDEFINED', ...where(this.file, nameAt), name: gate.name },
        `gate '${gate.name}' is already defined ${definedWhere(existing)}; choose another name`,
      )
    }
    this.gates.set(gate.name, gate)
  }

  /** `include "<path>";`: only the version's standard library exists. */
  include(path: string, at: Position): void {
    const own = LIBRARIES[this.version]
    if (path !== own.file) {
      const other = LIBRARIES[this.version === 2 ? 3 : 2]
      const hint =
        path === other.file
          ? `"${other.file}" is OpenQASM ${this.version === 2 ? 3 : 2}; include "${own.file}"`
          : `only "${own.file}" can be included; paste other definitions into the program`
      throw new QasmError(
        { code: 'QASM_BAD_INCLUDE', ...where(this.file, at), include: path },
        `cannot include "${path}": ${hint}`,
      )
    }
    this.addLibrary(own.gates, own.file, at)
    this.included = true
  }

  private addLibrary(gates: ReadonlyMap<string, GateDefinition>, origin: string, at: Position): void {
    for (const definition of gates.values()) {
      const existing = this.gates.get(definition.name)
      if (existing !== undefined && existing.kind !== 'library') {
        throw new QasmError(
          { code: 'QASM_REDEFINED', ...where(this.file, at), name: definition.name },
          `"${origin}" defines gate '${definition.name}', already defined ${definedWhere(existing)}; ` +
            'rename that definition or include the library first',
        )
      }
      if (existing !== undefined) continue
      const { name, numParams, numQubits } = definition
      this.gates.set(name, { kind: 'library', name, numParams, numQubits, definition, origin })
    }
  }
}

function definedWhere(gate: Gate): string {
  if (gate.kind === 'library')
    return gate.origin === 'built in' ? 'as a built-in gate' : `by "${gate.origin}"`
  return `at line ${gate.at.line}`
}
