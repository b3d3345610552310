// Circuits built by hand for simulator tests, and a dense reference to check them against:
// every gate applied as its full 2^n×2^n embedding, every measurement, reset and `if`
// followed branch by branch, so the exact outcome probabilities come out with no sampling.

import type {
  Circuit,
  CircuitOp,
  Condition,
  GateOp,
  Register,
} from '../../quantum-adapters/circuit/circuit.ts'
import { type ComplexMatrix, embed } from '../../quantum-adapters/circuit/complex-matrix.ts'
import { countsKey } from '../../quantum-adapters/circuit/counts.ts'
import {
  type GateDefinition,
  QASM2_BUILTINS,
  QELIB1_GATES,
  STDGATES,
} from '../../quantum-adapters/circuit/gates.ts'

/** Every library gate once: qelib1.inc, stdgates.inc and the OpenQASM 2 built-ins. */
export const ALL_GATES: readonly GateDefinition[] = [
  ...new Map([...QASM2_BUILTINS, ...QELIB1_GATES, ...STDGATES]).values(),
]

export function gateDefinition(name: string): GateDefinition {
  const found = QELIB1_GATES.get(name) ?? STDGATES.get(name) ?? QASM2_BUILTINS.get(name)
  if (found === undefined) throw new Error(`no library gate '${name}'`)
  return found
}

export function gateOp(
  name: string,
  qubits: readonly number[],
  params: readonly number[] = [],
  condition?: Condition,
): GateOp {
  const definition = gateDefinition(name)
  const op = { kind: 'gate' as const, name, params, qubits, matrix: definition.matrix(params) }
  return condition === undefined ? op : { ...op, condition }
}

/** Registers from sizes, laid out back to back in declaration order. */
export function registers(sizes: ReadonlyArray<readonly [string, number]>): Register[] {
  let offset = 0
  return sizes.map(([name, size]) => {
    const register = { name, size, offset }
    offset += size
    return register
  })
}

/** A circuit on one quantum register `q`; classical registers default to one `c` of `numClbits`. */
export function circuitOf(
  numQubits: number,
  ops: readonly CircuitOp[],
  cregs: readonly Register[] = [],
): Circuit {
  const numClbits = cregs.reduce((total, r) => total + r.size, 0)
  return { numQubits, numClbits, qregs: [{ name: 'q', size: numQubits, offset: 0 }], cregs, ops }
}

/** `gates` on `numQubits` qubits, then every qubit i measured into clbit i of register `c`. */
export function measuredCircuit(numQubits: number, gates: readonly GateOp[]): Circuit {
  const measures = Array.from({ length: numQubits }, (_, q) => ({
    kind: 'measure' as const,
    qubit: q,
    clbit: q,
  }))
  return circuitOf(numQubits, [...gates, ...measures], registers([['c', numQubits]]))
}

/** m · v for a dense matrix and a state (re, im interleaved). */
export function applyMatrix(m: ComplexMatrix, state: Float64Array): Float64Array {
  const { dim, data } = m
  const out = new Float64Array(2 * dim)
  for (let r = 0; r < dim; r++) {
    let re = 0
    let im = 0
    for (let c = 0; c < dim; c++) {
      const mr = data[2 * (r * dim + c)] as number
      const mi = data[2 * (r * dim + c) + 1] as number
      if (mr === 0 && mi === 0) continue
      const vr = state[2 * c] as number
      const vi = state[2 * c + 1] as number
      re += mr * vr - mi * vi
      im += mr * vi + mi * vr
    }
    out[2 * r] = re
    out[2 * r + 1] = im
  }
  return out
}

export function basisState(numQubits: number, index = 0): Float64Array {
  const state = new Float64Array(2 << numQubits)
  state[2 * index] = 1
  return state
}

/** The gate's full embedding times `state`. */
export function applyGate(op: GateOp, state: Float64Array, numQubits: number): Float64Array {
  return applyMatrix(embed(op.matrix, op.qubits, numQubits), state)
}

/** The final state of a gates-only circuit, from |0…0⟩, one dense embedding per gate. */
export function denseState(circuit: Circuit): Float64Array {
  let state = basisState(circuit.numQubits)
  for (const op of circuit.ops) {
    if (op.kind === 'barrier') continue
    if (op.kind !== 'gate' || op.condition !== undefined) throw new Error('denseState() takes gates only')
    state = applyGate(op, state, circuit.numQubits)
  }
  return state
}

