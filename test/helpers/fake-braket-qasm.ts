// The OpenQASM 3 the fake Braket service accepts and runs: the subset a gate-model QPU task uses
// (`qubit[n] q;`, one `bit[m] b;`, gate statements with numeric arguments, final
// `b[i] = measure q[j];`), gate names checked against the device's supportedOperations. Gates are
// Braket's standard gates, with the matrices amazon-braket-default-simulator's braket_gates.inc
// and the Braket SDK define (those IonQ's gate set shares come from reference-quantum.ts);
// matrices use hcx's little-endian convention, qubits in statement order (controls first).

import {
  type ComplexMatrix,
  controlled,
  identity,
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

export interface BraketStatement {
  readonly name: string
  readonly params: readonly number[]
  readonly qubits: readonly number[]
}

export interface BraketProgramRun {
  readonly qubits: number
  readonly gates: readonly BraketStatement[]
  /** Qubits in the order of the `b` array; all qubits when the program measures none. */
  readonly measuredQubits: readonly number[]
}

function phaseShift(lambda: number): ComplexMatrix {
  return matrix([
    [1, 0],
    [0, phase(lambda)],
  ])
}

const Z = phaseShift(Math.PI)

function ising(kind: 'xx' | 'zz', theta: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s: [number, number] = [0, -Math.sin(theta / 2)]
  if (kind === 'xx') {
    return matrix([
      [c, 0, 0, s],
      [0, c, s, 0],
      [0, s, c, 0],
      [s, 0, 0, c],
    ])
  }
  return matrix([
    [phase(-theta / 2), 0, 0, 0],
    [0, phase(theta / 2), 0, 0],
    [0, 0, phase(theta / 2), 0],
    [0, 0, 0, phase(-theta / 2)],
  ])
}

/** U(θ, φ, λ) as the Braket SDK's `U` gate defines it. */
function generalU(theta: number, phi: number, lambda: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  const [lr, li] = phase(lambda)
  const [pr, pi] = phase(phi)
  const [sr, si] = phase(phi + lambda)
  return matrix([
    [c, [-lr * s, -li * s]],
    [
      [pr * s, pi * s],
      [sr * c, si * c],
    ],
  ])
}

const BRAKET_GATES: Readonly<
  Record<string, { qubits: number; params: number; matrix: (p: number[]) => ComplexMatrix }>
> = {
  i: { qubits: 1, params: 0, matrix: () => identity(2) },
  x: { qubits: 1, params: 0, matrix: () => PAULI_X },
  y: { qubits: 1, params: 0, matrix: () => PAULI_Y },
  z: { qubits: 1, params: 0, matrix: () => Z },
  h: { qubits: 1, params: 0, matrix: () => HADAMARD },
  s: { qubits: 1, params: 0, matrix: () => phaseShift(Math.PI / 2) },
  si: { qubits: 1, params: 0, matrix: () => phaseShift(-Math.PI / 2) },
  t: { qubits: 1, params: 0, matrix: () => phaseShift(Math.PI / 4) },
  ti: { qubits: 1, params: 0, matrix: () => phaseShift(-Math.PI / 4) },
  v: { qubits: 1, params: 0, matrix: () => SQRT_X },
  vi: { qubits: 1, params: 0, matrix: () => SQRT_X_DAGGER },
  rx: { qubits: 1, params: 1, matrix: ([t = 0]) => rotation('x', t) },
  ry: { qubits: 1, params: 1, matrix: ([t = 0]) => rotation('y', t) },
  rz: { qubits: 1, params: 1, matrix: ([t = 0]) => rotation('z', t) },
  phaseshift: { qubits: 1, params: 1, matrix: ([l = 0]) => phaseShift(l) },
  U: { qubits: 1, params: 3, matrix: ([t = 0, p = 0, l = 0]) => generalU(t, p, l) },
  cnot: { qubits: 2, params: 0, matrix: () => controlled(PAULI_X) },
  cy: { qubits: 2, params: 0, matrix: () => controlled(PAULI_Y) },
  cz: { qubits: 2, params: 0, matrix: () => controlled(Z) },
  cv: { qubits: 2, params: 0, matrix: () => controlled(SQRT_X) },
  cphaseshift: { qubits: 2, params: 1, matrix: ([l = 0]) => controlled(phaseShift(l)) },
  swap: { qubits: 2, params: 0, matrix: () => SWAP },
  xx: { qubits: 2, params: 1, matrix: ([t = 0]) => ising('xx', t) },
  zz: { qubits: 2, params: 1, matrix: ([t = 0]) => ising('zz', t) },
  ccnot: { qubits: 3, params: 0, matrix: () => controlled(PAULI_X, 2) },
  cswap: { qubits: 3, params: 0, matrix: () => controlled(SWAP) },
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/
const GATE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\(([^)]*)\))? (q\[\d+\](?:, q\[\d+\])*);$/
const MEASURE = /^b\[(\d+)\] = measure q\[(\d+)\];$/

