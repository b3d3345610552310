// Expands one gate application into library gate operations. Callers have already checked the
// result fits the operation limit (UserGate.ops) and that no opaque gate is reached; what is
// left to refuse is a parameter that evaluates to NaN or an infinity.

import type { CircuitOp, Condition } from '../circuit/circuit.ts'
import { evaluate } from './expression.ts'
import type { LibraryGate, UserGate } from './gate-scope.ts'

/** Called with the library gate, the parameter's position and value, and the user gates around it. */
export type BadParameter = (gate: string, index: number, value: number, within: readonly string[]) => never

export function expand(
  gate: LibraryGate | UserGate,
  params: readonly number[],
  qubits: readonly number[],
  condition: Condition | undefined,
  out: CircuitOp[],
  badParameter: BadParameter,
  within: string[] = [],
): void {
  if (gate.kind === 'library') {
    for (let i = 0; i < params.length; i++) {
      const value = params[i] as number
      if (!Number.isFinite(value)) badParameter(gate.name, i, value, within)
    }
    const { name, matrix } = gate.definition
    out.push(
      condition === undefined
        ? { kind: 'gate', name, params, qubits, matrix: matrix(params) }
        : { kind: 'gate', name, params, qubits, matrix: matrix(params), condition },
    )
    return
  }
  within.push(gate.name)
  for (const step of gate.body) {
    const mapped = step.qubits.map((position) => qubits[position] as number)
    // A barrier has no condition: inside a conditional gate it still only orders operations.
    if (step.kind === 'barrier') out.push({ kind: 'barrier', qubits: mapped })
    else
      expand(
        step.gate,
        step.params.map((e) => evaluate(e, params)),
        mapped,
        condition,
        out,
        badParameter,
        within,
      )
  }
  within.pop()
}

/**
 * `template`, gates and barriers expanded on qubits 0…k-1, moved onto `qubits` (template qubit
 * i becomes qubits[i]). A broadcast expands once and moves the result onto each run's qubits,
 * so its runs share parameters and matrices.
 */
export function moveOnto(template: readonly CircuitOp[], qubits: readonly number[], out: CircuitOp[]): void {
  const on = (position: number): number => qubits[position] as number
  for (const op of template) {
    if (op.kind === 'gate' || op.kind === 'barrier') out.push({ ...op, qubits: op.qubits.map(on) })
  }
}
