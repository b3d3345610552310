// OpenQASM 3 for an ISA circuit, the form IBM's Sampler takes as a PUB circuit: `qubit[n] q`, whose
// index i IBM reads as physical qubit i, and every classical register under its own name (results
// come back per register). Gates go by their stdgates.inc names; Eagle-family backends run ecr,
// which stdgates.inc lacks, so it is defined here from stdgates gates.

import type { Circuit } from '../../circuit/circuit.ts'

// ECR = (X·S ⊗ SX) · CX up to a global phase; IBM matches ISA instructions by name.
const ECR_DEFINITION = 'gate ecr a, b { cx a, b; s a; x a; sx b; }'

const ISA_GATES = new Set(['rz', 'sx', 'x', 'cz', 'ecr', 'cx'])

export function emitIsaQasm3(circuit: Circuit): string {
  const lines = ['OPENQASM 3.0;', 'include "stdgates.inc";']
  if (circuit.ops.some((op) => op.kind === 'gate' && op.name === 'ecr')) lines.push(ECR_DEFINITION)
  if (circuit.numQubits > 0) lines.push(`qubit[${circuit.numQubits}] q;`)
  const bitName = new Array<string>(circuit.numClbits)
  for (const creg of circuit.cregs) {
    lines.push(`bit[${creg.size}] ${creg.name};`)
    for (let i = 0; i < creg.size; i++) bitName[creg.offset + i] = `${creg.name}[${i}]`
  }
  const qubit = (q: number): string => `q[${q}]`
  for (const op of circuit.ops) {
    switch (op.kind) {
      case 'gate': {
        if (!ISA_GATES.has(op.name) || op.condition !== undefined) {
          throw new Error(`'${op.name}' is not an ISA instruction this emitter writes`)
        }
        const head = op.params.length === 0 ? op.name : `${op.name}(${op.params.map(formatAngle).join(', ')})`
        lines.push(`${head} ${op.qubits.map(qubit).join(', ')};`)
        break
      }
      case 'measure':
        lines.push(`${bitName[op.clbit]} = measure ${qubit(op.qubit)};`)
        break
      case 'barrier':
        if (op.qubits.length > 0) lines.push(`barrier ${op.qubits.map(qubit).join(', ')};`)
        break
      case 'reset':
        throw new Error('an ISA circuit from this adapter has no resets')
    }
  }
  return `${lines.join('\n')}\n`
}

/** Shortest text that reads back as the same double. */
function formatAngle(value: number): string {
  return Object.is(value, -0) ? '0' : String(value)
}
