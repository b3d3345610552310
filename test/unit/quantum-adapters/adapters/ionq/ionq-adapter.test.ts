import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createIonqAdapter,
  IONQ_VARIABLES,
} from '../../../../../quantum-adapters/adapters/ionq/ionq-adapter.ts'
import { type FakeIonq, startFakeIonq } from '../../../../helpers/fake-ionq.ts'
import { closedPort, pollUntilDone, qpuRejection } from '../../../../helpers/qpu-calls.ts'
import { bell, circuit } from './circuits.ts'

describe('IonQ adapter against the fake IonQ API', () => {
  let fake: FakeIonq

  beforeEach(async () => {
    fake = await startFakeIonq()
  })

  afterEach(async () => {
    await fake.close()
    expect(fake.violations).toEqual([])
  })

  const adapterFor = (target = 'simulator', apiKey = fake.apiKey) =>
    createIonqAdapter({ apiKey, target, baseUrl: fake.baseUrl })

  it('runs a Bell circuit end to end on the simulator', async () => {
    const adapter = adapterFor()
    const capabilities = await adapter.capabilities()
    expect(capabilities).toMatchObject({
      backend: 'ionq',
      device: 'simulator',
      qubits: 29,
      maxShots: 1_000_000,
      queueEstimateMs: 0,
      price: { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 },
    })
    const jobId = await adapter.submit({ circuit: bell(), shots: 1000 })
    const job = fake.jobs.get(jobId)
    expect(job?.payload.input.circuit).toEqual([
      { gate: 'h', target: 0 },
      { gate: 'cnot', control: 0, target: 1 },
    ])
    expect(job?.payload).toMatchObject({ type: 'ionq.circuit.v1', backend: 'simulator', shots: 1000 })
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_NOT_DONE' })
    expect(await pollUntilDone(adapter, jobId)).toEqual(['running', 'completed'])
    const result = await adapter.result(jobId)
    expect(result.counts).toEqual({ '00': 500, '11': 500 })
    expect(result.shots).toBe(1000)
    expect(result.usage).toEqual({
      capacityClass: 'qpu.ionq.simulator',
      shots: 1000,
      qubits: 2,
      // h, cx, then the measurements: Qiskit counts measurements in depth.
      depth: 3,
      durationMs: 2500,
    })
    expect(fake.requests.every((r) => r.path.startsWith('/v0.4/'))).toBe(true)
  })

  it('maps the measured qubits into two registers on a QPU target', async () => {
    const adapter = adapterFor('qpu.forte-1')
    const capabilities = await adapter.capabilities()
    expect(capabilities.queueEstimateMs).toBe(1_181_215)
    expect(capabilities.price).toEqual({ currency: 'USD', perShotMicros: 80_000, perTaskMicros: 300_000 })
    // b[0] reads q0 (always 1); a = (q1, q2) is a Bell pair.
    const c = circuit(
      [['q', 3]],
      [
        ['a', 2],
        ['b', 1],
      ],
    )
      .gate('x', [0])
      .gate('h', [1])
      .gate('cx', [1, 2])
      .measure(0, 2)
      .measure(1, 0)
      .measure(2, 1)
      .build()
    const jobId = await adapter.submit({ circuit: c, shots: 200 })
    await pollUntilDone(adapter, jobId)
    const { counts, usage } = await adapter.result(jobId)
    expect(Object.keys(counts).sort()).toEqual(['1 00', '1 11'])
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(200)
    expect(usage.capacityClass).toBe('qpu.ionq.forte-1')
  })

  it('leaves unmeasured clbits at 0 and reads a qubit measured twice into both clbits', async () => {
    const adapter = adapterFor()
    const c = circuit([['q', 2]], [['c', 3]])
      .gate('x', [1])
      .measure(1, 0)
      .measure(1, 2)
      .build()
    const jobId = await adapter.submit({ circuit: c, shots: 10 })
    await pollUntilDone(adapter, jobId)
    expect((await adapter.result(jobId)).counts).toEqual({ '101': 10 })
  })

  it('cancels a job', async () => {
    const adapter = adapterFor()
    const jobId = await adapter.submit({ circuit: bell(), shots: 100 })
    await adapter.cancel(jobId)
    expect(await adapter.status(jobId)).toMatchObject({ state: 'cancelled' })
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_CANCELLED' })
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path.endsWith('/status/cancel'))).toBe(true)
  })

  it('reports a failed job with IonQ’s reason', async () => {
    const adapter = adapterFor()
    const jobId = await adapter.submit({ circuit: bell(), shots: 100 })
    const job = fake.jobs.get(jobId)
    if (job !== undefined) job.failure = { code: 'QuantumComputerError', message: 'trap lost' }
    expect(await adapter.status(jobId)).toEqual({
      state: 'failed',
      message: 'QuantumComputerError: trap lost',
    })
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_FAILED' })
  })

  it('answers an unknown job id with QPU_UNKNOWN_JOB', async () => {
    const adapter = adapterFor()
    const missing = '00000000-0000-0000-0000-000000000000'
    expect((await qpuRejection(adapter.status(missing))).type).toEqual({
      code: 'QPU_UNKNOWN_JOB',
      backend: 'ionq',
      jobId: missing,
    })
    await expect(adapter.result(missing)).rejects.toMatchObject({ code: 'QPU_UNKNOWN_JOB' })
    await expect(adapter.cancel(missing)).rejects.toMatchObject({ code: 'QPU_UNKNOWN_JOB' })
  })

  it('turns a 401 into QPU_PROVIDER_REFUSED that names the key', async () => {
    const error = await qpuRejection(adapterFor('simulator', 'wrong-key').capabilities())
    expect(error.type).toEqual({ code: 'QPU_PROVIDER_REFUSED', backend: 'ionq', status: 401 })
    expect(error.message).toContain('IONQ_API_KEY')
  })

  it.each([
    ['a probability that is not a number', '{"0": "half"}'],
    ['probabilities that do not sum to 1', '{"0": 0.25}'],
    ['a state wider than the circuit', '{"0": 0.5, "12": 0.5}'],
    ['a body that is not JSON', '<html>oops</html>'],
  ])('rejects results with %s as QPU_PROVIDER_MALFORMED', async (_, body) => {
    const adapter = adapterFor()
    const jobId = await adapter.submit({ circuit: bell(), shots: 100 })
    await pollUntilDone(adapter, jobId)
    const job = fake.jobs.get(jobId)
    if (job !== undefined) job.resultsBody = body
    expect((await qpuRejection(adapter.result(jobId))).code).toBe('QPU_PROVIDER_MALFORMED')
  })

  it('does not read results of a job that carries no hcx layout', async () => {
    const adapter = adapterFor()
    const jobId = await adapter.submit({ circuit: bell(), shots: 100 })
    await pollUntilDone(adapter, jobId)
    const job = fake.jobs.get(jobId)
    if (job !== undefined) fake.jobs.set(jobId, { ...job, payload: { ...job.payload, metadata: {} } })
    expect((await qpuRejection(adapter.result(jobId))).code).toBe('QPU_UNKNOWN_JOB')
  })

  it.each([
    [
      'a mid-circuit measurement',
      circuit([['q', 1]], [['c', 1]])
        .measure(0, 0)
        .gate('x', [0]),
    ],
    [
      'a reset',
      circuit([['q', 1]], [['c', 1]])
        .reset(0)
        .measure(0, 0),
    ],
    [
      'a classically conditioned gate',
      (() => {
        const b = circuit([['q', 1]], [['c', 1]])
        const register = b.cregs[0]
        if (register === undefined) throw new Error('no register')
        return b.gate('x', [0], [], { register, value: 1n }).measure(0, 0)
      })(),
    ],
  ])('refuses %s before sending anything', async (_, builder) => {
    const adapter = adapterFor()
    const error = await qpuRejection(adapter.submit({ circuit: builder.build(), shots: 10 }))
    expect(error.type).toEqual({ code: 'QPU_UNSUPPORTED_CIRCUIT', backend: 'ionq' })
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([])
  })

  it('refuses a circuit wider than the backend', async () => {
    const adapter = adapterFor('simulator')
    const wide = circuit([['q', 30]])
      .gate('h', [29])
      .build()
    expect((await qpuRejection(adapter.submit({ circuit: wide, shots: 10 }))).code).toBe(
      'QPU_UNSUPPORTED_CIRCUIT',
    )
  })

  it('refuses shot counts outside 1..1,000,000', async () => {
    const adapter = adapterFor()
    await expect(adapter.submit({ circuit: bell(), shots: 0 })).rejects.toMatchObject({
      code: 'QPU_BAD_SHOTS',
    })
    await expect(adapter.submit({ circuit: bell(), shots: 2_000_000 })).rejects.toMatchObject({
      code: 'QPU_BAD_SHOTS',
    })
  })

  it('names an unknown target with the backends IonQ lists', async () => {
    const error = await qpuRejection(adapterFor('qpu.nowhere').capabilities())
    expect(error.code).toBe('QPU_UNKNOWN_BACKEND')
    expect(error.message).toContain('qpu.forte-1')
  })
})

