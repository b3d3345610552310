import { describe, expect, it } from 'vitest'
import { braketPrice, deviceName } from '../../../../../quantum-adapters/adapters/braket/braket-prices.ts'
import { parseDeviceCapabilities } from '../../../../../quantum-adapters/adapters/braket/device-capabilities.ts'
import {
  countsFromTaskResult,
  type TaskResult,
  taskResultSchema,
} from '../../../../../quantum-adapters/adapters/braket/task-result.ts'
import type { ReadoutLayout } from '../../../../../quantum-adapters/adapters/readout-layout.ts'

describe('Braket device capabilities', () => {
  const document = {
    braketSchemaHeader: { name: 'braket.device_schema.iqm.iqm_device_capabilities', version: '1' },
    service: { shotsRange: [1, 20000], deviceCost: { price: 0.00145, unit: 'shot' }, executionWindows: [] },
    action: {
      'braket.ir.openqasm.program': {
        actionType: 'braket.ir.openqasm.program',
        version: ['1'],
        supportedOperations: ['cz', 'prx', 'cnot'],
        requiresAllQubitsMeasurement: null,
      },
    },
    paradigm: { qubitCount: 20, nativeGateSet: ['cz', 'prx'], connectivity: { fullyConnected: false } },
  }

  it('reads qubits, shots, cost and the OpenQASM operations', () => {
    expect(parseDeviceCapabilities(JSON.stringify(document))).toEqual({
      qubitCount: 20,
      shotsRange: [1, 20000],
      deviceCost: { price: 0.00145, unit: 'shot' },
      openqasm: { supportedOperations: ['cz', 'prx', 'cnot'], requiresAllQubitsMeasurement: false },
    })
  })

  it('has no OpenQASM section for devices that take no OpenQASM', () => {
    const ahs = {
      ...document,
      action: { 'braket.ir.ahs.program': { actionType: 'braket.ir.ahs.program', version: ['1'] } },
    }
    expect(parseDeviceCapabilities(JSON.stringify(ahs))).toMatchObject({ openqasm: null })
  })

  it('says what is wrong with a document outside the schema', () => {
    expect(parseDeviceCapabilities('{')).toBe('deviceCapabilities is not JSON')
    expect(typeof parseDeviceCapabilities(JSON.stringify({ ...document, paradigm: {} }))).toBe('string')
  })
})

describe('Braket prices', () => {
  it('uses the device’s own per-shot cost and Braket’s per-task fee', () => {
    expect(
      braketPrice('arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet', { price: 0.00145, unit: 'shot' }),
    ).toEqual({ currency: 'USD', perShotMicros: 1450, perTaskMicros: 300_000 })
  })

  it('falls back to the published price of the QPU family', () => {
    expect(braketPrice('arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1', null).perShotMicros).toBe(80_000)
    expect(braketPrice('arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3', null).perShotMicros).toBe(900)
    expect(braketPrice('arn:aws:braket:us-west-1::device/qpu/acme/New-1', null).perShotMicros).toBe(80_000)
  })

  it('has no shot or task price for simulators billed by the minute', () => {
    const sv1 = 'arn:aws:braket:::device/quantum-simulator/amazon/sv1'
    expect(braketPrice(sv1, { price: 0.075, unit: 'minute' })).toEqual({
      currency: 'USD',
      perShotMicros: 0,
      perTaskMicros: 0,
    })
    expect(deviceName(sv1)).toBe('sv1')
  })
})

describe('Braket task results', () => {
  const base = {
    braketSchemaHeader: { name: 'braket.task_result.gate_model_task_result', version: '1' },
    taskMetadata: {
      braketSchemaHeader: { name: 'braket.task_result.task_metadata', version: '1' },
      id: 'arn:aws:braket:us-east-1:123456789012:quantum-task/t',
      shots: 4,
      deviceId: 'arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1',
    },
    additionalMetadata: {},
  }
  // c[0] reads qubit 2, c[1] reads qubit 0.
  const layout: ReadoutLayout = {
    numQubits: 3,
    depth: 2,
    shots: 4,
    cregs: [{ name: 'c', size: 2, offset: 0 }],
    clbitSource: [2, 0],
  }
  const parse = (doc: unknown): TaskResult => taskResultSchema.parse(doc)

  it('counts per-shot rows, each in measuredQubits order', () => {
    const result = parse({
      ...base,
      measuredQubits: [2, 0],
      measurements: [
        [1, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    })
    expect(countsFromTaskResult(result, layout)).toEqual({ '01': 2, '10': 1, '11': 1 })
  })

  it('reads measurementProbabilities with the first character for the first measured qubit', () => {
    const result = parse({
      ...base,
      measuredQubits: [0, 1, 2],
      measurementProbabilities: { '100': 0.75, '001': 0.25 },
    })
    // '100': qubit 0 = 1, qubit 2 = 0 → c[1] = 1, c[0] = 0 → "10".
    expect(countsFromTaskResult(result, layout)).toEqual({ '01': 1, '10': 3 })
  })

  it('says when a qubit the circuit reads was not measured', () => {
    const result = parse({ ...base, measuredQubits: [0], measurements: [[1]] })
    expect(countsFromTaskResult(result, layout)).toBe(
      'qubit 2 is read by the circuit but not in measuredQubits',
    )
  })
})