/** The program, or a sentence saying why Braket would reject it. */
export function parseBraketProgram(
  source: string,
  supportedOperations: readonly string[],
  qubitCount: number,
): BraketProgramRun | string {
  const lines = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
  if (lines[0] !== 'OPENQASM 3.0;' && lines[0] !== 'OPENQASM 3;')
    return 'the program does not start with OPENQASM 3'
  const declared = /^qubit\[(\d+)\] q;$/.exec(lines[1] ?? '')
  if (declared === null) return `expected a qubit declaration, got '${lines[1]}'`
  const qubits = Number(declared[1])
  if (qubits > qubitCount) return `the program declares ${qubits} qubits; the device has ${qubitCount}`
  let bits = 0
  const gates: BraketStatement[] = []
  const measured: number[] = []
  for (const line of lines.slice(2)) {
    const bitDeclaration = /^bit\[(\d+)\] b;$/.exec(line)
    if (bitDeclaration !== null && bits === 0 && gates.length === 0) {
      bits = Number(bitDeclaration[1])
      continue
    }
    const measure = MEASURE.exec(line)
    if (measure !== null) {
      const bit = Number(measure[1])
      const qubit = Number(measure[2])
      if (bit >= bits || qubit >= qubits) return `'${line}' is out of range`
      if (measured[bit] !== undefined) return `b[${bit}] is measured into twice`
      measured[bit] = qubit
      continue
    }
    const gate = GATE.exec(line)
    if (gate === null) return `unsupported statement '${line}'`
    const [, name = '', args, operands = ''] = gate
    if (!supportedOperations.includes(name))
      return `gate '${name}' is not in the device's supportedOperations`
    const definition = BRAKET_GATES[name]
    if (definition === undefined) return `the fake cannot run gate '${name}'`
    const params = args === undefined ? [] : args.split(',').map((a) => a.trim())
    if (params.length !== definition.params || params.some((p) => !NUMBER.test(p))) {
      return `'${line}' needs ${definition.params} numeric argument(s)`
    }
    const targets = [...operands.matchAll(/q\[(\d+)\]/g)].map((m) => Number(m[1]))
    if (targets.length !== definition.qubits || new Set(targets).size !== targets.length) {
      return `'${line}' needs ${definition.qubits} distinct qubits`
    }
    if (targets.some((q) => q >= qubits)) return `'${line}' names a qubit past q[${qubits - 1}]`
    if (targets.some((q) => measured.includes(q))) return `'${line}' acts on a measured qubit`
    gates.push({ name, params: params.map(Number), qubits: targets })
  }
  if (measured.length !== bits || measured.includes(undefined as unknown as number)) {
    return 'not every bit of b is measured into'
  }
  const measuredQubits = bits === 0 ? Array.from({ length: qubits }, (_, q) => q) : measured
  return { qubits, gates, measuredQubits }
}

/** The unitary of the program's gates. */
export function braketUnitary(run: BraketProgramRun): ComplexMatrix {
  const gates = run.gates.map((gate) => {
    const definition = BRAKET_GATES[gate.name]
    if (definition === undefined) throw new Error(`unknown gate ${gate.name}`)
    return { matrix: definition.matrix([...gate.params]), qubits: gate.qubits }
  })
  return unitaryOf(gates, run.qubits)
}

/** Probability of each basis state after the program's gates act on |0…0⟩, by its index. */
export function braketProbabilities(run: BraketProgramRun): number[] {
  return probabilitiesFromZero(braketUnitary(run))
}
