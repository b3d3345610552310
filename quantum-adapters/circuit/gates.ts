// The gates every front end can name, with their exact matrices (Qiskit's conventions,
// little-endian: see complex-matrix.ts). `include "qelib1.inc"` brings QELIB1_GATES into
// scope, `include "stdgates.inc"` brings STDGATES; U and CX are always there in OpenQASM 2.

import {
  type ComplexMatrix,
  controlled,
  embed,
  identity,
  matrix,
  multiply,
  phase,
  scale,
} from './complex-matrix.ts'

export interface GateDefinition {
  readonly name: string
  readonly numParams: number
  readonly numQubits: number
  readonly matrix: (params: readonly number[]) => ComplexMatrix
}

const SQRT1_2 = Math.SQRT1_2

/** OpenQASM's U(θ, φ, λ) in Qiskit's phase convention. */
export function u(theta: number, phi: number, lambda: number): ComplexMatrix {
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

const x = matrix([
  [0, 1],
  [1, 0],
])
const y = matrix([
  [0, [0, -1]],
  [[0, 1], 0],
])
const z = matrix([
  [1, 0],
  [0, -1],
])
const h = matrix([
  [SQRT1_2, SQRT1_2],
  [SQRT1_2, -SQRT1_2],
])
const sx = matrix([
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
])
const sxdg = matrix([
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
])
const swap = matrix([
  [1, 0, 0, 0],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 1],
])

function p(lambda: number): ComplexMatrix {
  return matrix([
    [1, 0],
    [0, phase(lambda)],
  ])
}

function rx(theta: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return matrix([
    [c, [0, -s]],
    [[0, -s], c],
  ])
}

function ry(theta: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return matrix([
    [c, -s],
    [s, c],
  ])
}

function rz(theta: number): ComplexMatrix {
  return matrix([
    [phase(-theta / 2), 0],
    [0, phase(theta / 2)],
  ])
}

function rxx(theta: number): ComplexMatrix {
  const c = Math.cos(theta / 2)
  const s: [number, number] = [0, -Math.sin(theta / 2)]
  return matrix([
    [c, 0, 0, s],
    [0, c, s, 0],
    [0, s, c, 0],
    [s, 0, 0, c],
  ])
}

function rzz(theta: number): ComplexMatrix {
  const minus = phase(-theta / 2)
  const plus = phase(theta / 2)
  return matrix([
    [minus, 0, 0, 0],
    [0, plus, 0, 0],
    [0, 0, plus, 0],
    [0, 0, 0, minus],
  ])
}

/** The product of a gate sequence on `numQubits` qubits, first gate first. */
function sequence(
  numQubits: number,
  steps: ReadonlyArray<readonly [ComplexMatrix, number[]]>,
): ComplexMatrix {
  let out = identity(1 << numQubits)
  for (const [gate, qubits] of steps) out = multiply(embed(gate, qubits, numQubits), out)
  return out
}

const cx = controlled(x)
const u2h = u(Math.PI / 2, 0, Math.PI)
const t = p(Math.PI / 4)
const tdg = p(-Math.PI / 4)

// Qiskit's relative-phase Toffolis are defined by their qelib1.inc circuits.
const rccx = sequence(3, [
  [u2h, [2]],
  [t, [2]],
  [cx, [1, 2]],
  [tdg, [2]],
  [cx, [0, 2]],
  [t, [2]],
  [cx, [1, 2]],
  [tdg, [2]],
  [u2h, [2]],
])
const rc3x = sequence(4, [
  [u2h, [3]],
  [t, [3]],
  [cx, [2, 3]],
  [tdg, [3]],
  [u2h, [3]],
  [cx, [0, 3]],
  [t, [3]],
  [cx, [1, 3]],
  [tdg, [3]],
  [cx, [0, 3]],
  [t, [3]],
  [cx, [1, 3]],
  [tdg, [3]],
  [u2h, [3]],
  [t, [3]],
  [cx, [2, 3]],
  [tdg, [3]],
  [u2h, [3]],
])

function gate(
  name: string,
  numParams: number,
  numQubits: number,
  build: (params: readonly number[]) => ComplexMatrix,
): GateDefinition {
  return { name, numParams, numQubits, matrix: build }
}

