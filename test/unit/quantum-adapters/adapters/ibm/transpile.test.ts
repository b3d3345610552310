import { describe, expect, it } from 'vitest'
import { emitIsaQasm3 } from '../../../../../quantum-adapters/adapters/ibm/isa-qasm.ts'
import {
  ECR_MATRIX,
  type IbmTarget,
  type IsaCircuit,
  transpileForIbm,
} from '../../../../../quantum-adapters/adapters/ibm/transpile.ts'
import type { Circuit, CircuitOp, GateOp, Register } from '../../../../../quantum-adapters/circuit/circuit.ts'
import {
  type ComplexMatrix,
  embed,
  equalUpToPhase,
  multiply,
} from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { type GateDefinition, QELIB1_GATES, STDGATES } from '../../../../../quantum-adapters/circuit/gates.ts'
import { applyOnQubits } from '../../../../helpers/reference-quantum.ts'
import { seededRandom } from '../../../../helpers/seeded-random.ts'
import { circuitUnitary } from '../ionq/circuits.ts'

const LIBRARY = new Map<string, GateDefinition>([...QELIB1_GATES, ...STDGATES])

function gate(name: string, qubits: number[], params: number[] = []): GateOp {
  const definition = LIBRARY.get(name)
  if (definition === undefined) throw new Error(`no gate ${name}`)
  return { kind: 'gate', name, params, qubits, matrix: definition.matrix(params) }
}

function circuitOf(numQubits: number, ops: CircuitOp[], cregs: Register[] = []): Circuit {
  const numClbits = cregs.reduce((sum, r) => sum + r.size, 0)
  return { numQubits, numClbits, qregs: [{ name: 'q', size: numQubits, offset: 0 }], cregs, ops }
}

const both = (pairs: [number, number][]): [number, number][] =>
  pairs.flatMap(([a, b]) => [[a, b] as [number, number], [b, a] as [number, number]])

const TARGETS: Record<string, IbmTarget> = {
  'heron-like line, cz both ways': {
    numQubits: 5,
    basisGates: ['cz', 'id', 'rz', 'sx', 'x'],
    couplingMap: both([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]),
  },
  'eagle-like tee, ecr one way': {
    numQubits: 5,
    basisGates: ['ecr', 'id', 'rz', 'sx', 'x'],
    couplingMap: [
      [0, 1],
      [2, 1],
      [1, 3],
      [4, 3],
    ],
  },
  'ring, cx one way, no x': {
    numQubits: 6,
    basisGates: ['cx', 'rz', 'sx'],
    couplingMap: [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 0],
    ],
  },
  'line, cz listed one way': {
    numQubits: 5,
    basisGates: ['cz', 'rz', 'sx', 'x'],
    couplingMap: [
      [1, 0],
      [1, 2],
      [3, 2],
      [3, 4],
    ],
  },
  'simulator, every pair': { numQubits: 5, basisGates: ['cz', 'rz', 'sx', 'x'], couplingMap: null },
}

function gatesOf(circuit: Circuit): GateOp[] {
  return circuit.ops.filter((op): op is GateOp => op.kind === 'gate')
}

/** ⟨final(y)| ISA |initial(x)⟩ for logical basis states x, y: the ISA circuit seen through its layouts. */
function isaSeenLogically(isa: IsaCircuit, numLogical: number): ComplexMatrix {
  const width = isa.circuit.numQubits
  const dim = 1 << numLogical
  const place = (x: number, layout: readonly number[]): number => {
    let p = 0
    for (let l = 0; l < numLogical; l++) if ((x >> l) & 1) p |= 1 << (layout[l] as number)
    return p
  }
  const data = new Float64Array(2 * dim * dim)
  for (let x = 0; x < dim; x++) {
    let state: Float64Array = new Float64Array(2 << width)
    state[2 * place(x, isa.initialLayout)] = 1
    for (const op of gatesOf(isa.circuit)) state = applyOnQubits(state, op.matrix, op.qubits)
    for (let y = 0; y < dim; y++) {
      const at = place(y, isa.finalLayout)
      data[2 * (y * dim + x)] = state[2 * at] as number
      data[2 * (y * dim + x) + 1] = state[2 * at + 1] as number
    }
  }
  return { dim, data }
}

/** Every instruction is a basis gate, every 2-qubit gate on a pair the map lists, measures last. */
function expectIsa(isa: IsaCircuit, target: IbmTarget): void {
  const violations: string[] = []
  const listed = new Set((target.couplingMap ?? []).map(([a, b]) => `${a},${b}`))
  let measured = false
  for (const op of isa.circuit.ops) {
    if (op.kind === 'measure') {
      measured = true
      continue
    }
    if (measured) violations.push(`${op.kind} after the measurements`)
    if (op.kind !== 'gate') continue
    if (!target.basisGates.includes(op.name)) violations.push(`'${op.name}' is not a basis gate`)
    if (op.qubits.length > 2) violations.push(`'${op.name}' acts on ${op.qubits.length} qubits`)
    if (op.qubits.length === 2 && target.couplingMap !== null && !listed.has(op.qubits.join(','))) {
      violations.push(`${op.name} on (${op.qubits.join(', ')}) is not in the coupling map`)
    }
  }
  expect(violations).toEqual([])
}

