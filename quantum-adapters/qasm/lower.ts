// Turns statements, in program order, into the flat circuit: declarations fill the register and
// gate tables, operations are broadcast over registers and user gates expanded.

import type { Circuit, CircuitOp, Condition, Register } from '../circuit/circuit.ts'
import type { Barrier, GateCall, If, Measure, Position, QuantumOperation, Reset, Statement } from './ast.ts'
import { bitsAt, broadcastWidth, checkDistinct } from './broadcast.ts'
import { checkParamCount, checkQubitCount, compileGate } from './compile-gate.ts'
import { plural, QasmError, where } from './errors.ts'
import { expand, moveOnto } from './expand.ts'
import { bindNames, evaluate } from './expression.ts'
import { GateScope } from './gate-scope.ts'
import { QASM_LIMITS } from './limits.ts'
import { Registers } from './registers.ts'
import type { QasmVersion } from './token-stream.ts'

/** 0, 1, 2…: the qubits a broadcast's template is expanded on. */
const LOCAL_QUBITS: readonly number[] = Array.from({ length: QASM_LIMITS.qubits }, (_, i) => i)

export class Lowering {
  private readonly file: string
  private readonly version: QasmVersion
  private readonly gates: GateScope
  private readonly registers: Registers
  private readonly ops: CircuitOp[] = []
  /** Operations spent against QASM_LIMITS.ops (a barrier counts once per qubit). */
  private spent = 0

  constructor(file: string, version: QasmVersion) {
    this.file = file
    this.version = version
    this.gates = new GateScope(file, version)
    this.registers = new Registers(file, version)
  }

  statement(statement: Statement): void {
    switch (statement.kind) {
      case 'include':
        this.gates.include(statement.path, statement.at)
        break
      case 'register':
        this.registers.declare(statement)
        break
      case 'gate':
        this.gates.define(compileGate(statement, this.gates, this.version, this.file), statement.name.at)
        break
      case 'barrier':
        this.barrier(statement)
        break
      case 'if':
        this.conditional(statement)
        break
      default:
        this.operation(statement, undefined)
    }
  }

  circuit(): Circuit {
    const { numQubits, numClbits, qregs, cregs } = this.registers
    return { numQubits, numClbits, qregs: [...qregs], cregs: [...cregs], ops: this.ops }
  }

  private operation(operation: QuantumOperation, condition: Condition | undefined): void {
    switch (operation.kind) {
      case 'call':
        this.call(operation, condition)
        break
      case 'measure':
        this.measure(operation, condition)
        break
      case 'reset':
        this.reset(operation, condition)
        break
    }
  }

  private call(call: GateCall, condition: Condition | undefined): void {
    // gphase changes no counts: checked, then dropped.
    if (this.version === 3 && call.name === 'gphase') {
      checkParamCount(call, 1, this.file)
      this.evaluateParams(call)
      for (const operand of call.operands) this.registers.quantum(operand)
      return
    }
    const gate = this.gates.lookup(call.name, call.at, false)
    if (gate.kind === 'opaque' || (gate.kind === 'user' && gate.opaque !== undefined)) {
      const opaque = gate.kind === 'opaque' ? gate.name : (gate.opaque ?? gate.name)
      const through = opaque === gate.name ? '' : `calls opaque gate '${opaque}', which `
      throw new QasmError(
        { code: 'QASM_UNKNOWN_GATE', ...where(this.file, call.at), gate: opaque },
        `gate '${gate.name}' ${through}is declared opaque and has no definition to run; ` +
          `define it with 'gate ${opaque} … { … }'`,
      )
    }
    checkParamCount(call, gate.numParams, this.file)
    checkQubitCount(call, gate.numQubits, this.file)
    const params = this.evaluateParams(call)
    const args = call.operands.map((operand) => this.registers.quantum(operand))
    const width = broadcastWidth(args, this.file, call.name)
    checkDistinct(args, this.file, call.name)
    const perRun = gate.kind === 'user' ? gate.ops : 1
    this.spend(width * perRun, call.at)
    // A gate whose expansion is empty needs no runs (and hostile input could ask for many).
    if (perRun === 0) return
    const badParameter = (name: string, index: number, value: number, within: readonly string[]): never => {
      const inside = within.length === 0 ? '' : ` (inside ${within.map((g) => `'${g}'`).join(' in ')})`
      throw new QasmError(
        { code: 'QASM_BAD_VALUE', ...where(this.file, call.at) },
        `parameter ${index + 1} of gate '${name}'${inside} evaluates to ${value}; ` +
          'gate parameters must be finite',
      )
    }
    if (width === 1) {
      expand(gate, params, bitsAt(args, 0), condition, this.ops, badParameter)
      return
    }
    const template: CircuitOp[] = []
    expand(gate, params, LOCAL_QUBITS.slice(0, args.length), condition, template, badParameter)
    for (let i = 0; i < width; i++) moveOnto(template, bitsAt(args, i), this.ops)
  }

