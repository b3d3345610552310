// A circuit as the OpenQASM 3 program a Braket device runs. Braket's QPUs accept only the gates
// their capabilities list under the `braket.ir.openqasm.program` action, by Braket's own names
// (`cnot`, `si`, `phaseshift`, …; see amazon-braket-default-simulator's braket_gates.inc), with no
// `include` and no gate definitions, so the program is written here in Braket's dialect:
// each gate by its Braket name when the device lists it, else lowered to CNOTs and one-qubit
// gates the device does list. Measurements come last, into one `bit` array; the qubit each clbit
// reads is recorded separately (readout-layout.ts), since results come back per measured qubit.

import type { Circuit, GateOp } from '../../circuit/circuit.ts'
import type { ComplexMatrix } from '../../circuit/complex-matrix.ts'
import {
  type LoweredOp,
  lowerGate,
  oneQubitMatrix,
  oneQubitUnitary,
  UnloweredGateError,
} from '../gate-lowering.ts'
import { zyzAngles } from '../one-qubit-unitary.ts'
import type { ReadoutPlan } from '../readout-plan.ts'

export interface BraketDevice {
  readonly supportedOperations: readonly string[]
  readonly requiresAllQubitsMeasurement: boolean
}

export interface BraketProgram {
  readonly source: string
  /** The qubits the program measures, in the order of its `b` array. */
  readonly measuredQubits: readonly number[]
}

// Library gates whose Braket standard gate has exactly the same matrix (global phase aside).
const DIRECT: Readonly<Record<string, { name: string; params?: (p: readonly number[]) => number[] }>> = {
  x: { name: 'x' },
  y: { name: 'y' },
  z: { name: 'z' },
  h: { name: 'h' },
  s: { name: 's' },
  sdg: { name: 'si' },
  t: { name: 't' },
  tdg: { name: 'ti' },
  sx: { name: 'v' },
  sxdg: { name: 'vi' },
  rx: { name: 'rx' },
  ry: { name: 'ry' },
  rz: { name: 'rz' },
  p: { name: 'phaseshift' },
  u1: { name: 'phaseshift' },
  phase: { name: 'phaseshift' },
  U: { name: 'U' },
  u: { name: 'U' },
  u3: { name: 'U' },
  u2: { name: 'U', params: ([phi = 0, lambda = 0]) => [Math.PI / 2, phi, lambda] },
  cx: { name: 'cnot' },
  CX: { name: 'cnot' },
  cy: { name: 'cy' },
  cz: { name: 'cz' },
  csx: { name: 'cv' },
  cp: { name: 'cphaseshift' },
  cu1: { name: 'cphaseshift' },
  cphase: { name: 'cphaseshift' },
  swap: { name: 'swap' },
  ccx: { name: 'ccnot' },
  cswap: { name: 'cswap' },
  rxx: { name: 'xx' },
  rzz: { name: 'zz' },
}

/** Throws UnloweredGateError when the device lists too few gates to express the circuit. */
export function braketProgram(circuit: Circuit, plan: ReadoutPlan, device: BraketDevice): BraketProgram {
  const writer = new ProgramWriter(new Set(device.supportedOperations))
  for (const op of circuit.ops) if (op.kind === 'gate') writer.gate(op)
  const measuredQubits = device.requiresAllQubitsMeasurement
    ? Array.from({ length: circuit.numQubits }, (_, q) => q)
    : plan.measuredQubits
  const lines = ['OPENQASM 3.0;', `qubit[${circuit.numQubits}] q;`]
  if (measuredQubits.length > 0) lines.push(`bit[${measuredQubits.length}] b;`)
  lines.push(...writer.lines)
  for (const [i, q] of measuredQubits.entries()) lines.push(`b[${i}] = measure q[${q}];`)
  return { source: `${lines.join('\n')}\n`, measuredQubits }
}

class ProgramWriter {
  readonly lines: string[] = []
  readonly #supported: ReadonlySet<string>

  constructor(supported: ReadonlySet<string>) {
    this.#supported = supported
  }

