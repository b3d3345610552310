import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { QpuAdapter } from '../../../../../quantum-adapters/adapters/adapter.ts'
import {
  createIbmAdapter,
  IBM_ENVIRONMENT_VARIABLES,
} from '../../../../../quantum-adapters/adapters/ibm/ibm-adapter.ts'
import { IBM_API_VERSION } from '../../../../../quantum-adapters/adapters/ibm/runtime-api.ts'
import type { Circuit, CircuitOp, GateOp, Register } from '../../../../../quantum-adapters/circuit/circuit.ts'
import { QELIB1_GATES } from '../../../../../quantum-adapters/circuit/gates.ts'
import {
  encodedBitArray,
  type FakeBackend,
  type FakeIbmQuantum,
  primitiveResult,
  startFakeIbmQuantum,
} from '../../../../helpers/fake-ibm-quantum.ts'
import { closedPort } from '../../../../helpers/qpu-calls.ts'

const API_KEY = 'test-api-key'
const CRN =
  'crn:v1:bluemix:public:quantum-computing:us-east:a/0123456789abcdef:fa4e0a56-6f4c-4d0a-8a39-1f2d3c4b5a69::'

const HERON: FakeBackend = {
  name: 'fake_kingston',
  numQubits: 10,
  basisGates: ['cz', 'id', 'rz', 'sx', 'x'],
  couplingMap: Array.from({ length: 9 }, (_, i) => [
    [i, i + 1],
    [i + 1, i],
  ]).flat() as [number, number][],
  maxShots: 100_000,
  lengthQueue: 7,
}

const EAGLE: FakeBackend = {
  name: 'fake_brisbane',
  numQubits: 5,
  basisGates: ['ecr', 'id', 'rz', 'sx', 'x'],
  couplingMap: [
    [1, 0],
    [1, 2],
    [3, 2],
    [3, 4],
  ],
  maxShots: 10_000,
}

function gate(name: string, qubits: number[], params: number[] = []): GateOp {
  const definition = QELIB1_GATES.get(name)
  if (definition === undefined) throw new Error(`no gate ${name}`)
  return { kind: 'gate', name, params, qubits, matrix: definition.matrix(params) }
}

const measure = (qubit: number, clbit: number): CircuitOp => ({ kind: 'measure', qubit, clbit })

function circuitOf(numQubits: number, ops: CircuitOp[], cregs: Register[]): Circuit {
  const numClbits = cregs.reduce((sum, r) => sum + r.size, 0)
  return { numQubits, numClbits, qregs: [{ name: 'q', size: numQubits, offset: 0 }], cregs, ops }
}

const BELL = circuitOf(
  2,
  [gate('h', [0]), gate('cx', [0, 1]), measure(0, 0), measure(1, 1)],
  [{ name: 'c', size: 2, offset: 0 }],
)

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; type?: Record<string, unknown> }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: string; type?: Record<string, unknown> }
  }
  throw new Error('expected a rejection')
}

