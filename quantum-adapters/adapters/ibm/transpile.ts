// Circuits as IBM runs them: ISA circuits, whose every instruction is one of the backend's basis
// gates on qubits it couples. Library gates are decomposed into single-qubit unitaries and CX/CZ,
// placed and routed on the coupling map, each CX/CZ rewritten into the backend's own 2-qubit gate
// (cz, ecr or cx, in a direction the map lists), and each run of single-qubit gates merged and
// rewritten as rz/sx/x. Measurements are final: they move to the end, on each qubit's last place.

import type { BarrierOp, Circuit, GateOp, MeasureOp, Register } from '../../circuit/circuit.ts'
import { type ComplexMatrix, identity, matrix, multiply } from '../../circuit/complex-matrix.ts'
import { STDGATES } from '../../circuit/gates.ts'
import { couplingGraph } from './coupling.ts'
import { decomposeGate } from './decompose.ts'
import { unsupportedCircuit } from './ibm-errors.ts'
import { chooseLayout, type RoutedOp, route } from './routing.ts'
import { zsxSteps } from './zsx.ts'

export const TWO_QUBIT_GATES = ['cz', 'ecr', 'cx'] as const
export type TwoQubitGate = (typeof TWO_QUBIT_GATES)[number]

/** What the backend's configuration says about the circuits it accepts. */
export interface IbmTarget {
  readonly numQubits: number
  readonly basisGates: readonly string[]
  /** Directed pairs that take the 2-qubit gate; null when every pair does (simulators). */
  readonly couplingMap: readonly (readonly [number, number])[] | null
}

export interface IsaCircuit {
  /** On physical qubits 0…n-1, n one past the highest used or laid out; the same classical registers. */
  readonly circuit: Circuit
  /** `initialLayout[logical] = physical` where each logical qubit starts. */
  readonly initialLayout: readonly number[]
  /** Where each logical qubit ends, and so where it is measured. */
  readonly finalLayout: readonly number[]
}

const SQRT1_2 = Math.SQRT1_2
const H = matrix([
  [SQRT1_2, SQRT1_2],
  [SQRT1_2, -SQRT1_2],
])
const S = matrix([
  [1, 0],
  [0, [0, 1]],
])
const X = matrix([
  [0, 1],
  [1, 0],
])
const SXDG = matrix([
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
])

/** Qiskit's ECRGate, (IX − XY)/√2 with qubit 0 as the first operand. */
export const ECR_MATRIX: ComplexMatrix = matrix([
  [0, SQRT1_2, 0, [0, SQRT1_2]],
  [SQRT1_2, 0, [0, -SQRT1_2], 0],
  [0, [0, SQRT1_2], 0, SQRT1_2],
  [[0, -SQRT1_2], 0, SQRT1_2, 0],
])

