// The statements the parser hands to the lowering, one at a time. Both OpenQASM versions map
// onto these: `c = measure q;` becomes the same Measure as `measure q -> c;`.

export interface Position {
  readonly line: number
  readonly column: number
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '^'

export type FunctionName = 'sin' | 'cos' | 'tan' | 'exp' | 'ln' | 'sqrt' | 'arcsin' | 'arccos' | 'arctan'

/** A parameter expression; constants are already numbers, names are gate parameters. */
export type Expression =
  | { readonly kind: 'number'; readonly value: number; readonly at: Position }
  | { readonly kind: 'name'; readonly name: string; readonly at: Position }
  /** A gate parameter resolved to its index, once the enclosing definition is known. */
  | { readonly kind: 'parameter'; readonly index: number; readonly at: Position }
  | { readonly kind: 'negate'; readonly operand: Expression; readonly at: Position }
  | {
      readonly kind: 'binary'
      readonly operator: BinaryOperator
      readonly left: Expression
      readonly right: Expression
      readonly at: Position
    }
  | {
      readonly kind: 'call'
      readonly name: FunctionName
      readonly argument: Expression
      readonly at: Position
    }

export interface Identifier {
  readonly name: string
  readonly at: Position
}

/** `q` (the whole register) or `q[3]`. */
export interface Operand {
  readonly name: string
  readonly index?: number
  readonly at: Position
}

export interface GateCall {
  readonly kind: 'call'
  readonly name: string
  readonly params: readonly Expression[]
  readonly operands: readonly Operand[]
  readonly at: Position
}

export interface Measure {
  readonly kind: 'measure'
  readonly qubit: Operand
  readonly target: Operand
  readonly at: Position
}

export interface Reset {
  readonly kind: 'reset'
  readonly qubit: Operand
  readonly at: Position
}

export interface Barrier {
  readonly kind: 'barrier'
  /** Empty in OpenQASM 3's `barrier;`: every qubit. */
  readonly operands: readonly Operand[]
  readonly at: Position
}

/** What may follow `if (c == n)`. */
export type QuantumOperation = GateCall | Measure | Reset

export interface If {
  readonly kind: 'if'
  readonly register: Identifier
  /** The integer literal as written (OpenQASM 3 allows 0x, 0o and 0b forms). */
  readonly value: string
  readonly valueAt: Position
  readonly body: readonly QuantumOperation[]
  readonly at: Position
}

export interface Include {
  readonly kind: 'include'
  readonly path: string
  readonly at: Position
}

export interface RegisterDeclaration {
  readonly kind: 'register'
  readonly quantum: boolean
  readonly name: Identifier
  readonly size: number
  readonly sizeAt: Position
  readonly at: Position
}

/** What a gate body may hold: calls and barriers on the gate's own arguments, by name. */
export type GateBodyStatement = GateCall | Barrier

export interface GateDefinition {
  readonly kind: 'gate'
  readonly name: Identifier
  readonly params: readonly Identifier[]
  readonly qubits: readonly Identifier[]
  /** Absent for an `opaque` declaration. */
  readonly body?: readonly GateBodyStatement[]
  readonly at: Position
}

export type Statement = Include | RegisterDeclaration | GateDefinition | QuantumOperation | Barrier | If