describe('IBM Quantum adapter', () => {
  let fake: FakeIbmQuantum
  let adapter: QpuAdapter

  const adapterFor = (backend: string, overrides: Record<string, string> = {}): QpuAdapter =>
    createIbmAdapter({
      apiKey: API_KEY,
      instance: CRN,
      backend,
      baseUrl: fake.baseUrl,
      iamUrl: fake.iamUrl,
      ...overrides,
    })

  beforeEach(async () => {
    fake = await startFakeIbmQuantum({ apiKey: API_KEY, crn: CRN, backend: HERON, seed: 7 })
    adapter = adapterFor(HERON.name)
  })

  afterEach(async () => {
    await fake.close()
  })

  it('runs a Bell circuit: submit, queued → running → completed, Qiskit count keys', async () => {
    const jobId = await adapter.submit({ circuit: BELL, shots: 1000 })
    expect(fake.refusals).toEqual([])
    expect((await adapter.status(jobId)).state).toBe('queued')
    expect((await adapter.status(jobId)).state).toBe('running')
    expect((await adapter.status(jobId)).state).toBe('completed')
    const result = await adapter.result(jobId)
    expect(Object.keys(result.counts).sort()).toEqual(['00', '11'])
    expect((result.counts['00'] ?? 0) + (result.counts['11'] ?? 0)).toBe(1000)
    expect(result.counts['00']).toBeGreaterThan(400)
    expect(result.counts['11']).toBeGreaterThan(400)
    expect(result.shots).toBe(1000)
    expect(result.usage).toEqual({
      capacityClass: 'qpu.ibm.fake_kingston',
      shots: 1000,
      qubits: 2,
      depth: 3,
      durationMs: 2000,
    })
    expect(fake.refusals).toEqual([])
  })

  it('sends the published Sampler V2 job: program, backend, one OpenQASM 3 PUB, shots, version 2', async () => {
    await adapter.submit({ circuit: BELL, shots: 321 })
    const post = fake.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/jobs')
    expect(post?.headers['content-type']).toBe('application/json')
    expect(post?.headers.authorization).toBe('Bearer token-1')
    expect(post?.headers['service-crn']).toBe(CRN)
    expect(post?.headers['ibm-api-version']).toBe(IBM_API_VERSION)
    const body = JSON.parse(post?.body ?? '{}')
    expect(Object.keys(body).sort()).toEqual(['backend', 'params', 'program_id'])
    expect(body.program_id).toBe('sampler')
    expect(body.backend).toBe('fake_kingston')
    expect(body.params).toEqual({
      pubs: [[expect.any(String)]],
      shots: 321,
      support_qiskit: true,
      version: 2,
    })
    expect(body.params.pubs[0][0]).toMatch(
      /^OPENQASM 3\.0;\ninclude "stdgates\.inc";\nqubit\[\d+\] q;\nbit\[2\] c;\n/,
    )
    const iam = fake.requests.find((r) => r.path === '/iam/identity/token')
    expect(iam?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(iam?.body))).toEqual({
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      apikey: API_KEY,
    })
  })

  it('keys two classical registers last-declared first ("b a"), wider than a byte included', async () => {
    const a: Register = { name: 'a', size: 2, offset: 0 }
    const b: Register = { name: 'b', size: 1, offset: 2 }
    const twoRegisters = circuitOf(
      3,
      [gate('x', [0]), gate('x', [2]), measure(0, 0), measure(1, 1), measure(2, 2)],
      [a, b],
    )
    const jobId = await adapter.submit({ circuit: twoRegisters, shots: 50 })
    for (let i = 0; i < 3; i++) await adapter.status(jobId)
    expect((await adapter.result(jobId)).counts).toEqual({ '1 01': 50 })

    const wide: Register = { name: 'wide', size: 9, offset: 0 }
    const ops = [
      gate('x', [0]),
      gate('x', [3]),
      gate('x', [8]),
      ...Array.from({ length: 9 }, (_, i) => measure(i, i)),
    ]
    const wideJob = await adapter.submit({ circuit: circuitOf(9, ops, [wide]), shots: 20 })
    for (let i = 0; i < 3; i++) await adapter.status(wideJob)
    expect((await adapter.result(wideJob)).counts).toEqual({ '100001001': 20 })
    expect(fake.refusals).toEqual([])
  })

  it('runs on an ECR backend whose coupling map lists one direction per pair', async () => {
    await fake.close()
    fake = await startFakeIbmQuantum({ apiKey: API_KEY, crn: CRN, backend: EAGLE, seed: 3 })
    const eagle = adapterFor(EAGLE.name)
    const ghz = circuitOf(
      3,
      [gate('h', [0]), gate('cx', [0, 1]), gate('cx', [1, 2]), measure(0, 0), measure(1, 1), measure(2, 2)],
      [{ name: 'c', size: 3, offset: 0 }],
    )
    const jobId = await eagle.submit({ circuit: ghz, shots: 400 })
    expect(fake.refusals).toEqual([])
    expect(fake.jobs.get(jobId)?.qasm).toContain('gate ecr a, b {')
    for (let i = 0; i < 3; i++) await eagle.status(jobId)
    const { counts } = await eagle.result(jobId)
    expect(Object.keys(counts).sort()).toEqual(['000', '111'])
  })

  it('reports the configuration and status as capabilities', async () => {
    expect(await adapter.capabilities()).toEqual({
      backend: 'ibm',
      device: 'fake_kingston',
      qubits: 10,
      basisGates: ['cz', 'id', 'rz', 'sx', 'x'],
      maxShots: 100_000,
      queueEstimateMs: null,
      price: { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 },
    })
    const paths = fake.requests.map((r) => `${r.method} ${r.path}`)
    expect(paths).toContain('GET /api/v1/backends/fake_kingston/configuration')
    expect(paths).toContain('GET /api/v1/backends/fake_kingston/status')
  })

  it('cancels a job with the published cancel call', async () => {
    const jobId = await adapter.submit({ circuit: BELL, shots: 10 })
    await adapter.cancel(jobId)
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/jobs/${jobId}/cancel` })
    expect(await adapter.status(jobId)).toEqual({ state: 'cancelled', message: 'Job cancelled by user' })
    const err = await rejection(adapter.result(jobId))
    expect(err.code).toBe('QPU_JOB_CANCELLED')
    expect(err.message).toContain(jobId)
  })

  it('names unknown jobs with QPU_UNKNOWN_JOB', async () => {
    for (const call of [adapter.status('nope'), adapter.result('nope'), adapter.cancel('nope')]) {
      const err = await rejection(call)
      expect(err.code).toBe('QPU_UNKNOWN_JOB')
      expect(err.type).toMatchObject({ jobId: 'nope' })
      expect(err.message).toMatch(/no job 'nope'.*QISKIT_IBM_INSTANCE/)
    }
  })

  it('says a job is not done, or failed and why', async () => {
    const jobId = await adapter.submit({ circuit: BELL, shots: 10 })
    const early = await rejection(adapter.result(jobId))
    expect(early.code).toBe('QPU_JOB_NOT_DONE')
    expect(early.type).toMatchObject({ status: 'queued' })
    const job = fake.jobs.get(jobId)
    if (job === undefined) throw new Error('no job')
    job.progress = ['Failed']
    job.reason = 'Instruction not in the target'
    job.reasonCode = 1517
    expect(await adapter.status(jobId)).toEqual({
      state: 'failed',
      message: 'Instruction not in the target; code 1517',
    })
    const err = await rejection(adapter.result(jobId))
    expect(err.code).toBe('QPU_JOB_FAILED')
    expect(err.message).toContain('Instruction not in the target')
  })

  it('turns an IAM refusal of the API key into a clear QPU_PROVIDER_REFUSED', async () => {
    fake.iamFailure = {
      status: 401,
      errorCode: 'BXNIM0415E',
      errorMessage: 'Provided API key could not be found.',
    }
    const err = await rejection(adapter.submit({ circuit: BELL, shots: 10 }))
    expect(err.code).toBe('QPU_PROVIDER_REFUSED')
    expect(err.type).toMatchObject({ status: 401 })
    expect(err.message).toContain('IBM Cloud IAM refused POST')
    expect(err.message).toContain('Provided API key could not be found.')
    expect(err.message).toContain(IBM_ENVIRONMENT_VARIABLES.apiKey)
  })

  it('reuses the bearer token, and exchanges the key again when IBM refuses it', async () => {
    await adapter.capabilities()
    await adapter.submit({ circuit: BELL, shots: 10 })
    expect(fake.tokensIssued).toBe(1)
    fake.revokeTokens()
    await adapter.capabilities()
    expect(fake.tokensIssued).toBe(2)
    // Both capability requests met the revoked token; one new exchange served them both.
    expect(fake.refusals.length).toBeGreaterThan(0)
    for (const refusal of fake.refusals) expect(refusal).toMatch(/Invalid or expired bearer token/)
  })

  it('refuses with the provider message and a hint on HTTP errors', async () => {
    const wrongInstance = adapterFor(HERON.name, { instance: 'crn:v1:other' })
    const err = await rejection(wrongInstance.capabilities())
    expect(err.code).toBe('QPU_PROVIDER_REFUSED')
    expect(err.type).toMatchObject({ status: 403 })
    expect(err.message).toMatch(/HTTP 403: The Service-CRN header.*QISKIT_IBM_INSTANCE/)
    const missing = await rejection(adapterFor('ibm_nowhere').capabilities())
    expect(missing.message).toMatch(/HTTP 404: Backend ibm_nowhere not found.*HCX_IBM_BACKEND/)
  })

  it('turns an off-format result into QPU_PROVIDER_MALFORMED', async () => {
    const bodies = [
      'not json',
      JSON.stringify({ __type__: 'PrimitiveResult', __value__: { pub_results: [], metadata: {} } }),
      // A well-formed result but for its ndarray: zlib of "hello", not an .npy file.
      JSON.stringify(primitiveResult({ c: encodedBitArray('eJzLSM3JyQcABiwCFQ==', 2) })),
    ]
    for (const body of bodies) {
      const jobId = await adapter.submit({ circuit: BELL, shots: 10 })
      const job = fake.jobs.get(jobId)
      if (job === undefined) throw new Error('no job')
      job.progress = ['Completed']
      job.resultBody = body
      const err = await rejection(adapter.result(jobId))
      expect(err.code, body).toBe('QPU_PROVIDER_MALFORMED')
      expect(err.message).toContain('outside its published format')
    }
  })

  it('asks for the variables the CLI reads when credentials are missing, only when first used', async () => {
    const bare = createIbmAdapter({ baseUrl: fake.baseUrl, iamUrl: fake.iamUrl, backend: HERON.name })
    expect(bare.id).toBe('ibm')
    const err = await rejection(bare.capabilities())
    expect(err.code).toBe('QPU_CREDENTIALS_MISSING')
    expect(err.type).toMatchObject({
      variables: ['QISKIT_IBM_TOKEN', 'QISKIT_IBM_INSTANCE', 'HCX_IBM_BACKEND'],
    })
    expect(err.message).toMatch(/QISKIT_IBM_TOKEN, QISKIT_IBM_INSTANCE are not set$/)
    expect(fake.requests).toEqual([])
  })

  it('names the URL it cannot reach', async () => {
    const port = await closedPort()
    const unreachable = createIbmAdapter({
      apiKey: API_KEY,
      instance: CRN,
      backend: HERON.name,
      baseUrl: fake.baseUrl,
      iamUrl: `http://127.0.0.1:${port}`,
    })
    const err = await rejection(unreachable.capabilities())
    expect(err.code).toBe('QPU_PROVIDER_UNREACHABLE')
    expect(err.type).toMatchObject({ url: `http://127.0.0.1:${port}/identity/token` })
    expect(err.message).toContain(`http://127.0.0.1:${port}/identity/token`)
  })

  it('checks shots against max_shots and refuses circuits that measure nothing', async () => {
    const tooMany = await rejection(adapter.submit({ circuit: BELL, shots: 100_001 }))
    expect(tooMany.code).toBe('QPU_BAD_SHOTS')
    expect(tooMany.message).toContain('1 to 100000 shots')
    const silent = await rejection(adapter.submit({ circuit: circuitOf(1, [gate('h', [0])], []), shots: 10 }))
    expect(silent.code).toBe('QPU_UNSUPPORTED_CIRCUIT')
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/jobs')).toBe(false)
  })

  it('gives up when its caller aborts, without calling that a network failure', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stopped by the caller'))
    const err = await rejection(adapter.capabilities(controller.signal))
    expect(err.message).toBe('stopped by the caller')
  })

  it('is checked by a stand-in that refuses what IBM would refuse', async () => {
    const token = await fetch(`${fake.iamUrl}/identity/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=${API_KEY}`,
    }).then(async (r) => (await r.json()).access_token as string)
    const headers = {
      Authorization: `Bearer ${token}`,
      'Service-CRN': CRN,
      'IBM-API-Version': IBM_API_VERSION,
      'Content-Type': 'application/json',
    }
    const post = async (qasm: unknown, extra: Record<string, string> = {}) => {
      const body = { program_id: 'sampler', backend: HERON.name, params: { pubs: [[qasm]], version: 2 } }
      const answer = await fetch(`${fake.baseUrl}/jobs`, {
        method: 'POST',
        headers: { ...headers, ...extra },
        body: JSON.stringify(body),
      })
      return `${answer.status} ${await answer.text()}`
    }
    const header = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[2] c;\n'
    const measures = 'c[0] = measure q[0];\nc[1] = measure q[1];\n'
    expect(await post(`${header}sx q[0];\ncz q[0], q[1];\n${measures}`)).toMatch(/^200 /)
    expect(await post(`${header}h q[0];\n${measures}`)).toMatch(/^400 .*'h' is not one of the basis gates/)
    expect(await post(`${header}cz q[0], q[2];\n${measures}`)).toMatch(
      /^400 .*cz on \(0, 2\): the coupling map has no such pair/,
    )
    expect(await post(`${header}sx q[0];\n`)).toMatch(/^400 .*measures nothing/)
    expect(await post(42)).toMatch(/^400 .*invalid job/)
    expect(await post(`${header}${measures}`, { 'IBM-API-Version': '2023-13-01' })).toMatch(
      /^400 .*not a published API version/,
    )
  })

  it('reads results of a job this process did not submit, registers from the result', async () => {
    const jobId = await adapter.submit({ circuit: BELL, shots: 64 })
    const other = adapterFor(HERON.name)
    for (let i = 0; i < 3; i++) await other.status(jobId)
    const result = await other.result(jobId)
    expect(Object.keys(result.counts).every((key) => key === '00' || key === '11')).toBe(true)
    expect(result.usage).toMatchObject({
      shots: 64,
      depth: fake.jobs.get(jobId)?.depth,
      qubits: fake.jobs.get(jobId)?.width,
    })
  })
})