export function transpileForIbm(circuit: Circuit, target: IbmTarget): IsaCircuit {
  if (circuit.numQubits > target.numQubits) {
    throw unsupportedCircuit(
      `it uses ${circuit.numQubits} qubits and the backend has ${target.numQubits}; choose a larger backend`,
    )
  }
  for (const name of ['rz', 'sx']) {
    if (!target.basisGates.includes(name)) {
      throw unsupportedCircuit(`the backend's basis gates (${target.basisGates.join(', ')}) lack '${name}'`)
    }
  }
  const twoQubitGate = TWO_QUBIT_GATES.find((name) => target.basisGates.includes(name))
  const { ops, measures } = lower(circuit)
  if (twoQubitGate === undefined && ops.some((op) => op.kind === 'cx' || op.kind === 'cz')) {
    throw unsupportedCircuit(
      `the backend's basis gates (${target.basisGates.join(', ')}) have none of ${TWO_QUBIT_GATES.join(', ')}`,
    )
  }
  let graph: ReturnType<typeof couplingGraph>
  try {
    graph = couplingGraph(target.numQubits, target.couplingMap)
  } catch (err) {
    throw unsupportedCircuit(`the backend's coupling map is unusable: ${(err as Error).message}`)
  }
  let routed: ReturnType<typeof route>
  try {
    routed = route(graph, ops, chooseLayout(graph, circuit.numQubits, ops))
  } catch (err) {
    throw unsupportedCircuit(`its qubits cannot be placed on the coupling map: ${(err as Error).message}`)
  }
  // With no 2-qubit gate to run, the choice of native gate is moot.
  const native = nativeOps(routed.ops, twoQubitGate ?? 'cx', graph.hasEdge)
  const gates = synthesise(native, target.basisGates.includes('x'))
  const finalMeasures: MeasureOp[] = measures.map((m) => ({
    kind: 'measure',
    qubit: routed.finalLayout[m.qubit] as number,
    clbit: m.clbit,
  }))
  let width = Math.max(0, ...routed.initialLayout, ...routed.finalLayout) + (circuit.numQubits > 0 ? 1 : 0)
  for (const op of [...gates, ...finalMeasures]) {
    const qubits = op.kind === 'measure' ? [op.qubit] : op.qubits
    for (const qubit of qubits) width = Math.max(width, qubit + 1)
  }
  const qreg: Register = { name: 'q', size: width, offset: 0 }
  return {
    circuit: {
      numQubits: width,
      numClbits: circuit.numClbits,
      qregs: width === 0 ? [] : [qreg],
      cregs: circuit.cregs,
      ops: [...gates, ...finalMeasures],
    },
    initialLayout: routed.initialLayout,
    finalLayout: routed.finalLayout,
  }
}

/** Gates as single-qubit unitaries and CX/CZ; measurements set apart, after checking they are final. */
function lower(circuit: Circuit): { ops: RoutedOp[]; measures: MeasureOp[] } {
  const ops: RoutedOp[] = []
  const measures: MeasureOp[] = []
  const measured = new Set<number>()
  const touched = new Set<number>()
  for (const op of circuit.ops) {
    if (op.kind !== 'barrier' && op.condition !== undefined) {
      throw unsupportedCircuit(
        `'if (${op.condition.register.name} == ${op.condition.value})' needs a dynamic circuit, which this adapter does not send`,
      )
    }
    const qubits = op.kind === 'gate' || op.kind === 'barrier' ? op.qubits : [op.qubit]
    if (op.kind !== 'barrier') {
      for (const qubit of qubits) {
        if (measured.has(qubit)) {
          throw unsupportedCircuit(
            `qubit ${qubit} is used after it is measured; mid-circuit measurement needs a dynamic circuit, which this adapter does not send`,
          )
        }
      }
    }
    switch (op.kind) {
      case 'measure':
        measured.add(op.qubit)
        measures.push(op)
        break
      case 'reset':
        // Every shot starts in |0⟩, so a reset before anything else happens to the qubit does nothing.
        if (touched.has(op.qubit)) {
          throw unsupportedCircuit(`qubit ${op.qubit} is reset after use, which needs a dynamic circuit`)
        }
        break
      case 'barrier': {
        // Measurements move to the end, so a barrier only orders the qubits still in play.
        const live = op.qubits.filter((qubit) => !measured.has(qubit))
        if (live.length > 0) ops.push({ kind: 'barrier', qubits: live })
        break
      }
      case 'gate':
        for (const qubit of op.qubits) touched.add(qubit)
        ops.push(...decomposeGate(op))
        break
    }
  }
  return { ops, measures }
}

type NativeOp =
  | { readonly kind: 'u'; readonly qubit: number; readonly matrix: ComplexMatrix }
  | { readonly kind: 'two'; readonly name: TwoQubitGate; readonly a: number; readonly b: number }
  | { readonly kind: 'barrier'; readonly qubits: readonly number[] }