function fixed(name: string, numQubits: number, m: ComplexMatrix): GateDefinition {
  return gate(name, 0, numQubits, () => m)
}

const param = (params: readonly number[], i: number): number => params[i] as number

const U = gate('U', 3, 1, (q) => u(param(q, 0), param(q, 1), param(q, 2)))
const CX = fixed('CX', 2, cx)

const shared: GateDefinition[] = [
  gate('u3', 3, 1, (q) => u(param(q, 0), param(q, 1), param(q, 2))),
  gate('u2', 2, 1, (q) => u(Math.PI / 2, param(q, 0), param(q, 1))),
  gate('u1', 1, 1, (q) => p(param(q, 0))),
  fixed('cx', 2, cx),
  fixed('id', 1, identity(2)),
  gate('p', 1, 1, (q) => p(param(q, 0))),
  fixed('x', 1, x),
  fixed('y', 1, y),
  fixed('z', 1, z),
  fixed('h', 1, h),
  fixed('s', 1, p(Math.PI / 2)),
  fixed('sdg', 1, p(-Math.PI / 2)),
  fixed('t', 1, t),
  fixed('tdg', 1, tdg),
  gate('rx', 1, 1, (q) => rx(param(q, 0))),
  gate('ry', 1, 1, (q) => ry(param(q, 0))),
  gate('rz', 1, 1, (q) => rz(param(q, 0))),
  fixed('sx', 1, sx),
  fixed('cz', 2, controlled(z)),
  fixed('cy', 2, controlled(y)),
  fixed('swap', 2, swap),
  fixed('ch', 2, controlled(h)),
  fixed('ccx', 3, controlled(x, 2)),
  fixed('cswap', 3, controlled(swap)),
  gate('crx', 1, 2, (q) => controlled(rx(param(q, 0)))),
  gate('cry', 1, 2, (q) => controlled(ry(param(q, 0)))),
  gate('crz', 1, 2, (q) => controlled(rz(param(q, 0)))),
  gate('cp', 1, 2, (q) => controlled(p(param(q, 0)))),
  gate('cu', 4, 2, (q) => controlled(scale(u(param(q, 0), param(q, 1), param(q, 2)), phase(param(q, 3))))),
]

const qelib1Only: GateDefinition[] = [
  gate('u0', 1, 1, () => identity(2)),
  gate('u', 3, 1, (q) => u(param(q, 0), param(q, 1), param(q, 2))),
  fixed('sxdg', 1, sxdg),
  gate('cu1', 1, 2, (q) => controlled(p(param(q, 0)))),
  gate('cu3', 3, 2, (q) => controlled(u(param(q, 0), param(q, 1), param(q, 2)))),
  fixed('csx', 2, controlled(sx)),
  gate('rxx', 1, 2, (q) => rxx(param(q, 0))),
  gate('rzz', 1, 2, (q) => rzz(param(q, 0))),
  fixed('rccx', 3, rccx),
  fixed('rc3x', 4, rc3x),
  fixed('c3x', 4, controlled(x, 3)),
  fixed('c3sqrtx', 4, controlled(sx, 3)),
  fixed('c4x', 5, controlled(x, 4)),
]

const stdgatesOnly: GateDefinition[] = [
  CX,
  gate('phase', 1, 1, (q) => p(param(q, 0))),
  gate('cphase', 1, 2, (q) => controlled(p(param(q, 0)))),
]

function byName(gates: readonly GateDefinition[]): ReadonlyMap<string, GateDefinition> {
  return new Map(gates.map((g) => [g.name, g]))
}

/** Always in scope in OpenQASM 2. */
export const QASM2_BUILTINS = byName([U, CX])
/** Always in scope in OpenQASM 3 (gphase is handled by the front end: it changes no counts). */
export const QASM3_BUILTINS = byName([U])
/** Qiskit's qelib1.inc: the OpenQASM 2 standard library with Qiskit's additions. */
export const QELIB1_GATES = byName([...shared, ...qelib1Only])
/** OpenQASM 3's stdgates.inc. */
export const STDGATES = byName([...shared, ...stdgatesOnly])

/** Every gate name any front end accepts, for capability lists. */
export const GATE_NAMES: readonly string[] = [
  ...new Set([...QASM2_BUILTINS.keys(), ...QELIB1_GATES.keys(), ...STDGATES.keys()]),
].sort()
