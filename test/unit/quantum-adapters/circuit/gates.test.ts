// Every library gate against a matrix written out here from Qiskit's published gate
// definitions (little-endian: gate qubit 0 is the low bit of a row or column index), and
// the relative-phase Toffolis and c3sqrtx against their qelib1.inc circuits.

import { describe, expect, it } from 'vitest'
import {
  adjoint,
  type ComplexMatrix,
  embed,
  equal,
  get,
  identity,
  matrix,
  multiply,
} from '../../../../quantum-adapters/circuit/complex-matrix.ts'
import {
  GATE_NAMES,
  type GateDefinition,
  QASM2_BUILTINS,
  QASM3_BUILTINS,
  QELIB1_GATES,
  STDGATES,
} from '../../../../quantum-adapters/circuit/gates.ts'

type Entry = readonly [number, number]

const expi = (angle: number): Entry => [Math.cos(angle), Math.sin(angle)]
const times = ([ar, ai]: Entry, [br, bi]: Entry): Entry => [ar * br - ai * bi, ar * bi + ai * br]
const real = (x: number): Entry => [x, 0]
const imag = (x: number): Entry => [0, x]
const R = Math.SQRT1_2

function dense(rows: ReadonlyArray<ReadonlyArray<Entry | number>>): ComplexMatrix {
  return matrix(rows.map((row) => row.map((e) => (typeof e === 'number' ? real(e) : e))))
}

function diagonal(entries: ReadonlyArray<Entry | number>): ComplexMatrix {
  return dense(entries.map((e, r) => entries.map((_, c) => (r === c ? e : 0))))
}

/** The identity with rows and columns `a` and `b` exchanged. */
function permutationSwapping(dim: number, a: number, b: number): ComplexMatrix {
  const rows: number[][] = []
  for (let r = 0; r < dim; r++) {
    const source = r === a ? b : r === b ? a : r
    rows.push(Array.from({ length: dim }, (_, c) => (c === source ? 1 : 0)))
  }
  return dense(rows)
}

/** A 2×2 `target` on the highest qubit, acting where all `controls` low qubits are 1. */
function withControls(target: ComplexMatrix, controls: number): ComplexMatrix {
  const dim = 2 << controls
  const ones = (1 << controls) - 1
  const rows: Entry[][] = []
  for (let r = 0; r < dim; r++) {
    rows.push(
      Array.from({ length: dim }, (_, c): Entry => {
        if ((r & ones) === ones && (c & ones) === ones) return get(target, r >> controls, c >> controls)
        return r === c ? real(1) : real(0)
      }),
    )
  }
  return dense(rows)
}

// Qiskit's single-qubit definitions.
const U = (theta: number, phi: number, lambda: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [c, times(expi(lambda), real(-s))],
    [times(expi(phi), real(s)), times(expi(phi + lambda), real(c))],
  ])
}
const U2 = (phi: number, lambda: number): ComplexMatrix =>
  dense([
    [R, times(expi(lambda), real(-R))],
    [times(expi(phi), real(R)), times(expi(phi + lambda), real(R))],
  ])
const P = (lambda: number): ComplexMatrix => diagonal([1, expi(lambda)])
const RX = (theta: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [c, imag(-s)],
    [imag(-s), c],
  ])
}
const RY = (theta: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [c, -s],
    [s, c],
  ])
}
const RZ = (theta: number): ComplexMatrix => diagonal([expi(-theta / 2), expi(theta / 2)])
const I2 = diagonal([1, 1])
const X = dense([
  [0, 1],
  [1, 0],
])
const Y = dense([
  [0, imag(-1)],
  [imag(1), 0],
])
const Z = diagonal([1, -1])
const H = dense([
  [R, R],
  [R, -R],
])
const S = diagonal([1, imag(1)])
const SDG = diagonal([1, imag(-1)])
const T = diagonal([1, expi(Math.PI / 4)])
const TDG = diagonal([1, expi(-Math.PI / 4)])
const SX = dense([
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
])
const SXDG = dense([
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
])