/** CX and CZ on coupled physical qubits rewritten into the backend's gate, in a listed direction. */
function nativeOps(
  ops: readonly RoutedOp[],
  gate: TwoQubitGate,
  hasEdge: (a: number, b: number) => boolean,
): NativeOp[] {
  const out: NativeOp[] = []
  const u = (qubit: number, m: ComplexMatrix): void => {
    out.push({ kind: 'u', qubit, matrix: m })
  }
  // CX(c, t) as the native gate in the direction (c, t), which the caller has checked.
  const forwardCx = (c: number, t: number): void => {
    if (gate === 'cx') {
      out.push({ kind: 'two', name: 'cx', a: c, b: t })
    } else if (gate === 'ecr') {
      // CX = (X·S ⊗ SX†) · ECR, up to a global phase.
      out.push({ kind: 'two', name: 'ecr', a: c, b: t })
      u(c, S)
      u(c, X)
      u(t, SXDG)
    } else {
      u(t, H)
      out.push({ kind: 'two', name: 'cz', a: c, b: t })
      u(t, H)
    }
  }
  const cx = (c: number, t: number): void => {
    if (gate === 'cz') {
      // CZ is symmetric: write it the way round the coupling map lists.
      u(t, H)
      out.push({ kind: 'two', name: 'cz', a: hasEdge(c, t) ? c : t, b: hasEdge(c, t) ? t : c })
      u(t, H)
    } else if (hasEdge(c, t)) {
      forwardCx(c, t)
    } else {
      // CX(c, t) = (H ⊗ H) · CX(t, c) · (H ⊗ H).
      u(c, H)
      u(t, H)
      forwardCx(t, c)
      u(c, H)
      u(t, H)
    }
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'u':
        u(op.qubit, op.matrix)
        break
      case 'barrier':
        out.push(op)
        break
      case 'cx':
        cx(op.control, op.target)
        break
      case 'cz':
        if (gate === 'cz') {
          const forward = hasEdge(op.a, op.b)
          out.push({ kind: 'two', name: 'cz', a: forward ? op.a : op.b, b: forward ? op.b : op.a })
        } else {
          u(op.b, H)
          cx(op.a, op.b)
          u(op.b, H)
        }
        break
    }
  }
  return out
}

function libraryMatrix(name: string, params: readonly number[]): ComplexMatrix {
  const definition = STDGATES.get(name)
  if (definition === undefined) throw new Error(`stdgates.inc has no '${name}'`)
  return definition.matrix(params)
}

/** Runs of single-qubit unitaries merged per qubit and written as rz/sx/x gates. */
function synthesise(ops: readonly NativeOp[], hasX: boolean): (GateOp | BarrierOp)[] {
  const pending = new Map<number, ComplexMatrix>()
  const out: (GateOp | BarrierOp)[] = []
  const flush = (qubit: number): void => {
    const m = pending.get(qubit)
    if (m === undefined) return
    pending.delete(qubit)
    for (const step of zsxSteps(m, hasX)) {
      const params = step.name === 'rz' ? [step.angle] : []
      out.push({
        kind: 'gate',
        name: step.name,
        params,
        qubits: [qubit],
        matrix: libraryMatrix(step.name, params),
      })
    }
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'u':
        pending.set(op.qubit, multiply(op.matrix, pending.get(op.qubit) ?? identity(2)))
        break
      case 'two':
        flush(op.a)
        flush(op.b)
        out.push({
          kind: 'gate',
          name: op.name,
          params: [],
          qubits: [op.a, op.b],
          matrix: op.name === 'ecr' ? ECR_MATRIX : libraryMatrix(op.name, []),
        })
        break
      case 'barrier':
        for (const qubit of op.qubits) flush(qubit)
        out.push({ kind: 'barrier', qubits: op.qubits })
        break
    }
  }
  for (const qubit of [...pending.keys()].sort((a, b) => a - b)) flush(qubit)
  return out
}
