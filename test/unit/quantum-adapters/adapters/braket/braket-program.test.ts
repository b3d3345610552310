import { describe, expect, it } from 'vitest'
import {
  type BraketDevice,
  braketProgram,
} from '../../../../../quantum-adapters/adapters/braket/braket-program.ts'
import { UnloweredGateError } from '../../../../../quantum-adapters/adapters/gate-lowering.ts'
import { readoutPlan } from '../../../../../quantum-adapters/adapters/readout-plan.ts'
import type { Circuit } from '../../../../../quantum-adapters/circuit/circuit.ts'
import { equalUpToPhase } from '../../../../../quantum-adapters/circuit/complex-matrix.ts'
import { QELIB1_GATES, STDGATES } from '../../../../../quantum-adapters/circuit/gates.ts'
import { circuitOf, randomGates } from '../../../../helpers/circuits.ts'
import { ARIA_LIKE_DEVICE } from '../../../../helpers/fake-braket.ts'
import { braketUnitary, parseBraketProgram } from '../../../../helpers/fake-braket-qasm.ts'
import { seededRandom } from '../../../../helpers/seeded-random.ts'
import { bell, circuit, circuitUnitary } from '../ionq/circuits.ts'

// The OpenQASM operations of Braket's SV1 simulator (its device capabilities).
const SV1_OPERATIONS = [
  'ccnot',
  'cnot',
  'cphaseshift',
  'cphaseshift00',
  'cphaseshift01',
  'cphaseshift10',
  'cswap',
  'cy',
  'cz',
  'cv',
  'h',
  'i',
  'iswap',
  'pswap',
  'phaseshift',
  'rx',
  'ry',
  'rz',
  's',
  'si',
  'swap',
  't',
  'ti',
  'unitary',
  'v',
  'vi',
  'x',
  'xx',
  'xy',
  'y',
  'yy',
  'z',
  'zz',
  'U',
  'GPhase',
]

const DEVICES: Record<string, BraketDevice> = {
  'IonQ-like': {
    supportedOperations: ARIA_LIKE_DEVICE.supportedOperations,
    requiresAllQubitsMeasurement: false,
  },
  'SV1-like': { supportedOperations: SV1_OPERATIONS, requiresAllQubitsMeasurement: false },
  'cz with rx and rz only': { supportedOperations: ['cz', 'rx', 'rz'], requiresAllQubitsMeasurement: false },
  'cnot with U only': { supportedOperations: ['cnot', 'U'], requiresAllQubitsMeasurement: false },
}

const LIBRARY = new Map([...QELIB1_GATES, ...STDGATES])

function program(c: Circuit, device: BraketDevice): string {
  return braketProgram(c, readoutPlan(c, 'braket', 'Amazon Braket'), device).source
}

function expectSameUnitary(c: Circuit, device: BraketDevice): void {
  const run = parseBraketProgram(program(c, device), device.supportedOperations, 64)
  if (typeof run === 'string') throw new Error(run)
  expect(equalUpToPhase(braketUnitary(run), circuitUnitary(c), 1e-9)).toBe(true)
}

describe('Braket OpenQASM programs', () => {
  it('name gates by Braket’s standard names, with no include or gate definitions', () => {
    const c = circuit([['q', 3]], [['c', 3]])
      .gate('sdg', [0])
      .gate('p', [1], [0.5])
      .gate('cp', [0, 1], [-0.25])
      .gate('ccx', [0, 1, 2])
      .gate('u2', [2], [0.1, 0.2])
      .gate('id', [0])
      .measure(2, 0)
      .build()
    expect(program(c, DEVICES['SV1-like'] as BraketDevice)).toBe(
      [
        'OPENQASM 3.0;',
        'qubit[3] q;',
        'bit[1] b;',
        'si q[0];',
        'phaseshift(0.5) q[1];',
        'cphaseshift(-0.25) q[0], q[1];',
        'ccnot q[0], q[1], q[2];',
        `U(${Math.PI / 2}, 0.1, 0.2) q[2];`,
        'b[0] = measure q[2];',
        '',
      ].join('\n'),
    )
  })

  it('measure every qubit when the device requires it', () => {
    const device = { ...(DEVICES['IonQ-like'] as BraketDevice), requiresAllQubitsMeasurement: true }
    const c = circuit([['q', 3]], [['c', 1]])
      .measure(1, 0)
      .build()
    expect(braketProgram(c, readoutPlan(c, 'braket', 'Amazon Braket'), device).measuredQubits).toEqual([
      0, 1, 2,
    ])
  })

  for (const [label, device] of Object.entries(DEVICES)) {
    it(`keep every library gate’s unitary on a ${label} device`, () => {
      const random = seededRandom(17)
      for (const [name, definition] of LIBRARY) {
        const params = Array.from({ length: definition.numParams }, () => (random() - 0.5) * 4 * Math.PI)
        const qubits = [4, 1, 3, 0, 2].slice(0, definition.numQubits)
        try {
          expectSameUnitary(
            circuit([['q', 5]])
              .gate(name, qubits, params)
              .build(),
            device,
          )
        } catch (err) {
          throw new Error(`${name} on ${label}: ${String(err)}`)
        }
      }
    })
  }

  it('keep the unitary of random small circuits on an IonQ-like device', () => {
    const random = seededRandom(99)
    const gates = [...LIBRARY.values()].filter((g) => g.numQubits <= 3)
    const device = DEVICES['IonQ-like'] as BraketDevice
    for (let trial = 0; trial < 25; trial++)
      expectSameUnitary(circuitOf(3, randomGates(random, 3, 8, gates)), device)
  })

  it('refuse when the device lists no two-qubit gate to build CNOT from', () => {
    const device: BraketDevice = {
      supportedOperations: ['rx', 'ry', 'rz', 'h'],
      requiresAllQubitsMeasurement: false,
    }
    expect(() => program(bell(), device)).toThrow(UnloweredGateError)
  })
})
