// Library gates rewritten in a small vocabulary every provider can express: named one-qubit gates,
// rx/ry/rz, CNOT (with as many controls as the target accepts) and SWAP. IonQ's `qis` gate set and
// Braket's standard gates name these directly; IBM rewrites them in its own basis. Gates with a name
// in the vocabulary map directly; any other one-qubit gate becomes rz·ry·rz; controlled gates are
// found from their matrix and split into CNOTs and one-qubit gates by the textbook constructions
// (Barenco et al. 1995): a singly controlled U as C·CNOT·B·CNOT·A plus a phase on the control, a
// multiply controlled U recursively through controlled square roots of U.
//
// Every emitted op acts unconditionally, so a global phase on any one of them is a global phase of
// the whole circuit, which no measurement sees: phases are dropped freely.

import type { GateOp } from '../circuit/circuit.ts'
import { adjoint, type ComplexMatrix, equal, get, matrix } from '../circuit/complex-matrix.ts'
import { QELIB1_GATES } from '../circuit/gates.ts'
import { normaliseAngle, unitarySqrt, zyzAngles } from './one-qubit-unitary.ts'

export type FixedGateName = 'x' | 'y' | 'z' | 'h' | 's' | 'si' | 't' | 'ti' | 'v' | 'vi'
export type RotationAxis = 'rx' | 'ry' | 'rz'

export type OneQubitOp =
  | { readonly kind: 'fixed'; readonly name: FixedGateName; readonly qubit: number }
  | { readonly kind: 'rotation'; readonly axis: RotationAxis; readonly angle: number; readonly qubit: number }

export type LoweredOp =
  | OneQubitOp
  | { readonly kind: 'cnot'; readonly controls: readonly number[]; readonly target: number }
  | { readonly kind: 'swap'; readonly qubits: readonly [number, number] }

export interface LoweringOptions {
  /** The most controls one CNOT may carry (1 allows only plain CNOT). */
  readonly maxControls: number
}

/** Thrown for a gate the vocabulary cannot express; adapters turn it into QPU_UNSUPPORTED_CIRCUIT. */
export class UnloweredGateError extends Error {
  override readonly name = 'UnloweredGateError'
}

// The qelib1.inc name of each fixed gate.
const FIXED: Readonly<Record<string, FixedGateName>> = {
  x: 'x',
  y: 'y',
  z: 'z',
  h: 'h',
  s: 's',
  sdg: 'si',
  t: 't',
  tdg: 'ti',
  sx: 'v',
  sxdg: 'vi',
}
const LIBRARY_NAME = new Map(Object.entries(FIXED).map(([library, fixed]) => [fixed, library]))

// p(λ) is rz(λ) times a global phase.
const ROTATIONS: Readonly<Record<string, RotationAxis>> = {
  rx: 'rx',
  ry: 'ry',
  rz: 'rz',
  p: 'rz',
  u1: 'rz',
  phase: 'rz',
}

// Angles this close to a multiple of 2π are a global phase only.
const ANGLE_EPSILON = 1e-12
// Matrix entries this close to the expected ones count as equal when recognising gates.
const MATRIX_TOLERANCE = 1e-9

const X = libraryMatrix('x')
const SWAP = libraryMatrix('swap')

export function lowerGate(op: GateOp, options: LoweringOptions): LoweredOp[] {
  const k = op.qubits.length
  if (op.matrix.dim !== 1 << k) {
    throw new UnloweredGateError(
      `gate '${op.name}' has a ${op.matrix.dim}×${op.matrix.dim} matrix on ${k} qubits`,
    )
  }
  const [q0, q1] = op.qubits
  const fixed = FIXED[op.name]
  if (fixed !== undefined && q0 !== undefined) return [{ kind: 'fixed', name: fixed, qubit: q0 }]
  const axis = ROTATIONS[op.name]
  const angle = op.params[0]
  if (axis !== undefined && q0 !== undefined && angle !== undefined) return rotation(axis, angle, q0)
  if ((op.name === 'id' || op.name === 'u0') && k === 1) return []
  if (op.name === 'swap' && q0 !== undefined && q1 !== undefined) return [{ kind: 'swap', qubits: [q0, q1] }]
  if (op.name === 'rzz' && q0 !== undefined && q1 !== undefined && angle !== undefined)
    return rzz(angle, q0, q1)
  if (op.name === 'rxx' && q0 !== undefined && q1 !== undefined && angle !== undefined) {
    const h = (q: number): LoweredOp => ({ kind: 'fixed', name: 'h', qubit: q })
    return [h(q0), h(q1), ...rzz(angle, q0, q1), h(q0), h(q1)]
  }
  const sequence = RELATIVE_PHASE_TOFFOLIS[op.name]
  if (sequence !== undefined && k === sequence.arity) return sequence.build(op.qubits)
  return lowerMatrix(op, options)
}