export function norm(state: Float64Array): number {
  let total = 0
  for (const x of state) total += x * x
  return Math.sqrt(total)
}

/** The largest difference between two states, element by element. */
export function maxDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY
  let most = 0
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs((a[i] as number) - (b[i] as number)))
  return most
}

/** |amplitude|² of every basis state. */
export function probabilities(state: Float64Array): number[] {
  const out: number[] = []
  for (let i = 0; i < state.length; i += 2)
    out.push((state[i] as number) ** 2 + (state[i + 1] as number) ** 2)
  return out
}

function holds(condition: Condition, memory: bigint): boolean {
  const { offset, size } = condition.register
  return ((memory >> BigInt(offset)) & ((1n << BigInt(size)) - 1n)) === condition.value
}

/** Zeroes the amplitudes where `qubit` does not read `outcome`; returns the kept probability. */
function project(state: Float64Array, qubit: number, outcome: 0 | 1): number {
  let kept = 0
  for (let i = 0; i < state.length / 2; i++) {
    if (((i >> qubit) & 1) === outcome)
      kept += (state[2 * i] as number) ** 2 + (state[2 * i + 1] as number) ** 2
    else {
      state[2 * i] = 0
      state[2 * i + 1] = 0
    }
  }
  const scale = kept === 0 ? 0 : 1 / Math.sqrt(kept)
  for (let i = 0; i < state.length; i++) state[i] = (state[i] as number) * scale
  return kept
}

/**
 * The exact probability of every counts key (Qiskit's format), following both outcomes of
 * every measurement and reset as separate branches with their probabilities.
 */
export function exactDistribution(circuit: Circuit): Map<string, number> {
  const out = new Map<string, number>()
  const n = circuit.numQubits
  const run = (from: number, state: Float64Array, memory: bigint, weight: number): void => {
    for (let at = from; at < circuit.ops.length; at++) {
      const op = circuit.ops[at] as CircuitOp
      if (op.kind === 'barrier') continue
      if (op.condition !== undefined && !holds(op.condition, memory)) continue
      if (op.kind === 'gate') {
        state = applyGate(op, state, n)
        continue
      }
      for (const outcome of [0, 1] as const) {
        const branch = Float64Array.from(state)
        const p = project(branch, op.qubit, outcome)
        if (p < 1e-14) continue
        let nextMemory = memory
        if (op.kind === 'measure') {
          const bit = 1n << BigInt(op.clbit)
          nextMemory = outcome === 1 ? memory | bit : memory & ~bit
        } else if (outcome === 1) {
          branch.set(applyGate(gateOp('x', [op.qubit]), branch, n))
        }
        run(at + 1, branch, nextMemory, weight * p)
      }
      return
    }
    const key = countsKey(memory, circuit.cregs)
    out.set(key, (out.get(key) ?? 0) + weight)
  }
  run(0, basisState(n), 0n, 1)
  return out
}

/** Distinct qubits of 0..numQubits-1 in random order. */
export function randomQubits(random: () => number, count: number, numQubits: number): number[] {
  const pool = Array.from({ length: numQubits }, (_, q) => q)
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = pool[i] as number
    pool[i] = pool[j] as number
    pool[j] = swap
  }
  return pool.slice(0, count)
}

export function randomAngle(random: () => number): number {
  return (random() * 2 - 1) * 2 * Math.PI
}

/** `count` gates drawn from `gates` (those that fit `numQubits`), on random qubits and angles. */
export function randomGates(
  random: () => number,
  numQubits: number,
  count: number,
  gates: readonly GateDefinition[] = ALL_GATES,
): GateOp[] {
  const fitting = gates.filter((g) => g.numQubits <= numQubits)
  return Array.from({ length: count }, () => {
    const gate = fitting[Math.floor(random() * fitting.length)] as GateDefinition
    const params = Array.from({ length: gate.numParams }, () => randomAngle(random))
    return gateOp(gate.name, randomQubits(random, gate.numQubits, numQubits), params)
  })
}
