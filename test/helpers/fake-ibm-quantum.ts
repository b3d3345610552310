// A local stand-in for IBM Cloud IAM and the IBM Quantum REST API (Qiskit Runtime), strict about
// the published formats: every request is checked (method, path, bearer token, Service-CRN,
// IBM-API-Version, the job body and its OpenQASM 3 circuit: basis gates only, 2-qubit gates only
// on pairs the coupling map lists) and a wrong one is answered 400 with the reason, as IBM would.
// Jobs are simulated and sampled for real and their results encoded the way qiskit-ibm-runtime's
// RuntimeEncoder writes them (zlib-compressed .npy in base64), so decoding is exercised for real.

import type { IncomingMessage } from 'node:http'
import { deflateSync } from 'node:zlib'
import { z } from 'zod'
import { type ComplexMatrix, matrix } from '../../quantum-adapters/circuit/complex-matrix.ts'
import { STDGATES } from '../../quantum-adapters/circuit/gates.ts'
import { type HttpReply, jsonReply, parseJson, serveLocally } from './fake-http-server.ts'
import { applyOnQubits } from './reference-quantum.ts'
import { seededRandom } from './seeded-random.ts'

export interface FakeBackend {
  readonly name: string
  readonly numQubits: number
  readonly basisGates: readonly string[]
  /** Directed pairs; null for a simulator that couples every pair. */
  readonly couplingMap: readonly (readonly [number, number])[] | null
  readonly maxShots: number
  readonly lengthQueue?: number
}