  /** Top-level parameters: numbers, constants and expressions of them, no names. */
  private evaluateParams(call: GateCall): number[] {
    if (call.params.length === 0) return []
    const context = `in the parameters of '${call.name}'`
    return call.params.map((expression) => evaluate(bindNames(expression, [], this.file, context), []))
  }

  private measure(measure: Measure, condition: Condition | undefined): void {
    const qubit = this.registers.quantum(measure.qubit)
    const target = this.registers.classical(measure.target)
    // A register of one (OpenQASM 3's `bit c;`) pairs with a single qubit or bit; a longer one
    // would measure several qubits into one bit.
    const whole = qubit.kind === 'register' ? qubit : target.kind === 'register' ? target : undefined
    if (qubit.kind !== target.kind && whole !== undefined && whole.register.size > 1) {
      const given =
        qubit.kind === 'register' ? 'a whole register and one bit' : 'one qubit and a whole register'
      throw new QasmError(
        { code: 'QASM_BROADCAST_MISMATCH', ...where(this.file, measure.target.at) },
        `measure is given ${given}; ` +
          'measure a register into a register of the same size, or one qubit into one bit',
      )
    }
    const width = broadcastWidth([qubit, target], this.file, 'measure')
    this.spend(width, measure.at)
    for (let i = 0; i < width; i++) {
      const [q, c] = bitsAt([qubit, target], i) as [number, number]
      this.ops.push({
        kind: 'measure',
        qubit: q,
        clbit: c,
        ...(condition === undefined ? {} : { condition }),
      })
    }
  }

  private reset(reset: Reset, condition: Condition | undefined): void {
    const qubit = this.registers.quantum(reset.qubit)
    const width = broadcastWidth([qubit], this.file, 'reset')
    this.spend(width, reset.at)
    for (let i = 0; i < width; i++) {
      const [q] = bitsAt([qubit], i) as [number]
      this.ops.push({ kind: 'reset', qubit: q, ...(condition === undefined ? {} : { condition }) })
    }
  }

  private barrier(barrier: Barrier): void {
    const qubits = new Set<number>()
    if (barrier.operands.length === 0) {
      for (let q = 0; q < this.registers.numQubits; q++) qubits.add(q)
    }
    for (const operand of barrier.operands) {
      const arg = this.registers.quantum(operand)
      if (arg.kind === 'bit') qubits.add(arg.index)
      else for (let i = 0; i < arg.register.size; i++) qubits.add(arg.register.offset + i)
    }
    if (qubits.size === 0) return
    this.spend(qubits.size, barrier.at)
    this.ops.push({ kind: 'barrier', qubits: [...qubits] })
  }

  private conditional(statement: If): void {
    const register = this.registers.classicalRegister(statement.register)
    const value = conditionValue(statement.value, register, statement.valueAt, this.file)
    const condition: Condition = { register, value }
    for (const operation of statement.body) this.operation(operation, condition)
  }

  /** Counts `count` more operations, refusing the statement at `at` when they pass the limit. */
  private spend(count: number, at: Position): void {
    const limit = QASM_LIMITS.ops
    if (this.spent + count > limit) {
      throw new QasmError(
        { code: 'QASM_TOO_LARGE', ...where(this.file, at), limit },
        `this statement would bring the circuit past ${limit} operations after expanding gates ` +
          '(a barrier counts once per qubit)',
      )
    }
    this.spent += count
  }
}

/** The integer an `if` compares with: it must fit the register, or the branch could never run. */
function conditionValue(text: string, register: Register, at: Position, file: string): bigint {
  const radix = /^0[xX]/.test(text) ? 16 : /^0[bB]/.test(text) ? 2 : /^0[oO]/.test(text) ? 8 : 10
  const digits = (radix === 10 ? text : text.slice(2)).replace(/^0+/, '')
  // Past this many digits the value is at least 2^size, without building a huge bigint.
  const fits = (digits.length - 1) * Math.log2(radix) < register.size
  const value = fits ? BigInt(text) : -1n
  if (value >= 0n && value < 1n << BigInt(register.size)) return value
  const max = register.size <= 64 ? `${(1n << BigInt(register.size)) - 1n}` : `2^${register.size} - 1`
  throw new QasmError(
    { code: 'QASM_BAD_VALUE', ...where(file, at) },
    `'${register.name}' has ${plural(register.size, 'bit')}, ` +
      `so it never equals ${fits ? text : 'this value'}; the value must be at most ${max}`,
  )
}