// Qiskit's two-qubit definitions, written out with control = gate qubit 0 (the low bit).
const CX = dense([
  [1, 0, 0, 0],
  [0, 0, 0, 1],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
])
const CY = dense([
  [1, 0, 0, 0],
  [0, 0, 0, imag(-1)],
  [0, 0, 1, 0],
  [0, imag(1), 0, 0],
])
const CZ = diagonal([1, 1, 1, -1])
const CH = dense([
  [1, 0, 0, 0],
  [0, R, 0, R],
  [0, 0, 1, 0],
  [0, R, 0, -R],
])
const SWAP = dense([
  [1, 0, 0, 0],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 1],
])
const CSX = dense([
  [1, 0, 0, 0],
  [0, [0.5, 0.5], 0, [0.5, -0.5]],
  [0, 0, 1, 0],
  [0, [0.5, -0.5], 0, [0.5, 0.5]],
])
const CRX = (theta: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [1, 0, 0, 0],
    [0, c, 0, imag(-s)],
    [0, 0, 1, 0],
    [0, imag(-s), 0, c],
  ])
}
const CRY = (theta: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [1, 0, 0, 0],
    [0, c, 0, -s],
    [0, 0, 1, 0],
    [0, s, 0, c],
  ])
}
const CRZ = (theta: number): ComplexMatrix => diagonal([1, expi(-theta / 2), 1, expi(theta / 2)])
const CP = (lambda: number): ComplexMatrix => diagonal([1, 1, 1, expi(lambda)])
const CU = (theta: number, phi: number, lambda: number, gamma: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = Math.sin(theta / 2)
  return dense([
    [1, 0, 0, 0],
    [0, times(expi(gamma), real(c)), 0, times(expi(gamma + lambda), real(-s))],
    [0, 0, 1, 0],
    [0, times(expi(gamma + phi), real(s)), 0, times(expi(gamma + phi + lambda), real(c))],
  ])
}
const RXX = (theta: number): ComplexMatrix => {
  const c = Math.cos(theta / 2)
  const s = imag(-Math.sin(theta / 2))
  return dense([
    [c, 0, 0, s],
    [0, c, s, 0],
    [0, s, c, 0],
    [s, 0, 0, c],
  ])
}
const RZZ = (theta: number): ComplexMatrix =>
  diagonal([expi(-theta / 2), expi(theta / 2), expi(theta / 2), expi(-theta / 2)])

/** The product of a gate list on `n` qubits, first gate applied first. */
function circuitMatrix(
  n: number,
  steps: ReadonlyArray<readonly [ComplexMatrix, readonly number[]]>,
): ComplexMatrix {
  let out = identity(1 << n)
  for (const [m, qubits] of steps) out = multiply(embed(m, qubits, n), out)
  return out
}

const u2h = U2(0, Math.PI)
const u1 = P

// qelib1.inc: gate rccx a,b,c
const RCCX = circuitMatrix(3, [
  [u2h, [2]],
  [u1(Math.PI / 4), [2]],
  [CX, [1, 2]],
  [u1(-Math.PI / 4), [2]],
  [CX, [0, 2]],
  [u1(Math.PI / 4), [2]],
  [CX, [1, 2]],
  [u1(-Math.PI / 4), [2]],
  [u2h, [2]],
])

// qelib1.inc: gate rc3x a,b,c,d
const RC3X = circuitMatrix(4, [
  [u2h, [3]],
  [u1(Math.PI / 4), [3]],
  [CX, [2, 3]],
  [u1(-Math.PI / 4), [3]],
  [u2h, [3]],
  [CX, [0, 3]],
  [u1(Math.PI / 4), [3]],
  [CX, [1, 3]],
  [u1(-Math.PI / 4), [3]],
  [CX, [0, 3]],
  [u1(Math.PI / 4), [3]],
  [CX, [1, 3]],
  [u1(-Math.PI / 4), [3]],
  [u2h, [3]],
  [u1(Math.PI / 4), [3]],
  [CX, [2, 3]],
  [u1(-Math.PI / 4), [3]],
  [u2h, [3]],
])

// qelib1.inc: gate c3sqrtx a,b,c,d, built from h, cu1 and cx.
const C3SQRTX_CIRCUIT = (() => {
  const hcu1h = (angle: number, control: number): Array<readonly [ComplexMatrix, number[]]> => [
    [H, [3]],
    [CP(angle), [control, 3]],
    [H, [3]],
  ]
  const e = Math.PI / 8
  return circuitMatrix(4, [
    ...hcu1h(e, 0),
    [CX, [0, 1]],
    ...hcu1h(-e, 1),
    [CX, [0, 1]],
    ...hcu1h(e, 1),
    [CX, [1, 2]],
    ...hcu1h(-e, 2),
    [CX, [0, 2]],
    ...hcu1h(e, 2),
    [CX, [1, 2]],
    ...hcu1h(-e, 2),
    [CX, [0, 2]],
    ...hcu1h(e, 2),
  ])
})()

