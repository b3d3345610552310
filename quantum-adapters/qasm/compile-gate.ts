// Checks a `gate` or `opaque` definition where it is written and compiles it for expansion.
// Everything that could go wrong inside a call to it is refused here, except the size of the
// whole circuit and non-finite parameters, which depend on the call.

import type { GateCall, GateDefinition, Identifier, Operand } from './ast.ts'
import { plural, QasmError, where } from './errors.ts'
import { bindNames } from './expression.ts'
import type { GateScope, GateStep, OpaqueGate, UserGate } from './gate-scope.ts'
import { QASM_LIMITS } from './limits.ts'
import { constants } from './parse-expression.ts'
import type { QasmVersion } from './token-stream.ts'

export function compileGate(
  definition: GateDefinition,
  scope: GateScope,
  version: QasmVersion,
  file: string,
): UserGate | OpaqueGate {
  const name = definition.name.name
  checkNames(definition, version, file)
  const params = definition.params.map((p) => p.name)
  const qubits = definition.qubits.map((q) => q.name)
  const shape = { name, numParams: params.length, numQubits: qubits.length, at: definition.name.at }
  if (definition.body === undefined) return { kind: 'opaque', ...shape }

  const body: GateStep[] = []
  let ops = 0
  let depth = 1
  let opaque: string | undefined
  const context = `in gate '${name}'`
  for (const statement of definition.body) {
    if (statement.kind === 'call' && statement.name === name) {
      throw new QasmError(
        { code: 'QASM_RECURSIVE_GATE', ...where(file, statement.at), gate: name },
        `gate '${name}' calls itself; gate definitions cannot be recursive`,
      )
    }
    const positions = statement.operands.map((operand) => argumentPosition(operand, qubits, name, file))
    if (statement.kind === 'barrier') {
      const distinct = [...new Set(positions)]
      body.push({ kind: 'barrier', qubits: distinct })
      ops += distinct.length
      continue
    }
    const bound = statement.params.map((param) => bindNames(param, params, file, context))
    // gphase changes no counts: checked, then dropped.
    if (version === 3 && statement.name === 'gphase') {
      checkParamCount(statement, 1, file)
      continue
    }
    const gate = scope.lookup(statement.name, statement.at, true)
    checkParamCount(statement, gate.numParams, file)
    checkQubits(statement, positions, gate.numQubits, file)
    if (gate.kind === 'opaque') {
      opaque ??= gate.name
      continue
    }
    if (gate.kind === 'user') {
      if (gate.opaque !== undefined) opaque ??= gate.opaque
      depth = Math.max(depth, gate.depth + 1)
    }
    ops += gate.kind === 'user' ? gate.ops : 1
    body.push({ kind: 'gate', gate, params: bound, qubits: positions })
  }
  const limit = QASM_LIMITS.gateNesting
  if (depth > limit) {
    throw new QasmError(
      { code: 'QASM_TOO_LARGE', ...where(file, definition.name.at), limit },
      `gate '${name}' nests gate calls ${depth} deep, more than the limit of ${limit}`,
    )
  }
  return {
    kind: 'user',
    ...shape,
    body,
    ops,
    depth,
    ...(opaque === undefined ? {} : { opaque }),
  }
}

/** Parameter and qubit argument names: distinct, and not a built-in constant. */
function checkNames(definition: GateDefinition, version: QasmVersion, file: string): void {
  const seen = new Set<string>()
  const builtins = constants(version)
  const check = (identifier: Identifier): void => {
    const { name, at } = identifier
    if (seen.has(name) || builtins.has(name)) {
      throw new QasmError(
        { code: 'QASM_REDEFINED', ...where(file, at), name },
        builtins.has(name)
          ? `'${name}' is a built-in constant and cannot name a gate argument`
          : `'${name}' names two arguments of gate '${definition.name.name}'`,
      )
    }
    seen.add(name)
  }
  for (const param of definition.params) check(param)
  for (const qubit of definition.qubits) check(qubit)
}

function argumentPosition(operand: Operand, qubits: readonly string[], gate: string, file: string): number {
  const position = qubits.indexOf(operand.name)
  if (position >= 0) return position
  throw new QasmError(
    { code: 'QASM_UNDECLARED', ...where(file, operand.at), name: operand.name },
    `'${operand.name}' is not a qubit argument of gate '${gate}' (its arguments are ${qubits.join(', ')})`,
  )
}

export function checkParamCount(call: GateCall, expected: number, file: string): void {
  if (call.params.length === expected) return
  throw new QasmError(
    { code: 'QASM_ARGUMENTS', ...where(file, call.at), gate: call.name },
    `gate '${call.name}' takes ${plural(expected, 'parameter')}, but ${given(call.params.length)}`,
  )
}

function checkQubits(call: GateCall, positions: readonly number[], expected: number, file: string): void {
  checkQubitCount(call, expected, file)
  const seen = new Set<number>()
  positions.forEach((position, i) => {
    if (seen.has(position)) {
      const operand = call.operands[i] ?? call
      throw new QasmError(
        { code: 'QASM_ARGUMENTS', ...where(file, operand.at), gate: call.name },
        `gate '${call.name}' is given '${qubitName(call.operands[i])}' twice; ` +
          'each qubit may appear once in a call',
      )
    }
    seen.add(position)
  })
}

export function checkQubitCount(call: GateCall, expected: number, file: string): void {
  if (call.operands.length === expected) return
  throw new QasmError(
    { code: 'QASM_ARGUMENTS', ...where(file, call.at), gate: call.name },
    `gate '${call.name}' acts on ${plural(expected, 'qubit')}, but ${given(call.operands.length)}`,
  )
}

function qubitName(operand: Operand | undefined): string {
  if (operand === undefined) return '?'
  return operand.index === undefined ? operand.name : `${operand.name}[${operand.index}]`
}

const given = (count: number): string => `${count} ${count === 1 ? 'is' : 'are'} given`
