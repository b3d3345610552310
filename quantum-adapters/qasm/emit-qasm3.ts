// Writes a circuit as OpenQASM 3 that IBM's and Braket's importers read: one `qubit[n] q`,
// every classical register under its own name (results come back per register), gates by
// their stdgates.inc names, and short definitions for the qelib1.inc gates it lacks.

import type { Circuit, CircuitOp, Condition } from '../circuit/circuit.ts'
import { STDGATES } from '../circuit/gates.ts'

// Exact definitions over stdgates.inc (global phase aside, which no count can see).
const DEFINITIONS: Readonly<Record<string, string>> = {
  sxdg: 'gate sxdg a { s a; h a; s a; }',
  csx: 'gate csx a, b { h b; cp(pi/2) a, b; h b; }',
  rzz: 'gate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }',
  rxx: 'gate rxx(theta) a, b { h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; }',
  rccx: 'gate rccx a, b, c { h c; t c; cx b, c; tdg c; cx a, c; t c; cx b, c; tdg c; h c; }',
  rc3x: [
    'gate rc3x a, b, c, d { h d; t d; cx c, d; tdg d; h d; cx a, d; t d; cx b, d; tdg d; cx a, d;',
    't d; cx b, d; tdg d; h d; t d; cx c, d; tdg d; h d; }',
  ].join(' '),
}

// qelib1.inc names written as a stdgates.inc gate or a modified one.
const RENAMED: Readonly<Record<string, (params: string[]) => string>> = {
  U: (p) => `U(${p.join(', ')})`,
  u: (p) => `U(${p.join(', ')})`,
  cu1: (p) => `cp(${p.join(', ')})`,
  cu3: (p) => `cu(${p.join(', ')}, 0)`,
  c3x: () => 'ctrl(3) @ x',
  c4x: () => 'ctrl(4) @ x',
  c3sqrtx: () => 'ctrl(3) @ sx',
}

export function emitQasm3(circuit: Circuit): string {
  const used = new Set(circuit.ops.flatMap((op) => (op.kind === 'gate' ? [op.name] : [])))
  const lines = ['OPENQASM 3.0;', 'include "stdgates.inc";']
  for (const name of used) {
    const definition = DEFINITIONS[name]
    if (definition !== undefined) lines.push(definition)
  }
  if (circuit.numQubits > 0) lines.push(`qubit[${circuit.numQubits}] q;`)
  for (const creg of circuit.cregs) lines.push(`bit[${creg.size}] ${creg.name};`)
  const bitName = clbitNames(circuit)
  for (const op of circuit.ops) {
    const statement = emitOp(op, bitName)
    if (statement === undefined) continue
    lines.push(
      op.kind !== 'barrier' && op.condition !== undefined ? emitIf(op.condition, statement) : statement,
    )
  }
  return `${lines.join('\n')}\n`
}

function emitOp(op: CircuitOp, bitName: readonly string[]): string | undefined {
  switch (op.kind) {
    case 'gate': {
      // u0 and id only wait; an identity needs no line.
      if (op.name === 'u0') return undefined
      const params = op.params.map(formatNumber)
      const renamed = RENAMED[op.name]
      const head =
        renamed !== undefined
          ? renamed(params)
          : params.length === 0
            ? op.name
            : `${op.name}(${params.join(', ')})`
      if (renamed === undefined && !STDGATES.has(op.name) && DEFINITIONS[op.name] === undefined) {
        throw new Error(`no OpenQASM 3 form for gate '${op.name}'`)
      }
      return `${head} ${op.qubits.map((q) => `q[${q}]`).join(', ')};`
    }
    case 'measure':
      return `${bitName[op.clbit]} = measure q[${op.qubit}];`
    case 'reset':
      return `reset q[${op.qubit}];`
    case 'barrier':
      return op.qubits.length === 0 ? undefined : `barrier ${op.qubits.map((q) => `q[${q}]`).join(', ')};`
  }
}

function emitIf(condition: Condition, statement: string): string {
  return `if (${condition.register.name} == ${condition.value}) { ${statement} }`
}

function clbitNames(circuit: Circuit): string[] {
  const names = new Array<string>(circuit.numClbits)
  for (const creg of circuit.cregs) {
    for (let i = 0; i < creg.size; i++) names[creg.offset + i] = `${creg.name}[${i}]`
  }
  return names
}

/** Shortest text that reads back as the same double. */
function formatNumber(value: number): string {
  return Object.is(value, -0) ? '0' : String(value)
}