  gate(op: GateOp): void {
    if (op.name === 'id' || op.name === 'u0') return
    const direct = DIRECT[op.name]
    if (direct !== undefined && this.#supported.has(direct.name)) {
      this.#statement(direct.name, direct.params?.(op.params) ?? op.params, op.qubits)
      return
    }
    const maxControls = this.#supported.has('ccnot') ? 2 : 1
    for (const lowered of lowerGate(op, { maxControls })) this.#lowered(lowered)
  }

  #lowered(op: LoweredOp): void {
    switch (op.kind) {
      case 'fixed':
        if (this.#supported.has(op.name)) this.#statement(op.name, [], [op.qubit])
        else this.#oneQubit(oneQubitMatrix(op), op.qubit)
        return
      case 'rotation':
        if (this.#supported.has(op.axis)) this.#statement(op.axis, [op.angle], [op.qubit])
        else this.#oneQubit(oneQubitMatrix(op), op.qubit)
        return
      case 'cnot':
        this.#cnot(op.controls, op.target)
        return
      case 'swap': {
        const [a, b] = op.qubits
        if (this.#supported.has('swap')) this.#statement('swap', [], op.qubits)
        else
          for (const [c, t] of [
            [a, b],
            [b, a],
            [a, b],
          ] as const)
            this.#cnot([c], t)
        return
      }
    }
  }

  #cnot(controls: readonly number[], target: number): void {
    if (controls.length === 2 && this.#supported.has('ccnot')) {
      this.#statement('ccnot', [], [...controls, target])
      return
    }
    const [control] = controls
    if (controls.length !== 1 || control === undefined) {
      throw new UnloweredGateError(
        `a CNOT with ${controls.length} controls needs 'ccnot', which the device lacks`,
      )
    }
    if (this.#supported.has('cnot')) {
      this.#statement('cnot', [], [control, target])
    } else if (this.#supported.has('cz')) {
      // CNOT = (I⊗H)·CZ·(I⊗H).
      this.#lowered({ kind: 'fixed', name: 'h', qubit: target })
      this.#statement('cz', [], [control, target])
      this.#lowered({ kind: 'fixed', name: 'h', qubit: target })
    } else {
      throw new UnloweredGateError("the device lists neither 'cnot' nor 'cz'")
    }
  }

  /** Any one-qubit unitary from whichever rotations the device lists. */
  #oneQubit(u: ComplexMatrix, qubit: number): void {
    const has = (name: string): boolean => this.#supported.has(name)
    if (has('rz') && has('ry')) {
      for (const op of oneQubitUnitary(u, qubit)) this.#lowered(op)
      return
    }
    const { beta, gamma, delta } = zyzAngles(u)
    if (has('U')) {
      // U(θ, φ, λ) = e^{i(φ+λ)/2}·Rz(φ)·Ry(θ)·Rz(λ).
      this.#statement('U', [gamma, beta, delta], [qubit])
    } else if (has('rz') && has('rx')) {
      // Ry(γ) = Rz(π/2)·Rx(γ)·Rz(−π/2).
      this.#statement('rz', [delta - Math.PI / 2], [qubit])
      this.#statement('rx', [gamma], [qubit])
      this.#statement('rz', [beta + Math.PI / 2], [qubit])
    } else {
      throw new UnloweredGateError(
        "a one-qubit gate needs 'rz' with 'ry' or 'rx', or 'U', none of which the device lists",
      )
    }
  }

  #statement(name: string, params: readonly number[], qubits: readonly number[]): void {
    const args = params.length === 0 ? '' : `(${params.map(formatAngle).join(', ')})`
    this.lines.push(`${name}${args} ${qubits.map((q) => `q[${q}]`).join(', ')};`)
  }
}

/** Shortest text that reads back as the same double; OpenQASM 3 float literals allow exponents. */
function formatAngle(value: number): string {
  if (!Number.isFinite(value)) throw new UnloweredGateError(`gate parameter ${value} is not a finite number`)
  return Object.is(value, -0) ? '0' : String(value)
}