describe('IonQ adapter without a provider', () => {
  it('starts without a key and asks for IONQ_API_KEY at the first call', async () => {
    const adapter = createIonqAdapter({ baseUrl: 'http://127.0.0.1:9' })
    expect(adapter.id).toBe('ionq')
    const error = await qpuRejection(adapter.capabilities())
    expect(error.type).toEqual({
      code: 'QPU_CREDENTIALS_MISSING',
      backend: 'ionq',
      variables: ['IONQ_API_KEY'],
    })
    expect(IONQ_VARIABLES.apiKey).toBe('IONQ_API_KEY')
    await expect(adapter.submit({ circuit: bell(), shots: 10 })).rejects.toMatchObject({
      code: 'QPU_CREDENTIALS_MISSING',
    })
  })

  it('reports an unreachable API as QPU_PROVIDER_UNREACHABLE with its URL', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v0.4`
    const error = await qpuRejection(createIonqAdapter({ apiKey: 'k', baseUrl }).capabilities())
    expect(error.type).toEqual({
      code: 'QPU_PROVIDER_UNREACHABLE',
      backend: 'ionq',
      url: `${baseUrl}/backends`,
    })
  })

  it('gives up on an API that does not answer within the timeout', async () => {
    const server = createServer(() => {
      // Never answers.
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const adapter = createIonqAdapter({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 })
      expect((await qpuRejection(adapter.capabilities())).code).toBe('QPU_PROVIDER_UNREACHABLE')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
