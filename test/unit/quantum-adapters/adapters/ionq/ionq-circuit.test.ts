import { describe, expect, it } from 'vitest'
import { UnloweredGateError } from '../../../../../quantum-adapters/adapters/gate-lowering.ts'
import { toQisInput } from '../../../../../quantum-adapters/adapters/ionq/ionq-circuit.ts'
import type { Circuit } from '../../../../../quantum-adapters/circuit/circuit.ts'
import { equalUpToPhase } from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES, STDGATES } from '../../../../../quantum-adapters/circuit/gates.ts'
import { circuitOf, randomGates, randomQubits } from '../../../../helpers/circuits.ts'
import { checkQisGate, qisUnitary } from '../../../../helpers/fake-ionq-qis.ts'
import { seededRandom } from '../../../../helpers/seeded-random.ts'
import { circuit, circuitUnitary } from './circuits.ts'

const LIBRARY = new Map([...QELIB1_GATES, ...STDGATES])

function expectSameUnitary(c: Circuit): void {
  const input = toQisInput(c)
  const problems = input.circuit.flatMap((g) => checkQisGate(g, input.qubits))
  expect(problems).toEqual([])
  expect(equalUpToPhase(qisUnitary(input), circuitUnitary(c), 1e-9)).toBe(true)
}

describe('IonQ qis translation', () => {
  it('writes named gates by their qis names and CNOTs with control or controls', () => {
    const c = circuit([['q', 3]])
      .gate('h', [0])
      .gate('sdg', [1])
      .gate('tdg', [2])
      .gate('sx', [0])
      .gate('rx', [1], [0.25])
      .gate('cx', [0, 1])
      .gate('ccx', [2, 0, 1])
      .gate('swap', [0, 2])
      .build()
    expect(toQisInput(c)).toEqual({
      qubits: 3,
      gateset: 'qis',
      circuit: [
        { gate: 'h', target: 0 },
        { gate: 'si', target: 1 },
        { gate: 'ti', target: 2 },
        { gate: 'v', target: 0 },
        { gate: 'rx', target: 1, rotation: 0.25 },
        { gate: 'cnot', control: 0, target: 1 },
        { gate: 'cnot', controls: [2, 0], target: 1 },
        { gate: 'swap', targets: [0, 2] },
      ],
    })
  })

  it('keeps every library gate’s unitary, on scattered qubits', () => {
    const random = seededRandom(11)
    for (const [name, definition] of LIBRARY) {
      for (let trial = 0; trial < 3; trial++) {
        const params = Array.from({ length: definition.numParams }, () => (random() - 0.5) * 4 * Math.PI)
        const qubits = randomQubits(random, definition.numQubits, 5)
        const c = circuit([['q', 5]])
          .gate(name, qubits, params)
          .build()
        try {
          expectSameUnitary(c)
        } catch (err) {
          throw new Error(`${name}(${params.join(', ')}) on ${qubits.join(', ')}: ${String(err)}`)
        }
      }
    }
  })

  it('keeps the unitary of random small circuits', () => {
    const random = seededRandom(2024)
    const gates = [...LIBRARY.values()].filter((g) => g.numQubits <= 3)
    for (let trial = 0; trial < 40; trial++)
      expectSameUnitary(circuitOf(3, randomGates(random, 3, 10, gates)))
  })

  it('ignores measurements and barriers: IonQ measures every qubit at the end', () => {
    const c = circuit([['q', 2]], [['c', 1]])
      .gate('h', [0])
      .barrier([0, 1])
      .measure(0, 0)
      .build()
    expect(toQisInput(c).circuit).toEqual([{ gate: 'h', target: 0 }])
  })

  it('refuses a multi-qubit gate that is not a controlled gate', () => {
    const iswapLike = {
      kind: 'gate' as const,
      name: 'mystery',
      params: [],
      qubits: [0, 1],
      matrix:
        QELIB1_GATES.get('rxx')?.matrix([0.7]) ??
        (() => {
          throw new Error('no rxx')
        })(),
    }
    const c: Circuit = { numQubits: 2, numClbits: 0, qregs: [], cregs: [], ops: [iswapLike] }
    expect(() => toQisInput(c)).toThrow(UnloweredGateError)
  })
})