/** Any one-qubit unitary as rz·ry·rz (angles that are a global phase only are left out). */
export function oneQubitUnitary(u: ComplexMatrix, qubit: number): LoweredOp[] {
  const { beta, gamma, delta } = zyzAngles(u)
  return [...rotation('rz', delta, qubit), ...rotation('ry', gamma, qubit), ...rotation('rz', beta, qubit)]
}

/** The matrix of a one-qubit op: that of the qelib1.inc gate it stands for. */
export function oneQubitMatrix(op: OneQubitOp): ComplexMatrix {
  return op.kind === 'rotation'
    ? libraryMatrix(op.axis, [op.angle])
    : libraryMatrix(LIBRARY_NAME.get(op.name) ?? op.name)
}

function libraryMatrix(name: string, params: readonly number[] = []): ComplexMatrix {
  const gate = QELIB1_GATES.get(name)
  if (gate === undefined) throw new Error(`qelib1.inc has no gate '${name}'`)
  return gate.matrix(params)
}

function lowerMatrix(op: GateOp, options: LoweringOptions): LoweredOp[] {
  const { qubits } = op
  if (qubits.length === 1) return oneQubitUnitary(op.matrix, qubits[0] as number)
  const structure = controlStructure(op.matrix, qubits.length)
  if (structure !== undefined) {
    const controls = structure.controls.map((i) => qubits[i] as number)
    const [t0, t1] = structure.targets.map((i) => qubits[i] as number)
    if (t0 !== undefined && t1 === undefined)
      return controlledOneQubit(structure.matrix, controls, t0, options)
    // equal() also checks the size: exactly two targets.
    if (t0 !== undefined && t1 !== undefined && equal(structure.matrix, SWAP, MATRIX_TOLERANCE)) {
      // Controlled SWAP: only the middle of the three CNOTs needs the controls.
      const outer: LoweredOp = { kind: 'cnot', controls: [t1], target: t0 }
      return [outer, ...multiControlledX([...controls, t0], t1, options), outer]
    }
  }
  throw new UnloweredGateError(
    `gate '${op.name}' on ${qubits.length} qubits is neither a known gate nor a controlled one-qubit gate or SWAP`,
  )
}

export interface ControlStructure {
  /** The gate's qubits (positions in its own order) that must all be 1 for it to act. */
  readonly controls: readonly number[]
  /** The others, in order. */
  readonly targets: readonly number[]
  /** What it does to the targets where every control is 1 (little-endian over `targets`). */
  readonly matrix: ComplexMatrix
}

/**
 * `m` (on `numQubits` qubits, little-endian) as a gate on some of its qubits controlled by all the
 * others, with as many controls as it has; undefined when no qubit is a control.
 */
export function controlStructure(m: ComplexMatrix, numQubits: number): ControlStructure | undefined {
  const controls: number[] = []
  for (let i = 0; i < numQubits; i++) if (fixesStatesWhereZero(m, i)) controls.push(i)
  // A diagonal gate like CCZ fixes every state with any zero: its last qubit serves as the target.
  if (controls.length === numQubits) controls.pop()
  if (controls.length === 0) return undefined
  const targets = [...Array(numQubits).keys()].filter((i) => !controls.includes(i))
  // The row of m for the targets' basis state j with every control 1.
  const controlMask = controls.reduce((mask, c) => mask | (1 << c), 0)
  const row = (j: number): number => targets.reduce((at, t, b) => at | (((j >> b) & 1) << t), controlMask)
  const size = 1 << targets.length
  const rows = Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => get(m, row(r), row(c))),
  )
  return { controls, targets, matrix: matrix(rows) }
}

/** Every basis state with bit `i` clear is left exactly as it is. */
function fixesStatesWhereZero(m: ComplexMatrix, i: number): boolean {
  for (let col = 0; col < m.dim; col++) {
    if ((col >> i) & 1) continue
    for (let row = 0; row < m.dim; row++) {
      const [re, im] = get(m, row, col)
      if (Math.abs(re - (row === col ? 1 : 0)) > MATRIX_TOLERANCE || Math.abs(im) > MATRIX_TOLERANCE) {
        return false
      }
    }
  }
  return true
}

/** `u` on `target`, applied only when every control is 1, in CNOTs and one-qubit gates. */
export function controlledOneQubit(
  u: ComplexMatrix,
  controls: readonly number[],
  target: number,
  options: LoweringOptions,
): LoweredOp[] {
  if (controls.length === 0) return oneQubitUnitary(u, target)
  if (equal(u, X, MATRIX_TOLERANCE)) return multiControlledX(controls, target, options)
  const [control] = controls
  if (controls.length === 1 && control !== undefined) return singlyControlled(u, control, target)
  return barenco(u, controls, target, options)
}

