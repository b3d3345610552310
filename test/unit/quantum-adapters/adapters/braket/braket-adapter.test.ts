import { afterEach, describe, expect, it, vi } from 'vitest'
import type { QpuAdapter } from '../../../../../quantum-adapters/adapters/adapter.ts'
import {
  BRAKET_VARIABLES,
  type BraketAdapterOptions,
  createBraketAdapter,
} from '../../../../../quantum-adapters/adapters/braket/braket-adapter.ts'
import {
  ARIA_LIKE_DEVICE,
  type FakeBraket,
  type FakeBraketOptions,
  startFakeBraket,
} from '../../../../helpers/fake-braket.ts'
import { closedPort, pollUntilDone, qpuRejection } from '../../../../helpers/qpu-calls.ts'
import { bell, circuit } from '../ionq/circuits.ts'

describe('Braket adapter against the fake Braket API and S3', () => {
  let fake: FakeBraket | undefined

  afterEach(async () => {
    await fake?.close()
    expect(fake?.violations).toEqual([])
    fake = undefined
  })

  async function setup(
    fakeOptions: FakeBraketOptions = {},
    adapterOptions: Partial<BraketAdapterOptions> = {},
  ): Promise<{ fake: FakeBraket; adapter: QpuAdapter }> {
    fake = await startFakeBraket(fakeOptions)
    const adapter = createBraketAdapter({
      region: fake.region,
      deviceArn: fake.device.arn,
      s3Bucket: fake.bucket,
      s3Prefix: 'hcx/results',
      endpoint: fake.endpoint,
      s3Endpoint: fake.endpoint,
      credentials: fake.credentials,
      maxAttempts: 1,
      ...adapterOptions,
    })
    return { fake, adapter }
  }

  it('runs a Bell circuit end to end', async () => {
    const { fake, adapter } = await setup()
    expect(await adapter.capabilities()).toEqual({
      backend: 'braket',
      device: ARIA_LIKE_DEVICE.arn,
      qubits: 25,
      basisGates: ARIA_LIKE_DEVICE.supportedOperations,
      maxShots: 10_000,
      queueEstimateMs: null,
      price: { currency: 'USD', perShotMicros: 30_000, perTaskMicros: 300_000 },
    })
    const jobId = await adapter.submit({ circuit: bell(), shots: 400 })
    const task = fake.tasks.get(jobId)
    expect(task?.body).toMatchObject({
      deviceArn: ARIA_LIKE_DEVICE.arn,
      shots: 400,
      outputS3Bucket: fake.bucket,
      outputS3KeyPrefix: 'hcx/results',
    })
    expect(JSON.parse(task?.body.action ?? '{}')).toEqual({
      braketSchemaHeader: { name: 'braket.ir.openqasm.program', version: '1' },
      source: [
        'OPENQASM 3.0;',
        'qubit[2] q;',
        'bit[2] b;',
        'h q[0];',
        'cnot q[0], q[1];',
        'b[0] = measure q[0];',
        'b[1] = measure q[1];',
        '',
      ].join('\n'),
      inputs: {},
    })
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_NOT_DONE' })
    expect(await pollUntilDone(adapter, jobId)).toEqual(['running', 'completed'])
    const result = await adapter.result(jobId)
    expect(Object.keys(result.counts).sort()).toEqual(['00', '11'])
    expect(result.shots).toBe(400)
    expect(result.counts['00']).toBeGreaterThan(150)
    expect(result.counts['11']).toBeGreaterThan(150)
    expect(result.usage).toEqual({
      capacityClass: 'qpu.braket.aria-1',
      shots: 400,
      qubits: 2,
      depth: 3,
      durationMs: 1500,
    })
    const services = new Set(fake.requests.map((r) => `${r.service} ${r.method}`))
    expect(services).toEqual(new Set(['braket GET', 'braket POST', 's3 GET']))
  })

  it('maps measured qubits into two registers, in Qiskit’s key order', async () => {
    const { adapter } = await setup()
    // b[0] reads q0 (always 1); a = (q1, q2) is a Bell pair; q3 is never measured.
    const c = circuit(
      [['q', 4]],
      [
        ['a', 2],
        ['b', 1],
      ],
    )
      .gate('x', [0])
      .gate('h', [1])
      .gate('cx', [1, 2])
      .gate('x', [3])
      .measure(0, 2)
      .measure(1, 0)
      .measure(2, 1)
      .build()
    const jobId = await adapter.submit({ circuit: c, shots: 300 })
    await pollUntilDone(adapter, jobId)
    const { counts } = await adapter.result(jobId)
    expect(Object.keys(counts).sort()).toEqual(['1 00', '1 11'])
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(300)
  })

  it('lowers gates the device does not list into ones it does, keeping the outcome', async () => {
    const { fake, adapter } = await setup()
    // ccx and p are not Aria operations; x x ccx gives 111, and p only changes a phase.
    const c = circuit([['q', 3]], [['c', 3]])
      .gate('x', [0])
      .gate('x', [1])
      .gate('p', [2], [0.3])
      .gate('ccx', [0, 1, 2])
      .gate('u', [0], [Math.PI, 0, Math.PI])
      .measure(0, 0)
      .measure(1, 1)
      .measure(2, 2)
      .build()
    const jobId = await adapter.submit({ circuit: c, shots: 50 })
    const source = JSON.parse(fake.tasks.get(jobId)?.body.action ?? '{}').source as string
    expect(source).not.toMatch(/ccnot|phaseshift|\bU\(/)
    await pollUntilDone(adapter, jobId)
    expect((await adapter.result(jobId)).counts).toEqual({ '110': 50 })
  })

  it('measures every qubit when the device requires it and still reads only the measured clbits', async () => {
    const device = { ...ARIA_LIKE_DEVICE, requiresAllQubitsMeasurement: true }
    const { fake, adapter } = await setup({ device })
    const c = circuit([['q', 3]], [['c', 1]])
      .gate('x', [2])
      .gate('x', [0])
      .measure(2, 0)
      .build()
    const jobId = await adapter.submit({ circuit: c, shots: 20 })
    expect(fake.tasks.get(jobId)?.measuredQubits).toEqual([0, 1, 2])
    await pollUntilDone(adapter, jobId)
    expect((await adapter.result(jobId)).counts).toEqual({ '1': 20 })
  })

  it('reads measurementProbabilities when a result has no per-shot rows', async () => {
    const { adapter } = await setup({ results: 'probabilities' })
    const jobId = await adapter.submit({ circuit: bell(), shots: 1000 })
    await pollUntilDone(adapter, jobId)
    const { counts, shots } = await adapter.result(jobId)
    expect(Object.keys(counts).sort()).toEqual(['00', '11'])
    expect(shots).toBe(1000)
  })

  it('cancels a task', async () => {
    const { fake, adapter } = await setup()
    const jobId = await adapter.submit({ circuit: bell(), shots: 10 })
    await adapter.cancel(jobId)
    expect(fake.tasks.get(jobId)?.status).toBe('CANCELLING')
    expect(await pollUntilDone(adapter, jobId)).toEqual(['cancelled'])
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_CANCELLED' })
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path.endsWith('/cancel'))).toBe(true)
  })

  it('reports a failed task with Braket’s reason', async () => {
    const { fake, adapter } = await setup()
    const jobId = await adapter.submit({ circuit: bell(), shots: 10 })
    const task = fake.tasks.get(jobId)
    if (task !== undefined) task.failureReason = 'Device calibration in progress'
    expect(await adapter.status(jobId)).toEqual({
      state: 'failed',
      message: 'Device calibration in progress',
    })
    await expect(adapter.result(jobId)).rejects.toMatchObject({ code: 'QPU_JOB_FAILED' })
  })

  it('answers an unknown task with QPU_UNKNOWN_JOB', async () => {
    const { adapter } = await setup()
    const missing = 'arn:aws:braket:us-east-1:123456789012:quantum-task/00000000-0000-0000-0000-000000000000'
    expect((await qpuRejection(adapter.status(missing))).type).toEqual({
      code: 'QPU_UNKNOWN_JOB',
      backend: 'braket',
      jobId: missing,
    })
    await expect(adapter.result(missing)).rejects.toMatchObject({ code: 'QPU_UNKNOWN_JOB' })
    await expect(adapter.cancel(missing)).rejects.toMatchObject({ code: 'QPU_UNKNOWN_JOB' })
    await expect(adapter.status('not-an-arn')).rejects.toMatchObject({ code: 'QPU_UNKNOWN_JOB' })
  })

  it.each([
    [
      'a mid-circuit measurement',
      circuit([['q', 2]], [['c', 2]])
        .gate('h', [0])
        .measure(0, 0)
        .gate('cx', [0, 1]),
    ],
    [
      'a reset',
      circuit([['q', 1]], [['c', 1]])
        .reset(0)
        .measure(0, 0),
    ],
  ])('refuses %s without creating a task', async (_, builder) => {
    const { fake, adapter } = await setup()
    const error = await qpuRejection(adapter.submit({ circuit: builder.build(), shots: 10 }))
    expect(error.type).toEqual({ code: 'QPU_UNSUPPORTED_CIRCUIT', backend: 'braket' })
    expect(error.message).toMatch(/mid-circuit measurement|resets qubit 0/)
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([])
  })

  it('refuses a classically conditioned gate and a circuit wider than the device', async () => {
    const { adapter } = await setup()
    const b = circuit([['q', 1]], [['c', 1]])
    const register = b.cregs[0]
    if (register === undefined) throw new Error('no register')
    const conditioned = b.gate('x', [0], [], { register, value: 1n }).measure(0, 0).build()
    await expect(adapter.submit({ circuit: conditioned, shots: 10 })).rejects.toMatchObject({
      code: 'QPU_UNSUPPORTED_CIRCUIT',
    })
    const wide = circuit([['q', 26]])
      .gate('h', [25])
      .build()
    await expect(adapter.submit({ circuit: wide, shots: 10 })).rejects.toMatchObject({
      code: 'QPU_UNSUPPORTED_CIRCUIT',
    })
  })

  it('refuses shot counts outside the device’s shotsRange', async () => {
    const { adapter } = await setup()
    await expect(adapter.submit({ circuit: bell(), shots: 20_000 })).rejects.toMatchObject({
      code: 'QPU_BAD_SHOTS',
    })
  })

  it.each([
    [
      'a measurement that is not 0 or 1',
      (doc: Record<string, unknown>) => ({ ...doc, measurements: [[0, 2]] }),
    ],
    ['no taskMetadata', ({ taskMetadata: _, ...rest }: Record<string, unknown>) => rest],
    [
      'another result type',
      (doc: Record<string, unknown>) => ({
        ...doc,
        braketSchemaHeader: { name: 'braket.task_result.annealing_task_result', version: '1' },
      }),
    ],
    ['rows shorter than measuredQubits', (doc: Record<string, unknown>) => ({ ...doc, measurements: [[1]] })],
  ])('rejects a results.json with %s as QPU_PROVIDER_MALFORMED', async (_, corrupt) => {
    const { fake, adapter } = await setup()
    const jobId = await adapter.submit({ circuit: bell(), shots: 10 })
    await pollUntilDone(adapter, jobId)
    const key = [...fake.objects.keys()].find((k) => k.endsWith('/results.json'))
    if (key === undefined) throw new Error('no results.json')
    fake.objects.set(key, JSON.stringify(corrupt(JSON.parse(fake.objects.get(key) ?? '{}'))))
    const error = await qpuRejection(adapter.result(jobId))
    expect(error.type).toEqual({ code: 'QPU_PROVIDER_MALFORMED', backend: 'braket' })
    expect(error.message).toContain('results.json')
  })

  it('rejects a results.json that is not JSON as QPU_PROVIDER_MALFORMED', async () => {
    const { fake, adapter } = await setup()
    const jobId = await adapter.submit({ circuit: bell(), shots: 10 })
    const task = fake.tasks.get(jobId)
    if (task !== undefined) task.resultsOverride = '{"measurements": [[0, 1]'
    await pollUntilDone(adapter, jobId)
    expect((await qpuRejection(adapter.result(jobId))).code).toBe('QPU_PROVIDER_MALFORMED')
  })

  it('does not read results of a task without the hcx layout tags', async () => {
    const { fake, adapter } = await setup()
    const jobId = await adapter.submit({ circuit: bell(), shots: 10 })
    const task = fake.tasks.get(jobId)
    if (task !== undefined) fake.tasks.set(jobId, { ...task, body: { ...task.body, tags: {} } })
    await pollUntilDone(adapter, jobId)
    expect((await qpuRejection(adapter.result(jobId))).code).toBe('QPU_UNKNOWN_JOB')
  })

  it('turns wrong AWS credentials into QPU_PROVIDER_REFUSED', async () => {
    const { fake, adapter } = await setup(
      {},
      { credentials: { accessKeyId: 'AKIAFAKEBRAKET', secretAccessKey: 'not-the-secret' } },
    )
    const error = await qpuRejection(adapter.capabilities())
    expect(error.type).toEqual({ code: 'QPU_PROVIDER_REFUSED', backend: 'braket', status: 403 })
    expect(error.message).toContain('AWS credentials')
    // The fake recorded the bad signature as it should; nothing else went wrong.
    expect(fake.violations).toHaveLength(1)
    fake.violations.length = 0
  })
})

