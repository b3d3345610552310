// Quantum and classical registers: declarations in order, laid out one after another in the
// circuit's flat numbering, and the resolution of `q` and `q[i]` against them.

import type { Register } from '../circuit/circuit.ts'
import type { Identifier, Operand, Position, RegisterDeclaration } from './ast.ts'
import { plural, QasmError, where } from './errors.ts'
import { QASM_LIMITS } from './limits.ts'
import type { QasmVersion } from './token-stream.ts'

/** A resolved operand: a whole register, or one bit of it at an absolute index. */
export type Argument =
  | { readonly kind: 'register'; readonly register: Register; readonly at: Position }
  | { readonly kind: 'bit'; readonly register: Register; readonly index: number; readonly at: Position }

interface Declared {
  readonly register: Register
  readonly quantum: boolean
  readonly at: Position
}

export class Registers {
  readonly qregs: Register[] = []
  readonly cregs: Register[] = []
  numQubits = 0
  numClbits = 0
  private readonly file: string
  private readonly version: QasmVersion
  private readonly byName = new Map<string, Declared>()

  constructor(file: string, version: QasmVersion) {
    this.file = file
    this.version = version
  }

  declare(declaration: RegisterDeclaration): void {
    const { name, at } = declaration.name
    const { size, sizeAt, quantum } = declaration
    const existing = this.byName.get(name)
    if (existing !== undefined) {
      throw new QasmError(
        { code: 'QASM_REDEFINED', ...where(this.file, at), name },
        `register '${name}' is already declared at line ${existing.at.line}; choose another name`,
      )
    }
    if (size < 1) {
      throw new QasmError(
        { code: 'QASM_BAD_VALUE', ...where(this.file, sizeAt) },
        `register '${name}' has size 0; a register holds at least one bit`,
      )
    }
    const total = (quantum ? this.numQubits : this.numClbits) + size
    const limit = quantum ? QASM_LIMITS.qubits : QASM_LIMITS.clbits
    if (total > limit) {
      throw new QasmError(
        { code: 'QASM_TOO_LARGE', ...where(this.file, sizeAt), limit },
        `register '${name}' brings the circuit to ${total} ${quantum ? 'qubits' : 'classical bits'}, ` +
          `more than the limit of ${limit}`,
      )
    }
    const register: Register = { name, size, offset: quantum ? this.numQubits : this.numClbits }
    if (quantum) {
      this.qregs.push(register)
      this.numQubits = total
    } else {
      this.cregs.push(register)
      this.numClbits = total
    }
    this.byName.set(name, { register, quantum, at })
  }

  /** `q` or `q[i]` naming qubits. */
  quantum(operand: Operand): Argument {
    return this.resolve(operand, true)
  }

  classical(operand: Operand): Argument {
    return this.resolve(operand, false)
  }

  /** The classical register an `if` compares. */
  classicalRegister(identifier: Identifier): Register {
    return this.find(identifier.name, identifier.at, false)
  }

  private resolve(operand: Operand, quantum: boolean): Argument {
    const register = this.find(operand.name, operand.at, quantum)
    const { index, at } = operand
    if (index === undefined) return { kind: 'register', register, at }
    if (index >= register.size) {
      const { name, size } = register
      throw new QasmError(
        { code: 'QASM_INDEX_OUT_OF_RANGE', ...where(this.file, at), register: name, index, size },
        `${name}[${index}] is out of range: ` +
          `'${name}' has ${plural(size, quantum ? 'qubit' : 'bit')}, indices 0 to ${size - 1}`,
      )
    }
    return { kind: 'bit', register, index: register.offset + index, at }
  }

  private find(name: string, at: Position, quantum: boolean): Register {
    const declared = this.byName.get(name)
    if (declared !== undefined && declared.quantum === quantum) return declared.register
    const kind = quantum ? 'quantum' : 'classical'
    const declaration = quantum
      ? this.version === 2
        ? `qreg ${name}[n];`
        : `qubit[n] ${name};`
      : this.version === 2
        ? `creg ${name}[n];`
        : `bit[n] ${name};`
    const message =
      declared === undefined
        ? `unknown ${kind} register '${name}'; declare it first with '${declaration}'`
        : `'${name}' is a ${quantum ? 'classical' : 'quantum'} register, but a ${kind} one is needed here`
    throw new QasmError({ code: 'QASM_UNDECLARED', ...where(this.file, at), name }, message)
  }
}
