// IonQ's `qis` gate set as the fake IonQ API checks and runs it, written from IonQ's published
// definitions (v0.4 OpenAPI `QisGate`, the v0.3 "Writing quantum programs" gate table) and kept
// apart from the adapter's translation so that one can check the other; the standard matrices
// it shares with Braket's gates come from reference-quantum.ts. Matrices use hcx's little-endian
// convention (bit i of an index is qubit i), which is also the bit order of IonQ's decimal
// result keys.

import { z } from 'zod'
import {
  type ComplexMatrix,
  controlled,
  matrix,
  phase,
} from '../../quantum-adapters/circuit/complex-matrix.ts'
import {
  HADAMARD,
  PAULI_X,
  PAULI_Y,
  probabilitiesFromZero,
  rotation,
  SQRT_X,
  SQRT_X_DAGGER,
  SWAP,
  unitaryOf,
} from './reference-quantum.ts'

export const QIS_GATE_NAMES = [
  'x',
  'y',
  'z',
  'rx',
  'ry',
  'rz',
  'h',
  's',
  'si',
  'v',
  'vi',
  't',
  'ti',
  'not',
  'cnot',
  'swap',
  'xx',
  'yy',
  'zz',
  'pauliexp',
] as const

const index = z.number().int().nonnegative()

/** `Gate_QisGate`: additionalProperties false. */
export const qisGateSchema = z.strictObject({
  gate: z.enum(QIS_GATE_NAMES),
  target: index.optional(),
  targets: z.array(index).optional(),
  control: index.optional(),
  controls: z.array(index).optional(),
  rotation: z.number().optional(),
})

/** One gate of a qis circuit, as sent (the adapter's readonly form or the parsed JSON). */
export interface QisGateJson {
  readonly gate: string
  readonly target?: number
  readonly targets?: readonly number[]
  readonly control?: number
  readonly controls?: readonly number[]
  readonly rotation?: number
}

export interface QisInput {
  readonly qubits: number
  readonly circuit: readonly QisGateJson[]
}

const ROTATIONS = new Map<string, 'x' | 'y' | 'z'>([
  ['rx', 'x'],
  ['ry', 'y'],
  ['rz', 'z'],
])

const ONE_QUBIT: Readonly<Record<string, ComplexMatrix>> = {
  x: PAULI_X,
  y: PAULI_Y,
  z: matrix([
    [1, 0],
    [0, -1],
  ]),
  h: HADAMARD,
  s: matrix([
    [1, 0],
    [0, [0, 1]],
  ]),
  si: matrix([
    [1, 0],
    [0, [0, -1]],
  ]),
  t: matrix([
    [1, 0],
    [0, phase(Math.PI / 4)],
  ]),
  ti: matrix([
    [1, 0],
    [0, phase(-Math.PI / 4)],
  ]),
  v: SQRT_X,
  vi: SQRT_X_DAGGER,
}

/** Problems with one gate of an input, as sentences; empty when IonQ would accept it. */
export function checkQisGate(gate: QisGateJson, qubits: number): string[] {
  const problems: string[] = []
  if (!(QIS_GATE_NAMES as readonly string[]).includes(gate.gate))
    problems.push(`${gate.gate} is not a qis gate`)
  const targets = gate.targets ?? (gate.target === undefined ? [] : [gate.target])
  const controls = gate.controls ?? (gate.control === undefined ? [] : [gate.control])
  if ((gate.target === undefined) === (gate.targets === undefined))
    problems.push('needs exactly one of target, targets')
  if (gate.control !== undefined && gate.controls !== undefined)
    problems.push('has both control and controls')
  const arity = gate.gate === 'swap' ? 2 : 1
  if (targets.length !== arity) problems.push(`${gate.gate} takes ${arity} target(s), got ${targets.length}`)
  if (ROTATIONS.has(gate.gate) !== (gate.rotation !== undefined))
    problems.push('rotation is for rx, ry, rz only')
  if (gate.gate === 'cnot' && controls.length === 0) problems.push('cnot needs a control')
  const all = [...controls, ...targets]
  if (all.some((q) => q >= qubits)) problems.push(`qubit index out of range 0..${qubits - 1}`)
  if (new Set(all).size !== all.length) problems.push('a qubit appears twice')
  if (['xx', 'yy', 'zz', 'pauliexp'].includes(gate.gate))
    problems.push(`the fake does not model ${gate.gate}`)
  return problems
}

/** The unitary of a checked input. */
export function qisUnitary(input: QisInput): ComplexMatrix {
  const gates = input.circuit.map((gate) => {
    const targets = gate.targets ?? [gate.target as number]
    const controls = gate.controls ?? (gate.control === undefined ? [] : [gate.control])
    const axis = ROTATIONS.get(gate.gate)
    const base =
      gate.gate === 'swap'
        ? SWAP
        : axis !== undefined
          ? rotation(axis, gate.rotation as number)
          : (ONE_QUBIT[gate.gate === 'not' || gate.gate === 'cnot' ? 'x' : gate.gate] as ComplexMatrix)
    const m = controls.length === 0 ? base : controlled(base, controls.length)
    return { matrix: m, qubits: [...controls, ...targets] }
  })
  return unitaryOf(gates, input.qubits)
}

/** Probability of each basis state after the input runs on |0…0⟩, keyed by its decimal value. */
export function qisProbabilities(input: QisInput): Map<number, number> {
  const out = new Map<number, number>()
  for (const [state, p] of probabilitiesFromZero(qisUnitary(input)).entries())
    if (p > 1e-12) out.set(state, p)
  return out
}
