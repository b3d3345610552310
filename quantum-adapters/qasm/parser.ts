// Reads the version header, then one statement per call to next(). OpenQASM 3 statements
// outside the subset hcx runs are refused here, by name and position.

import type {
  Barrier,
  Expression,
  GateBodyStatement,
  GateCall,
  GateDefinition,
  Identifier,
  If,
  Include,
  Measure,
  Operand,
  Position,
  QuantumOperation,
  RegisterDeclaration,
  Statement,
} from './ast.ts'
import { QasmError } from './errors.ts'
import { describeToken, Lexer, type Token } from './lexer.ts'
import { parseExpression } from './parse-expression.ts'
import { type QasmVersion, TokenStream } from './token-stream.ts'
import { unsupportedConstruct } from './unsupported.ts'

const at = (token: Token): Position => ({ line: token.line, column: token.column })
const identifier = (token: Token): Identifier => ({ name: token.text, at: at(token) })
const registerDeclaration = (
  keyword: Token,
  quantum: boolean,
  name: Token,
  size: { value: number; at: Position },
): RegisterDeclaration => ({
  kind: 'register',
  quantum,
  name: identifier(name),
  size: size.value,
  sizeAt: size.at,
  at: at(keyword),
})

/** Words that start a statement which cannot appear inside a gate body or an `if`. */
const DECLARATIONS = new Set(['include', 'qreg', 'creg', 'qubit', 'bit', 'gate', 'opaque', 'OPENQASM'])
/** Words that start a statement which cannot appear inside a gate body. */
const NOT_IN_GATE_BODY = new Set([...DECLARATIONS, 'measure', 'reset', 'if'])
/** Words that start a statement which cannot follow an `if`. */
const NOT_AFTER_IF = new Set([...DECLARATIONS, 'if', 'barrier'])
const VERSIONS: ReadonlyMap<string, QasmVersion> = new Map([
  ['2.0', 2],
  ['2', 2],
  ['3.0', 3],
  ['3', 3],
])
/** What follows the target of an OpenQASM 3 assignment: `c = …`, `c[0] = …`, `c += …`. */
const ASSIGNMENT = new Set(['=', '[', '+=', '-=', '*=', '/='])

export class Parser {
  readonly version: QasmVersion
  private readonly s: TokenStream

  constructor(text: string, file: string) {
    this.s = new TokenStream(new Lexer(text, file), file)
    this.version = this.header()
  }

  /** The next statement, or undefined at the end of the file. */
  next(): Statement | undefined {
    const { s } = this
    const token = s.peek()
    if (token.kind === 'eof') return undefined
    if (token.kind !== 'identifier') {
      if (this.version === 3) this.refuseUnsupported(token)
      throw s.syntax(token, 'a statement')
    }
    switch (token.text) {
      case 'OPENQASM':
        throw s.syntax(token, 'a statement', 'the version header appears once, at the top of the file')
      case 'include':
        return this.include()
      case 'qreg':
      case 'creg':
        return this.oldRegister()
      case 'gate':
        return this.gateDefinition(false)
      case 'opaque':
        if (this.version === 3) throw s.unsupported(token, "an 'opaque' declaration (OpenQASM 2 only)")
        return this.gateDefinition(true)
      case 'if':
        return this.ifStatement()
      case 'barrier':
        return this.barrier(false)
    }
    if (this.version === 3) {
      if (token.text === 'qubit' || token.text === 'bit') return this.newRegister()
      this.refuseUnsupported(token)
    }
    return this.quantumOperation()
  }

  private header(): QasmVersion {
    const { s } = this
    const keyword = s.peek()
    if (keyword.kind !== 'identifier' || keyword.text !== 'OPENQASM') {
      throw new QasmError(
        {
          code: 'QASM_VERSION',
          file: s.file,
          line: keyword.line,
          column: keyword.column,
          found: keyword.text,
        },
        "the file must start with the header 'OPENQASM 2.0;' or 'OPENQASM 3.0;'",
      )
    }
    s.next()
    const number = s.peek()
    const version =
      number.kind === 'integer' || number.kind === 'real' ? VERSIONS.get(number.text) : undefined
    if (version === undefined) {
      throw new QasmError(
        { code: 'QASM_VERSION', file: s.file, line: number.line, column: number.column, found: number.text },
        number.kind === 'integer' || number.kind === 'real'
          ? `unsupported OpenQASM version '${number.text}'; hcx reads 'OPENQASM 2.0;' and 'OPENQASM 3.0;'`
          : `expected a version number after 'OPENQASM', found ${describeToken(number)}`,
      )
    }
    s.next()
    s.expectSymbol(';', 'after the OpenQASM version')
    return version
  }

  /** Throws QASM_UNSUPPORTED when `token` starts an OpenQASM 3 construct outside the subset. */
  private refuseUnsupported(token: Token): void {
    const construct = unsupportedConstruct(token)
    if (construct !== undefined) throw this.s.unsupported(token, construct)
  }