describe('Braket adapter without a provider', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('starts without settings and names every missing one at the first call', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]) {
      vi.stubEnv(name, undefined)
    }
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true')
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/hcx-test-aws-config')
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/hcx-test-aws-credentials')
    const adapter = createBraketAdapter({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })
    expect(adapter.id).toBe('braket')
    const error = await qpuRejection(adapter.capabilities())
    expect(error.type).toEqual({
      code: 'QPU_CREDENTIALS_MISSING',
      backend: 'braket',
      variables: [
        'HCX_BRAKET_DEVICE_ARN',
        'HCX_BRAKET_S3_BUCKET',
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
      ],
    })
    expect(error.message).toContain(BRAKET_VARIABLES.profile)
    // The region comes from the device ARN when it has one.
    const withDevice = createBraketAdapter({
      deviceArn: ARIA_LIKE_DEVICE.arn,
      s3Bucket: 'amazon-braket-x',
      endpoint: 'http://127.0.0.1:9',
    })
    expect((await qpuRejection(withDevice.submit({ circuit: bell(), shots: 1 }))).type).toMatchObject({
      variables: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    })
  })

  it('reports an unreachable endpoint as QPU_PROVIDER_UNREACHABLE, quickly', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const adapter = createBraketAdapter({
      region: 'us-east-1',
      deviceArn: ARIA_LIKE_DEVICE.arn,
      s3Bucket: 'amazon-braket-x',
      endpoint,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      maxAttempts: 1,
    })
    const started = Date.now()
    const error = await qpuRejection(adapter.capabilities())
    expect(error.type).toEqual({ code: 'QPU_PROVIDER_UNREACHABLE', backend: 'braket', url: endpoint })
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