export interface FakeIbmQuantumOptions {
  readonly apiKey: string
  readonly crn: string
  readonly backend: FakeBackend
  readonly seed?: number
  readonly tokenLifetimeSeconds?: number
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

type JobStatus = 'Queued' | 'Running' | 'Completed' | 'Cancelled' | 'Failed'

export interface FakeJob {
  readonly id: string
  readonly qasm: string
  readonly shots: number
  readonly supportQiskit: boolean
  /** Each status poll moves one step along this list; the last one stays. */
  progress: JobStatus[]
  reason?: string
  reasonCode?: number
  /** Replaces the encoded result, to serve something off-format. */
  resultBody?: string
  readonly created: string
  readonly registers: readonly { name: string; size: number }[]
  /** Sampled classical memory per shot, register by register. */
  readonly samples: readonly (readonly bigint[])[]
  readonly depth: number
  readonly width: number
}

export interface FakeIbmQuantum {
  readonly baseUrl: string
  readonly iamUrl: string
  readonly requests: RecordedRequest[]
  /** Why requests were refused, newest last. */
  readonly refusals: string[]
  readonly jobs: Map<string, FakeJob>
  /** When set, IAM answers every token request with this error. */
  iamFailure: { status: number; errorCode: string; errorMessage: string } | undefined
  tokensIssued: number
  /** Forgets every issued token, as if each had expired early. */
  revokeTokens(): void
  close(): Promise<void>
}

/** The IBM-API-Version values IBM has published. */
const API_VERSIONS = new Set(['2024-01-01', '2025-01-01', '2025-05-01', '2026-02-15', '2026-04-15'])

const SQRT1_2 = Math.SQRT1_2
// Qiskit's ECRGate, (IX − XY)/√2 with the first operand as qubit 0.
const ECR = matrix([
  [0, SQRT1_2, 0, [0, SQRT1_2]],
  [SQRT1_2, 0, [0, -SQRT1_2], 0],
  [0, [0, SQRT1_2], 0, SQRT1_2],
  [[0, -SQRT1_2], 0, SQRT1_2, 0],
])

class Refusal extends Error {
  readonly status: number

  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const pubSchema = z.union([
  z.tuple([z.string()]),
  z.tuple([z.string(), z.union([z.null(), z.record(z.string(), z.unknown()), z.array(z.unknown())])]),
  z.tuple([
    z.string(),
    z.union([z.null(), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    z.int().positive(),
  ]),
])

// The Sampler V2 input schema (ibm-quantum-schemas sampler_v2_schema.json), closed to unknown keys.
const samplerParamsSchema = z.strictObject({
  pubs: z.array(pubSchema).min(1),
  options: z.record(z.string(), z.unknown()).optional(),
  shots: z.int().positive().optional(),
  support_qiskit: z.boolean().optional(),
  version: z.literal(2),
})

// POST /jobs (CreateJobRequest): the program, the backend, its parameters, optional job settings.
const createJobSchema = z.strictObject({
  program_id: z.literal('sampler'),
  backend: z.string(),
  params: samplerParamsSchema,
  tags: z.array(z.string()).optional(),
  log_level: z.string().optional(),
  cost: z.int().optional(),
  runtime: z.string().optional(),
  private: z.boolean().optional(),
})

export async function startFakeIbmQuantum(options: FakeIbmQuantumOptions): Promise<FakeIbmQuantum> {
  const { backend } = options
  const tokens = new Map<string, number>()
  const random = seededRandom(options.seed ?? 1)
  let nextJob = 1
  const state: Omit<FakeIbmQuantum, 'baseUrl' | 'iamUrl' | 'close' | 'revokeTokens'> = {
    requests: [],
    refusals: [],
    jobs: new Map(),
    iamFailure: undefined,
    tokensIssued: 0,
  }

  const handle = (request: RecordedRequest, url: URL): HttpReply => {
    if (url.pathname === '/iam/identity/token') return issueToken(request)
    if (!url.pathname.startsWith('/api/v1/')) throw new Refusal(404, `no such endpoint ${url.pathname}`)
    checkRuntimeHeaders(request)
    const path = url.pathname.slice('/api/v1'.length)
    const backendPath = /^\/backends\/([^/]+)\/(configuration|status)$/.exec(path)
    if (backendPath !== null) {
      expectMethod(request, 'GET')
      if (decodeURIComponent(backendPath[1] as string) !== backend.name) {
        throw new Refusal(404, `Backend ${backendPath[1]} not found`)
      }
      return jsonReply(200, backendPath[2] === 'configuration' ? configuration() : backendStatus())
    }
    if (path === '/jobs') {
      expectMethod(request, 'POST')
      return jsonReply(200, createJob(request))
    }
    const jobPath = /^\/jobs\/([^/]+)(\/results|\/metrics|\/cancel)?$/.exec(path)
    if (jobPath !== null) {
      const job = state.jobs.get(decodeURIComponent(jobPath[1] as string))
      if (job === undefined) throw new Refusal(404, 'Job not found')
      switch (jobPath[2]) {
        case undefined:
          expectMethod(request, 'GET')
          return jsonReply(200, jobDetails(job, true))
        case '/results':
          expectMethod(request, 'GET')
          if (job.progress[0] !== 'Completed') throw new Refusal(404, 'Job results not found')
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            text: job.resultBody ?? encodeResult(job),
          }
        case '/metrics':
          expectMethod(request, 'GET')
          return jsonReply(200, metrics(job))
        case '/cancel':
          expectMethod(request, 'POST')
          if (job.progress[0] !== 'Queued' && job.progress[0] !== 'Running') {
            throw new Refusal(409, `Job is already in a final state (${job.progress[0]})`)
          }
          job.progress = ['Cancelled']
          job.reason = 'Job cancelled by user'
          return { status: 204, text: '' }
      }
    }
    throw new Refusal(404, `no such endpoint ${request.method} ${url.pathname}`)
  }

  const issueToken = (request: RecordedRequest): HttpReply => {
    expectMethod(request, 'POST')
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new Refusal(400, 'IAM takes a form: Content-Type must be application/x-www-form-urlencoded')
    }
    const form = new URLSearchParams(request.body)
    if (form.get('grant_type') !== 'urn:ibm:params:oauth:grant-type:apikey') {
      throw new Refusal(400, `unsupported grant_type ${form.get('grant_type')}`)
    }
    if (state.iamFailure !== undefined) {
      const { status, errorCode, errorMessage } = state.iamFailure
      return jsonReply(status, { errorCode, errorMessage })
    }
    if (form.get('apikey') !== options.apiKey) {
      return jsonReply(400, { errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' })
    }
    const lifetime = options.tokenLifetimeSeconds ?? 3600
    const token = `token-${++state.tokensIssued}`
    const now = Math.floor(Date.now() / 1000)
    tokens.set(token, (now + lifetime) * 1000)
    return jsonReply(200, {
      access_token: token,
      refresh_token: 'not_supported',
      token_type: 'Bearer',
      expires_in: lifetime,
      expiration: now + lifetime,
      scope: 'ibm openid',
    })
  }

  const checkRuntimeHeaders = (request: RecordedRequest): void => {
    const authorization = String(request.headers.authorization ?? '')
    const token = /^Bearer (\S+)$/.exec(authorization)?.[1]
    const expiry = token === undefined ? undefined : tokens.get(token)
    if (expiry === undefined || expiry < Date.now()) throw new Refusal(401, 'Invalid or expired bearer token')
    if (request.headers['service-crn'] !== options.crn) {
      throw new Refusal(403, 'The Service-CRN header does not name an instance this token can use')
    }
    const version = request.headers['ibm-api-version']
    if (typeof version !== 'string' || !API_VERSIONS.has(version)) {
      throw new Refusal(400, `IBM-API-Version '${version}' is not a published API version`)
    }
  }

  const configuration = () => ({
    backend_name: backend.name,
    backend_version: '1.0.0',
    n_qubits: backend.numQubits,
    basis_gates: backend.basisGates,
    coupling_map: backend.couplingMap,
    gates: [],
    local: false,
    simulator: backend.couplingMap === null,
    conditional: false,
    open_pulse: false,
    memory: true,
    max_shots: backend.maxShots,
    max_experiments: 300,
    supported_instructions: [...backend.basisGates, 'measure', 'barrier', 'delay', 'reset'],
    processor_type: { family: 'Test', revision: 1 },
  })

  const backendStatus = () => ({
    state: true,
    status: 'active',
    message: 'available',
    length_queue: backend.lengthQueue ?? 0,
    backend_version: '1.0.0',
  })

  const createJob = (request: RecordedRequest): { id: string; backend: string } => {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new Refusal(400, 'POST /jobs takes JSON: Content-Type must be application/json')
    }
    const json = parseJson(request.body)
    if (json === undefined) throw new Refusal(400, 'the body is not JSON')
    const parsed = createJobSchema.safeParse(json)
    if (!parsed.success) throw new Refusal(400, `invalid job: ${z.prettifyError(parsed.error)}`)
    const { params } = parsed.data
    if (parsed.data.backend !== backend.name)
      throw new Refusal(400, `backend ${parsed.data.backend} is not available`)
    if (params.pubs.length !== 1) throw new Refusal(400, 'this stand-in runs one PUB per job')
    const pub = params.pubs[0] as z.infer<typeof pubSchema>
    const shots = pub[2] ?? params.shots ?? 4096
    if (shots > backend.maxShots)
      throw new Refusal(400, `shots ${shots} exceed max_shots ${backend.maxShots}`)
    const program = checkIsaProgram(pub[0], backend)
    const id = `d${String(nextJob++).padStart(19, '0')}`
    const samples = sample(program, shots, random)
    state.jobs.set(id, {
      id,
      qasm: pub[0],
      shots,
      supportQiskit: params.support_qiskit === true,
      progress: ['Queued', 'Running', 'Completed'],
      created: new Date().toISOString(),
      registers: program.registers,
      samples,
      depth: program.depth,
      width: program.width,
    })
    return { id, backend: backend.name }
  }

  const jobDetails = (job: FakeJob, advance: boolean) => {
    const status = job.progress[0] as JobStatus
    if (advance && job.progress.length > 1) job.progress.shift()
    return {
      id: job.id,
      backend: backend.name,
      state: {
        status,
        ...(job.reason === undefined ? {} : { reason: job.reason }),
        ...(job.reasonCode === undefined ? {} : { reason_code: job.reasonCode }),
      },
      status,
      program: { id: 'sampler' },
      created: job.created,
      cost: 0,
      runtime: '',
      tags: [],
      private: false,
      user_id: 'fake-user',
    }
  }

  const metrics = (job: FakeJob) => ({
    timestamps: {
      created: job.created,
      running: job.created,
      finished: job.progress[0] === 'Completed' ? job.created : null,
    },
    bss: { seconds: 2 },
    usage: { quantum_seconds: 2, seconds: 2 },
    executions: job.shots,
    num_circuits: 1,
    num_qubits: [job.width],
    circuit_depths: [job.depth],
    qiskit_version: 'qiskit_ibm_runtime-fake',
  })

  const answer = (incoming: IncomingMessage, body: string): HttpReply => {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1')
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: incoming.headers,
      body,
    }
    state.requests.push(request)
    try {
      return handle(request, url)
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      state.refusals.push(`${request.method} ${url.pathname}: ${err.message}`)
      return jsonReply(err.status, {
        errors: [{ code: String(err.status), message: err.message, more_info: '' }],
        trace: 'fake',
      })
    }
  }

  const server = await serveLocally(answer)
  return Object.assign(state, {
    baseUrl: `${server.origin}/api/v1`,
    iamUrl: `${server.origin}/iam`,
    revokeTokens: () => tokens.clear(),
    close: server.close,
  })
}

function expectMethod(request: RecordedRequest, method: string): void {
  if (request.method !== method)
    throw new Refusal(405, `${request.method} is not allowed here; use ${method}`)
}

interface IsaProgram {
  readonly width: number
  readonly registers: { name: string; size: number }[]
  readonly gates: { matrix: ComplexMatrix; qubits: number[] }[]
  readonly measures: { register: number; bit: number; qubit: number }[]
  readonly depth: number
}

/** Parses the OpenQASM 3 an ISA PUB may carry, refusing whatever the backend could not run. */
function checkIsaProgram(qasm: string, backend: FakeBackend): IsaProgram {
  const lines = qasm
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  const refuse = (why: string): never => {
    throw new Refusal(400, `the circuit is not an ISA circuit for ${backend.name}: ${why}`)
  }
  if (lines[0] !== 'OPENQASM 3.0;' && lines[0] !== 'OPENQASM 3;') refuse('it does not start with OPENQASM 3')
  let width = -1
  const registers: { name: string; size: number }[] = []
  const gates: IsaProgram['gates'] = []
  const measures: IsaProgram['measures'] = []
  const level = new Map<number, number>()
  let depth = 0
  const qubitIndex = (text: string): number => {
    const match = /^q\[(\d+)\]$/.exec(text.trim())
    if (match === null) return refuse(`'${text.trim()}' is not a qubit of q`)
    const index = Number(match[1])
    if (width < 0) refuse('a qubit is used before qubit[n] q is declared')
    if (index >= width) refuse(`q[${index}] is outside qubit[${width}] q`)
    return index
  }
  const step = (qubits: readonly number[]): void => {
    const at = Math.max(...qubits.map((q) => level.get(q) ?? 0)) + 1
    for (const q of qubits) level.set(q, at)
    depth = Math.max(depth, at)
  }
  for (const line of lines.slice(1)) {
    if (line === 'include "stdgates.inc";') continue
    const definition = /^gate (\w+)\b/.exec(line)
    if (definition !== null) {
      if (!backend.basisGates.includes(definition[1] as string))
        refuse(`it defines '${definition[1]}', not a basis gate`)
      continue
    }
    const qubitDeclaration = /^qubit\[(\d+)\] q;$/.exec(line)
    if (qubitDeclaration !== null) {
      if (width >= 0) refuse('it declares qubits twice')
      width = Number(qubitDeclaration[1])
      if (width > backend.numQubits)
        refuse(`it declares ${width} qubits; the backend has ${backend.numQubits}`)
      continue
    }
    const bitDeclaration = /^bit\[(\d+)\] ([A-Za-z_]\w*);$/.exec(line)
    if (bitDeclaration !== null) {
      registers.push({ name: bitDeclaration[2] as string, size: Number(bitDeclaration[1]) })
      continue
    }
    const measure = /^([A-Za-z_]\w*)\[(\d+)\] = measure (q\[\d+\]);$/.exec(line)
    if (measure !== null) {
      const register = registers.findIndex((r) => r.name === measure[1])
      if (register < 0 || Number(measure[2]) >= (registers[register]?.size ?? 0)) {
        refuse(`${measure[1]}[${measure[2]}] is not a declared bit`)
      }
      const qubit = qubitIndex(measure[3] as string)
      measures.push({ register, bit: Number(measure[2]), qubit })
      step([qubit])
      continue
    }
    const barrier = /^barrier (.+);$/.exec(line)
    if (barrier !== null) {
      ;(barrier[1] as string).split(',').forEach(qubitIndex)
      continue
    }
    const instruction = /^([a-z]+)(?:\(([^)]*)\))? (q\[\d+\](?:, q\[\d+\])*);$/.exec(line)
    if (instruction === null) return refuse(`cannot read '${line}'`)
    const name = instruction[1] as string
    if (!backend.basisGates.includes(name))
      refuse(`'${name}' is not one of the basis gates ${backend.basisGates.join(', ')}`)
    if (measures.length > 0) refuse(`'${line}' comes after a measurement`)
    const params = instruction[2] === undefined ? [] : instruction[2].split(',').map((p) => Number(p.trim()))
    if (params.some((p) => !Number.isFinite(p))) refuse(`'${line}' has a parameter that is not a number`)
    const qubits = (instruction[3] as string).split(',').map(qubitIndex)
    if (new Set(qubits).size !== qubits.length) refuse(`'${line}' repeats a qubit`)
    if (qubits.length === 2 && backend.couplingMap !== null) {
      const [a, b] = qubits as [number, number]
      if (!backend.couplingMap.some(([x, y]) => x === a && y === b)) {
        refuse(`${name} on (${a}, ${b}): the coupling map has no such pair`)
      }
    }
    const m = name === 'ecr' ? ECR : STDGATES.get(name)?.matrix(params)
    if (m === undefined || m.dim !== 1 << qubits.length) return refuse(`'${name}' on ${qubits.length} qubits`)
    gates.push({ matrix: m, qubits })
    step(qubits)
  }
  if (width < 0) refuse('it declares no qubits')
  if (measures.length === 0) refuse('it measures nothing')
  return { width, registers, gates, measures, depth }
}

/** Simulates the program and samples each shot's registers. */
function sample(program: IsaProgram, shots: number, random: () => number): bigint[][] {
  let state: Float64Array = new Float64Array(2 << program.width)
  state[0] = 1
  for (const gate of program.gates) state = applyOnQubits(state, gate.matrix, gate.qubits)
  const cumulative: number[] = []
  let total = 0
  for (let i = 0; i < state.length / 2; i++) {
    total += (state[2 * i] as number) ** 2 + (state[2 * i + 1] as number) ** 2
    cumulative.push(total)
  }
  const out: bigint[][] = []
  for (let shot = 0; shot < shots; shot++) {
    const r = random() * total
    let outcome = cumulative.findIndex((c) => c > r)
    if (outcome < 0) outcome = cumulative.length - 1
    const values = program.registers.map(() => 0n)
    for (const { register, bit, qubit } of program.measures) {
      if ((outcome >> qubit) & 1) values[register] = (values[register] as bigint) | (1n << BigInt(bit))
    }
    out.push(values)
  }
  return out
}

/** The result body IBM serves: RuntimeEncoder JSON with support_qiskit, plain JSON without. */
function encodeResult(job: FakeJob): string {
  if (!job.supportQiskit) {
    const data = Object.fromEntries(
      job.registers.map((r, i) => [
        r.name,
        { samples: job.samples.map((shot) => `0x${(shot[i] as bigint).toString(16)}`), num_bits: r.size },
      ]),
    )
    return JSON.stringify({
      results: [{ data, metadata: { circuit_metadata: {} } }],
      metadata: { version: 2 },
    })
  }
  const fields = Object.fromEntries(
    job.registers.map((r, i) => [
      r.name,
      bitArray(
        job.samples.map((shot) => shot[i] as bigint),
        r.size,
      ),
    ]),
  )
  const spans = [
    { __type__: 'SliceSpan', __value__: { start: { __type__: 'datetime', __value__: job.created } } },
  ]
  return JSON.stringify(
    primitiveResult(fields, {
      execution: { execution_spans: { __type__: 'ExecutionSpans', __value__: { spans } } },
      version: 2,
    }),
  )
}

/**
 * RuntimeEncoder's PrimitiveResult for one SamplerPubResult whose DataBin holds `fields`, one per
 * classical register in declaration order.
 */
export function primitiveResult(
  fields: Record<string, unknown>,
  metadata: Record<string, unknown> = { version: 2 },
): Record<string, unknown> {
  return {
    __type__: 'PrimitiveResult',
    __value__: {
      pub_results: [
        {
          __type__: 'SamplerPubResult',
          __value__: {
            data: { __type__: 'DataBin', __value__: { field_names: Object.keys(fields), shape: [], fields } },
            metadata: { circuit_metadata: {} },
          },
        },
      ],
      metadata,
    },
  }
}

/** RuntimeEncoder's BitArray around an ndarray given already encoded (as npyBase64 writes one). */
export function encodedBitArray(ndarray: string, numBits: number) {
  return {
    __type__: 'BitArray',
    __value__: { array: { __type__: 'ndarray', __value__: ndarray }, num_bits: numBits },
  }
}

/** RuntimeEncoder's BitArray of one value per shot. */
export function bitArray(values: readonly bigint[], numBits: number) {
  return encodedBitArray(npyBase64(values, numBits), numBits)
}

/** np.save of a (shots, ⌈bits/8⌉) uint8 array, big-endian bytes per shot, zlib, base64. */
export function npyBase64(values: readonly bigint[], numBits: number): string {
  const width = Math.ceil(numBits / 8)
  const data = new Uint8Array(values.length * width)
  values.forEach((value, shot) => {
    for (let b = 0; b < width; b++)
      data[shot * width + b] = Number((value >> BigInt(8 * (width - 1 - b))) & 0xffn)
  })
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${values.length}, ${width}), }`
  // NumPy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const unpadded = 10 + header.length + 1
  header = `${header}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`
  const preamble = new Uint8Array(10)
  preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(preamble.buffer).setUint16(8, header.length, true)
  const npy = Buffer.concat([preamble, Buffer.from(header, 'latin1'), data])
  return deflateSync(npy).toString('base64')
}