function multiControlledX(
  controls: readonly number[],
  target: number,
  options: LoweringOptions,
): LoweredOp[] {
  if (controls.length <= Math.max(1, options.maxControls)) return [{ kind: 'cnot', controls, target }]
  const [a, b] = controls
  if (controls.length === 2 && a !== undefined && b !== undefined) return toffoli(a, b, target)
  return barenco(X, controls, target, options)
}

/**
 * Barenco et al. (1995), lemma 7.5: with V·V = U and controls c_1..c_n (n ≥ 2),
 * C^n(U) = C(V)[c_n] · C^{n-1}(X)[c_1..c_{n-1} → c_n] · C(V†)[c_n] · C^{n-1}(X) · C^{n-1}(V)[c_1..c_{n-1}].
 */
function barenco(
  u: ComplexMatrix,
  controls: readonly number[],
  target: number,
  options: LoweringOptions,
): LoweredOp[] {
  const v = unitarySqrt(u)
  const rest = controls.slice(0, -1)
  const last = controls[controls.length - 1] as number
  const flip = multiControlledX(rest, last, options)
  return [
    ...singlyControlled(v, last, target),
    ...flip,
    ...singlyControlled(adjoint(v), last, target),
    ...flip,
    ...controlledOneQubit(v, rest, target, options),
  ]
}

/**
 * Nielsen & Chuang, corollary 4.2: with U = e^{iα}·Rz(β)·Ry(γ)·Rz(δ), A = Rz(β)·Ry(γ/2),
 * B = Ry(−γ/2)·Rz(−(δ+β)/2) and C = Rz((δ−β)/2), controlled-U is C, CNOT, B, CNOT, A on the target
 * and a phase e^{iα} on the control (rz(α) up to a global phase).
 */
function singlyControlled(u: ComplexMatrix, control: number, target: number): LoweredOp[] {
  const { phase, beta, gamma, delta } = zyzAngles(u)
  const cnot: LoweredOp = { kind: 'cnot', controls: [control], target }
  return [
    ...rotation('rz', (delta - beta) / 2, target),
    cnot,
    ...rotation('rz', -(delta + beta) / 2, target),
    ...rotation('ry', -gamma / 2, target),
    cnot,
    ...rotation('ry', gamma / 2, target),
    ...rotation('rz', beta, target),
    ...rotation('rz', phase, control),
  ]
}

function rzz(angle: number, a: number, b: number): LoweredOp[] {
  const cnot: LoweredOp = { kind: 'cnot', controls: [a], target: b }
  return [cnot, ...rotation('rz', angle, b), cnot]
}

/** The rotation with its angle in (−π, π]; nothing when it is a global phase only. */
function rotation(axis: RotationAxis, angle: number, qubit: number): LoweredOp[] {
  const reduced = normaliseAngle(angle)
  if (Math.abs(reduced) < ANGLE_EPSILON) return []
  return [{ kind: 'rotation', axis, angle: reduced, qubit }]
}

/** The standard six-CNOT Toffoli (Nielsen & Chuang, figure 4.9). */
function toffoli(a: number, b: number, c: number): LoweredOp[] {
  return steps(
    'h c; cx b c; ti c; cx a c; t c; cx b c; ti c; cx a c; t b; t c; h c; cx a b; t a; ti b; cx a b',
    { a, b, c },
  )
}

// Qiskit's relative-phase Toffolis, by their qelib1.inc definitions (h is u2(0, π) exactly).
const RELATIVE_PHASE_TOFFOLIS: Readonly<
  Record<string, { arity: number; build: (q: readonly number[]) => LoweredOp[] }>
> = {
  rccx: {
    arity: 3,
    build: ([a, b, c]) => steps(`h c; t c; cx b c; ti c; cx a c; t c; cx b c; ti c; h c`, { a, b, c }),
  },
  rc3x: {
    arity: 4,
    build: ([a, b, c, d]) =>
      steps(
        [
          'h d; t d; cx c d; ti d; h d; cx a d; t d; cx b d; ti d; cx a d;',
          't d; cx b d; ti d; h d; t d; cx c d; ti d; h d',
        ].join(' '),
        { a, b, c, d },
      ),
  },
}

function steps(text: string, names: Readonly<Record<string, number | undefined>>): LoweredOp[] {
  const qubit = (name: string | undefined): number => {
    const q = name === undefined ? undefined : names[name]
    if (q === undefined) throw new Error(`step names unknown qubit '${name}'`)
    return q
  }
  return text.split(';').map((step) => {
    const [gate, first, second] = step.trim().split(' ')
    if (gate === 'cx') return { kind: 'cnot', controls: [qubit(first)], target: qubit(second) }
    return { kind: 'fixed', name: gate as FixedGateName, qubit: qubit(first) }
  })
}