/** Every gate name the libraries define, with its expected matrix. */
const EXPECTED: Record<string, (q: readonly number[]) => ComplexMatrix> = {
  U: ([a = 0, b = 0, c = 0]) => U(a, b, c),
  u: ([a = 0, b = 0, c = 0]) => U(a, b, c),
  u3: ([a = 0, b = 0, c = 0]) => U(a, b, c),
  u2: ([a = 0, b = 0]) => U2(a, b),
  u1: ([a = 0]) => P(a),
  p: ([a = 0]) => P(a),
  phase: ([a = 0]) => P(a),
  u0: () => I2,
  id: () => I2,
  x: () => X,
  y: () => Y,
  z: () => Z,
  h: () => H,
  s: () => S,
  sdg: () => SDG,
  t: () => T,
  tdg: () => TDG,
  sx: () => SX,
  sxdg: () => SXDG,
  rx: ([a = 0]) => RX(a),
  ry: ([a = 0]) => RY(a),
  rz: ([a = 0]) => RZ(a),
  CX: () => CX,
  cx: () => CX,
  cy: () => CY,
  cz: () => CZ,
  ch: () => CH,
  swap: () => SWAP,
  csx: () => CSX,
  crx: ([a = 0]) => CRX(a),
  cry: ([a = 0]) => CRY(a),
  crz: ([a = 0]) => CRZ(a),
  cp: ([a = 0]) => CP(a),
  cu1: ([a = 0]) => CP(a),
  cphase: ([a = 0]) => CP(a),
  cu3: ([a = 0, b = 0, c = 0]) => CU(a, b, c, 0),
  cu: ([a = 0, b = 0, c = 0, d = 0]) => CU(a, b, c, d),
  rxx: ([a = 0]) => RXX(a),
  rzz: ([a = 0]) => RZZ(a),
  ccx: () => permutationSwapping(8, 3, 7),
  cswap: () => permutationSwapping(8, 3, 5),
  c3x: () => permutationSwapping(16, 7, 15),
  c4x: () => permutationSwapping(32, 15, 31),
  c3sqrtx: () => withControls(SX, 3),
  rccx: () => RCCX,
  rc3x: () => RC3X,
}

const PARAMETER_SETS: ReadonlyArray<readonly number[]> = [
  [0, 0, 0, 0],
  [Math.PI / 2, Math.PI, -Math.PI / 4, Math.PI / 3],
  [0.3, -1.1, 2.5, 0.7],
  [-2.2, 4.0, 0.1, -0.5],
  [2 * Math.PI + 0.4, -3 * Math.PI, 5.5, -6.1],
]

const LIBRARY: ReadonlyArray<readonly [string, GateDefinition]> = (
  [
    ['built-in', QASM2_BUILTINS],
    ['qelib1.inc', QELIB1_GATES],
    ['stdgates.inc', STDGATES],
  ] as const
).flatMap(([library, gates]) => [...gates.values()].map((gate) => [`${library} ${gate.name}`, gate] as const))

function isUnitary(m: ComplexMatrix): boolean {
  return equal(multiply(m, adjoint(m)), identity(m.dim), 1e-12)
}