function randomCircuit(random: () => number, numQubits: number, length: number): Circuit {
  const choices = [...LIBRARY.values()].filter((g) => g.numQubits <= numQubits)
  const ops: CircuitOp[] = []
  for (let i = 0; i < length; i++) {
    const definition = choices[Math.floor(random() * choices.length)] as GateDefinition
    const pool = [...Array(numQubits).keys()]
    const qubits: number[] = []
    for (let j = 0; j < definition.numQubits; j++)
      qubits.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as number)
    const params = Array.from({ length: definition.numParams }, () => (random() * 2 - 1) * Math.PI)
    ops.push(gate(definition.name, qubits, params))
  }
  return circuitOf(numQubits, ops)
}

describe('transpiling for IBM', () => {
  for (const [label, target] of Object.entries(TARGETS)) {
    it(`keeps random circuits' unitaries on a ${label}`, () => {
      const random = seededRandom(label.length * 7919)
      for (let trial = 0; trial < 25; trial++) {
        const numQubits = 2 + (trial % 3)
        const circuit = randomCircuit(random, numQubits, 10)
        const isa = transpileForIbm(circuit, target)
        expectIsa(isa, target)
        expect(equalUpToPhase(isaSeenLogically(isa, numQubits), circuitUnitary(circuit), 1e-8)).toBe(true)
      }
    })
  }

  it('decomposes every library gate exactly, alone and against the coupling map', () => {
    const random = seededRandom(5)
    const target = TARGETS['eagle-like tee, ecr one way'] as IbmTarget
    for (const definition of LIBRARY.values()) {
      const params = Array.from({ length: definition.numParams }, () => (random() * 2 - 1) * Math.PI)
      // Reverse the qubits too, so that no gate only ever meets the coupling map one way round.
      for (const qubits of [
        [...Array(definition.numQubits).keys()],
        [...Array(definition.numQubits).keys()].reverse(),
      ]) {
        const circuit = circuitOf(definition.numQubits, [gate(definition.name, qubits, params)])
        const isa = transpileForIbm(circuit, target)
        expectIsa(isa, target)
        const same = equalUpToPhase(
          isaSeenLogically(isa, definition.numQubits),
          circuitUnitary(circuit),
          1e-8,
        )
        expect(same, `${definition.name} on ${qubits.join(',')}`).toBe(true)
      }
    }
  })

  it('routes interactions between far qubits with SWAPs and follows the qubits to their measurements', () => {
    const target = TARGETS['heron-like line, cz both ways'] as IbmTarget
    const c: Register = { name: 'c', size: 5, offset: 0 }
    const ops: CircuitOp[] = [
      gate('h', [0]),
      gate('cx', [0, 1]),
      gate('cx', [0, 2]),
      gate('cx', [0, 3]),
      gate('cx', [0, 4]),
    ]
    ops.push(gate('cx', [1, 4]), gate('cx', [2, 3]), gate('rz', [4], [0.3]))
    for (let i = 0; i < 5; i++) ops.push({ kind: 'measure', qubit: i, clbit: i })
    const circuit = circuitOf(5, ops, [c])
    const isa = transpileForIbm(circuit, target)
    expectIsa(isa, target)
    expect(isa.finalLayout).not.toEqual(isa.initialLayout)
    const measures = isa.circuit.ops.filter((op) => op.kind === 'measure')
    expect(measures).toEqual(
      [0, 1, 2, 3, 4].map((l) => ({ kind: 'measure', qubit: isa.finalLayout[l], clbit: l })),
    )
    expect(equalUpToPhase(isaSeenLogically(isa, 5), circuitUnitary(circuit), 1e-8)).toBe(true)
  })

  it('places strongly interacting qubits next to each other', () => {
    const target = TARGETS['heron-like line, cz both ways'] as IbmTarget
    const circuit = circuitOf(3, [
      gate('cx', [0, 2]),
      gate('cx', [2, 0]),
      gate('cx', [0, 2]),
      gate('cx', [1, 2]),
    ])
    const isa = transpileForIbm(circuit, target)
    const [p0, , p2] = isa.initialLayout as [number, number, number]
    expect(Math.abs(p0 - p2)).toBe(1)
    expect(isa.finalLayout).toEqual(isa.initialLayout)
  })

  it('writes a Bell circuit as basis gates on a coupled pair', () => {
    const target = TARGETS['heron-like line, cz both ways'] as IbmTarget
    const c: Register = { name: 'c', size: 2, offset: 0 }
    const bell = circuitOf(
      2,
      [
        gate('h', [0]),
        gate('cx', [0, 1]),
        { kind: 'measure', qubit: 0, clbit: 0 },
        { kind: 'measure', qubit: 1, clbit: 1 },
      ],
      [c],
    )
    const isa = transpileForIbm(bell, target)
    const qasm = emitIsaQasm3(isa.circuit)
    expect(qasm.startsWith('OPENQASM 3.0;\ninclude "stdgates.inc";\n')).toBe(true)
    expect(qasm).toContain(`qubit[${isa.circuit.numQubits}] q;\nbit[2] c;\n`)
    expect(qasm).toMatch(/^cz q\[\d\], q\[\d\];$/m)
    expect(qasm).toContain(
      `c[0] = measure q[${isa.finalLayout[0]}];\nc[1] = measure q[${isa.finalLayout[1]}];\n`,
    )
    for (const line of qasm.split('\n').slice(4, -3))
      expect(line).toMatch(/^(rz\([-\d.e]+\)|sx|x|cz) q\[\d\](, q\[\d\])?;$/)
  })

  it('defines ecr in the OpenQASM it writes, by a definition equal to the ECR matrix', () => {
    const target = TARGETS['eagle-like tee, ecr one way'] as IbmTarget
    const isa = transpileForIbm(circuitOf(2, [gate('cx', [0, 1])]), target)
    const qasm = emitIsaQasm3(isa.circuit)
    expect(qasm).toContain('gate ecr a, b { cx a, b; s a; x a; sx b; }')
    expect(qasm).toMatch(/^ecr q\[\d\], q\[\d\];$/m)
    let definition = gate('cx', [0, 1]).matrix
    for (const [name, qubit] of [
      ['s', 0],
      ['x', 0],
      ['sx', 1],
    ] as const) {
      definition = multiply(embed(gate(name, [qubit]).matrix, [qubit], 2), definition)
    }
    expect(equalUpToPhase(definition, ECR_MATRIX, 1e-12)).toBe(true)
  })

  it('drops resets before first use and keeps barriers', () => {
    const target = TARGETS['heron-like line, cz both ways'] as IbmTarget
    const circuit = circuitOf(2, [
      { kind: 'reset', qubit: 0 },
      gate('h', [0]),
      { kind: 'barrier', qubits: [0, 1] },
      gate('x', [1]),
    ])
    const isa = transpileForIbm(circuit, target)
    expect(isa.circuit.ops.some((op) => op.kind === 'reset')).toBe(false)
    expect(isa.circuit.ops.filter((op) => op.kind === 'barrier')).toHaveLength(1)
    expect(equalUpToPhase(isaSeenLogically(isa, 2), circuitUnitary(circuit), 1e-8)).toBe(true)
  })

  it('refuses what needs a dynamic circuit or a bigger device, with QPU_UNSUPPORTED_CIRCUIT', () => {
    const target = TARGETS['heron-like line, cz both ways'] as IbmTarget
    const c: Register = { name: 'c', size: 1, offset: 0 }
    const refusals: [Circuit, RegExp][] = [
      [circuitOf(6, [gate('h', [5])]), /uses 6 qubits and the backend has 5/],
      [
        circuitOf(1, [{ kind: 'measure', qubit: 0, clbit: 0 }, gate('x', [0])], [c]),
        /used after it is measured/,
      ],
      [circuitOf(1, [{ ...gate('x', [0]), condition: { register: c, value: 1n } }], [c]), /if \(c == 1\)/],
      [circuitOf(1, [gate('x', [0]), { kind: 'reset', qubit: 0 }]), /reset after use/],
    ]
    for (const [circuit, message] of refusals) {
      expect(() => transpileForIbm(circuit, target)).toThrow(message)
      try {
        transpileForIbm(circuit, target)
      } catch (err) {
        expect((err as { code?: string }).code).toBe('QPU_UNSUPPORTED_CIRCUIT')
      }
    }
    const split: IbmTarget = {
      numQubits: 4,
      basisGates: ['cz', 'rz', 'sx'],
      couplingMap: [
        [0, 1],
        [1, 0],
        [2, 3],
        [3, 2],
      ],
    }
    expect(() => transpileForIbm(circuitOf(3, [gate('ccx', [0, 1, 2])]), split)).toThrow(
      /largest connected group of qubits has 2/,
    )
    const noTwoQubitGate: IbmTarget = { numQubits: 2, basisGates: ['rz', 'sx', 'x'], couplingMap: null }
    expect(() => transpileForIbm(circuitOf(2, [gate('cx', [0, 1])]), noTwoQubitGate)).toThrow(
      /none of cz, ecr, cx/,
    )
  })
})