  private include(): Include {
    const { s } = this
    const keyword = s.next()
    const path = s.peek()
    if (path.kind !== 'string') throw s.syntax(path, "a quoted file name after 'include'")
    s.next()
    s.expectSymbol(';', 'after the include')
    return { kind: 'include', path: path.text, at: at(keyword) }
  }

  /** `qreg q[2];` and `creg c[2];`, in both versions. */
  private oldRegister(): RegisterDeclaration {
    const { s } = this
    const keyword = s.next()
    const name = s.expectIdentifier('a register name')
    s.expectSymbol('[', 'and the register size')
    const size = this.integer('the register size')
    s.expectSymbol(']', 'after the register size')
    s.expectSymbol(';', 'after the register declaration')
    return registerDeclaration(keyword, keyword.text === 'qreg', name, size)
  }

  /** OpenQASM 3's `qubit[2] q;`, `qubit q;`, `bit[2] c;` and `bit c;`. */
  private newRegister(): RegisterDeclaration {
    const { s } = this
    const keyword = s.next()
    let size = { value: 1, at: at(keyword) }
    if (s.accept('[')) {
      size = this.integer('the register size')
      s.expectSymbol(']', 'after the register size')
    }
    const name = s.expectIdentifier('a register name')
    if (s.isSymbol('=')) throw s.unsupported(s.peek(), 'a register initializer')
    s.expectSymbol(';', 'after the register declaration')
    return registerDeclaration(keyword, keyword.text === 'qubit', name, size)
  }

  /** A non-negative integer literal (register sizes, indices) and where it is. */
  private integer(what: string): { value: number; at: Position } {
    const { s } = this
    const token = s.peek()
    if (token.kind !== 'integer' || (this.version === 2 && /^0[xXbBoO]/.test(token.text))) {
      if (this.version === 3 && token.kind !== 'eof' && !s.isSymbol(']')) {
        throw s.unsupported(token, `${what} as an expression other than an integer literal`)
      }
      throw s.syntax(token, `${what} as an integer`)
    }
    s.next()
    return { value: Number(token.text), at: at(token) }
  }

  private gateDefinition(opaque: boolean): GateDefinition {
    const { s } = this
    const keyword = s.next()
    const name = s.expectIdentifier(`a gate name after '${keyword.text}'`)
    const params: Identifier[] = []
    if (s.accept('(')) {
      if (!s.isSymbol(')')) {
        do params.push(identifier(s.expectIdentifier('a parameter name')))
        while (s.accept(','))
      }
      s.expectSymbol(')', 'after the gate parameters')
    }
    const qubits: Identifier[] = []
    do qubits.push(identifier(s.expectIdentifier('a qubit argument name')))
    while (s.accept(','))
    const definition = { kind: 'gate', name: identifier(name), params, qubits, at: at(keyword) } as const
    if (opaque) {
      s.expectSymbol(';', 'after the opaque declaration')
      return definition
    }
    s.expectSymbol('{', 'to start the gate body')
    const body: GateBodyStatement[] = []
    while (!s.accept('}')) body.push(this.gateBodyStatement())
    return { ...definition, body }
  }

  private gateBodyStatement(): GateBodyStatement {
    const { s } = this
    const token = s.peek()
    if (token.kind !== 'identifier') {
      if (this.version === 3) this.refuseUnsupported(token)
      throw s.syntax(token, "a gate call, 'barrier' or '}' in the gate body")
    }
    if (this.version === 3) this.refuseUnsupported(token)
    if (NOT_IN_GATE_BODY.has(token.text)) {
      throw s.syntax(token, "a gate call, 'barrier' or '}'", 'a gate body holds only gate calls and barriers')
    }
    return token.text === 'barrier' ? this.barrier(true) : this.gateCall(true)
  }

  private ifStatement(): If {
    const { s } = this
    const keyword = s.next()
    s.expectSymbol('(', "after 'if'")
    const register = s.peek()
    if (register.kind !== 'identifier') {
      if (this.version === 3) throw s.unsupported(register, "a condition other than 'register == integer'")
      throw s.syntax(register, 'a classical register name in the condition')
    }
    s.next()
    if (this.version === 3 && s.isSymbol('[')) {
      throw s.unsupported(register, 'a condition on a single bit (compare the whole register)')
    }
    if (!s.isSymbol('==')) {
      if (this.version === 3) throw s.unsupported(s.peek(), "a condition other than 'register == integer'")
      throw s.syntax(s.peek(), "'==' in the condition")
    }
    s.next()
    const value = s.peek()
    if (value.kind !== 'integer' || (this.version === 2 && /^0[xXbBoO]/.test(value.text))) {
      if (this.version === 3) throw s.unsupported(value, 'a condition value other than an integer literal')
      throw s.syntax(value, 'an integer in the condition')
    }
    s.next()
    s.expectSymbol(')', 'to close the condition')
    const body = this.version === 3 && s.accept('{') ? this.block() : [this.conditionalOperation()]
    if (s.isWord('else')) throw s.unsupported(s.peek(), "an 'else' branch")
    return {
      kind: 'if',
      register: identifier(register),
      value: value.text,
      valueAt: at(value),
      body,
      at: at(keyword),
    }
  }