describe('gate library matrices', () => {
  it.each(LIBRARY)('%s matches its published matrix for several parameter values', (label, gate) => {
    const expected = EXPECTED[gate.name]
    expect(expected, `no expected matrix for ${label}`).toBeDefined()
    for (const set of PARAMETER_SETS) {
      const params = set.slice(0, gate.numParams)
      const m = gate.matrix(params)
      const want = (expected as (q: readonly number[]) => ComplexMatrix)(params)
      expect(m.dim).toBe(1 << gate.numQubits)
      expect(m.data.length).toBe(2 * m.dim * m.dim)
      expect(equal(m, want, 1e-12), `${label}(${params.join(', ')})`).toBe(true)
    }
  })

  it.each(LIBRARY)('%s is unitary', (_name, gate) => {
    for (const set of PARAMETER_SETS) expect(isUnitary(gate.matrix(set.slice(0, gate.numParams)))).toBe(true)
  })

  it('orders qubits little-endian: cx with control q0 maps |01⟩ (index 1) to |11⟩ (index 3)', () => {
    const cx = QELIB1_GATES.get('cx')?.matrix([]) as ComplexMatrix
    expect(get(cx, 3, 1)).toEqual([1, 0])
    expect(get(cx, 1, 3)).toEqual([1, 0])
    expect(get(cx, 2, 2)).toEqual([1, 0])
    expect(get(cx, 1, 1)).toEqual([0, 0])
    // Control on gate qubit 1 instead is the same gate embedded with its qubits reversed.
    const reversed = embed(cx, [1, 0], 2)
    expect(get(reversed, 3, 2)).toEqual([1, 0])
    expect(get(reversed, 1, 1)).toEqual([1, 0])
  })

  it('builds rccx and rc3x as their qelib1.inc circuits: Toffolis up to relative phases', () => {
    const rccx = QELIB1_GATES.get('rccx')?.matrix([]) as ComplexMatrix
    const rc3x = QELIB1_GATES.get('rc3x')?.matrix([]) as ComplexMatrix
    for (const [m, toffoli] of [
      [rccx, permutationSwapping(8, 3, 7)],
      [rc3x, permutationSwapping(16, 7, 15)],
    ] as const) {
      for (let r = 0; r < m.dim; r++) {
        for (let c = 0; c < m.dim; c++) {
          expect(Math.hypot(...get(m, r, c))).toBeCloseTo(Math.hypot(...get(toffoli, r, c)), 12)
        }
      }
    }
  })

  it('gives c3sqrtx the matrix of its qelib1.inc circuit: sx controlled by three qubits', () => {
    expect(equal(C3SQRTX_CIRCUIT, withControls(SX, 3), 1e-12)).toBe(true)
    expect(equal(QELIB1_GATES.get('c3sqrtx')?.matrix([]) as ComplexMatrix, C3SQRTX_CIRCUIT, 1e-12)).toBe(true)
  })

  it('defines exactly the gates of qelib1.inc, stdgates.inc and the built-ins', () => {
    const qelib1 =
      'u3 u2 u1 cx id u0 u p x y z h s sdg t tdg rx ry rz sx sxdg cz cy swap ch ccx cswap ' +
      'crx cry crz cu1 cp cu3 csx cu rxx rzz rccx rc3x c3x c3sqrtx c4x'
    const stdgates =
      'p x y z h s sdg t tdg sx rx ry rz cx cy cz cp crx cry crz ch swap ccx cswap cu CX ' +
      'phase cphase id u1 u2 u3'
    expect([...QELIB1_GATES.keys()].sort()).toEqual(qelib1.split(' ').sort())
    expect([...STDGATES.keys()].sort()).toEqual(stdgates.split(' ').sort())
    expect([...QASM2_BUILTINS.keys()].sort()).toEqual(['CX', 'U'])
    expect([...QASM3_BUILTINS.keys()]).toEqual(['U'])
    const union = new Set([...QASM2_BUILTINS.keys(), ...QELIB1_GATES.keys(), ...STDGATES.keys()])
    expect(GATE_NAMES).toEqual([...union].sort())
  })

  it('gives each gate the parameter count of its definition and the qubit count of its matrix', () => {
    const parameters = new Map(
      (
        'U:3 u:3 u3:3 u2:2 u1:1 p:1 phase:1 u0:1 rx:1 ry:1 rz:1 ' +
        'crx:1 cry:1 crz:1 cp:1 cu1:1 cphase:1 cu3:3 cu:4 rxx:1 rzz:1'
      )
        .split(' ')
        .map((entry) => {
          const [name = '', count = ''] = entry.split(':')
          return [name, Number(count)] as const
        }),
    )
    for (const [label, gate] of LIBRARY) {
      const params = parameters.get(gate.name) ?? 0
      const dim = EXPECTED[gate.name]?.(new Array<number>(params).fill(0)).dim ?? 0
      expect([gate.numParams, 1 << gate.numQubits], label).toEqual([params, dim])
    }
  })
})