  /** The statements of an OpenQASM 3 `if (…) { … }`, after the opening brace. */
  private block(): QuantumOperation[] {
    const body: QuantumOperation[] = []
    while (!this.s.accept('}')) body.push(this.conditionalOperation())
    return body
  }

  private conditionalOperation(): QuantumOperation {
    const { s } = this
    const token = s.peek()
    if (this.version === 3) {
      this.refuseUnsupported(token)
      if (token.kind === 'identifier' && (token.text === 'if' || token.text === 'barrier')) {
        throw s.unsupported(token, `'${token.text}' inside an 'if'`)
      }
    }
    if (token.kind !== 'identifier' || NOT_AFTER_IF.has(token.text)) {
      throw s.syntax(token, "a gate call, 'measure' or 'reset' after the condition")
    }
    return this.quantumOperation()
  }

  /** A gate call, `measure`, `reset`, or OpenQASM 3's `c = measure q;`. */
  private quantumOperation(): QuantumOperation {
    const { s } = this
    const token = s.peek()
    if (token.text === 'measure') return this.measure()
    if (token.text === 'reset') {
      s.next()
      const qubit = this.operand('a qubit or register to reset')
      s.expectSymbol(';', 'after the reset')
      return { kind: 'reset', qubit, at: at(token) }
    }
    if (this.version === 3) {
      const after = s.peek(1)
      if (after.kind === 'symbol' && ASSIGNMENT.has(after.text)) {
        return this.assignment()
      }
    }
    return this.gateCall(false)
  }

  private measure(): Measure {
    const { s } = this
    const keyword = s.next()
    const qubit = this.operand('a qubit or register to measure')
    if (this.version === 3 && s.isSymbol(';')) {
      throw s.unsupported(s.peek(), "a 'measure' without a target bit (write 'c = measure q;')")
    }
    s.expectSymbol('->', 'after the measured qubits')
    const target = this.operand('a bit or classical register after ->')
    s.expectSymbol(';', 'after the measure')
    return { kind: 'measure', qubit, target, at: at(keyword) }
  }

  /** OpenQASM 3's `c = measure q;` and `c[0] = measure q[0];`; other assignments are refused. */
  private assignment(): Measure {
    const { s } = this
    const start = s.peek()
    const target = this.operand('a bit or classical register')
    const operator = s.peek()
    const compound = operator.kind === 'symbol' && operator.text !== '=' && operator.text.endsWith('=')
    if (compound) throw s.unsupported(start, 'a classical assignment')
    if (!s.isSymbol('=')) throw s.syntax(operator, "'=' after the assignment target")
    s.next()
    if (!s.isWord('measure')) throw s.unsupported(start, 'a classical assignment')
    s.next()
    const qubit = this.operand('a qubit or register to measure')
    s.expectSymbol(';', 'after the measure')
    return { kind: 'measure', qubit, target, at: at(start) }
  }

  private barrier(inGateBody: boolean): Barrier {
    const { s } = this
    const keyword = s.next()
    const operands: Operand[] = []
    // OpenQASM 3's bare `barrier;` spans every qubit.
    if (!(this.version === 3 && s.isSymbol(';'))) {
      do operands.push(this.operand('a qubit or register after barrier', inGateBody))
      while (s.accept(','))
    }
    s.expectSymbol(';', 'after the barrier')
    return { kind: 'barrier', operands, at: at(keyword) }
  }

  private gateCall(inGateBody: boolean): GateCall {
    const { s } = this
    const name = s.expectIdentifier('a gate name')
    const params: Expression[] = []
    if (s.accept('(')) {
      if (!s.isSymbol(')')) {
        do params.push(parseExpression(s, this.version))
        while (s.accept(','))
      }
      s.expectSymbol(')', 'after the gate parameters')
    }
    const operands: Operand[] = []
    // OpenQASM 3's gphase acts on no qubit in particular.
    if (!(this.version === 3 && name.text === 'gphase' && s.isSymbol(';'))) {
      do operands.push(this.operand('a qubit or register argument', inGateBody))
      while (s.accept(','))
    }
    s.expectSymbol(';', 'after the gate call')
    return { kind: 'call', name: name.text, params, operands, at: at(name) }
  }

  /** `q` or `q[3]`; inside a gate body only a plain argument name. */
  private operand(what: string, inGateBody = false): Operand {
    const { s } = this
    const token = s.peek()
    if (token.kind === 'hardware' && this.version === 3) {
      throw s.unsupported(token, `a physical qubit ('${token.text}')`)
    }
    if (token.kind !== 'identifier') throw s.syntax(token, what)
    s.next()
    if (!s.isSymbol('[')) return { name: token.text, at: at(token) }
    if (inGateBody) {
      throw s.syntax(s.peek(), `';' or ','`, 'a gate body names its qubit arguments without an index')
    }
    s.next()
    const index = this.integer('an index').value
    if (this.version === 3 && (s.isSymbol(':') || s.isSymbol(','))) {
      throw s.unsupported(s.peek(), 'a register slice or index list')
    }
    s.expectSymbol(']', 'after the index')
    return { name: token.text, index, at: at(token) }
  }
}
