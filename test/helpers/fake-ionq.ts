// A local stand-in for the IonQ Quantum Cloud API v0.4 (https://api.ionq.co/v0.4/api-docs) on
// 127.0.0.1. Every request is checked against the published format (path, method,
// `Authorization: apiKey …`, the job payload with `additionalProperties: false`, qis gate names,
// qubit indices in range); a request that fails a check is answered 400 and recorded in
// `violations`, which tests expect to stay empty. Jobs run on a statevector of the submitted qis
// circuit, so results are what IonQ would return for it.

import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { type HttpReply, jsonReply, parseJson, serveLocally } from './fake-http-server.ts'
import { checkQisGate, type QisInput, qisGateSchema, qisProbabilities } from './fake-ionq-qis.ts'
import { sampleIndex } from './reference-quantum.ts'
import { seededRandom } from './seeded-random.ts'

export interface FakeIonqBackend {
  readonly backend: string
  readonly qubits: number
  readonly status: string
  readonly average_queue_time: number
}

export interface FakeIonqJob {
  readonly id: string
  readonly payload: JobPayload
  status: 'ready' | 'started' | 'completed' | 'canceled' | 'failed'
  polls: number
  probabilities: Record<string, number>
  /** When set, served instead of the probabilities JSON. */
  resultsBody?: string
  failure?: { code: string; message: string }
}

export interface FakeIonq {
  /** The API base, e.g. http://127.0.0.1:1234/v0.4 */
  readonly baseUrl: string
  readonly apiKey: string
  readonly jobs: Map<string, FakeIonqJob>
  readonly requests: { method: string; path: string }[]
  readonly violations: string[]
  close(): Promise<void>
}

export interface FakeIonqOptions {
  readonly apiKey?: string
  /** GETs of a job before it completes (it reads `ready`, then `started`). */
  readonly pollsUntilDone?: number
  readonly backends?: readonly FakeIonqBackend[]
  readonly seed?: number
}

export const FAKE_IONQ_BACKENDS: readonly FakeIonqBackend[] = [
  { backend: 'simulator', qubits: 29, status: 'available', average_queue_time: 0 },
  { backend: 'qpu.forte-1', qubits: 36, status: 'available', average_queue_time: 1_181_215 },
]

/** `CircuitJobCreationPayload` for `ionq.circuit.v1` with a qis circuit. */
const jobPayloadSchema = z.strictObject({
  type: z.literal('ionq.circuit.v1'),
  name: z.string().optional(),
  metadata: z
    .record(z.string().max(40), z.string().max(400))
    .refine((m) => Object.keys(m).length <= 10, 'at most 10 metadata keys')
    .optional(),
  shots: z.number().int().min(1).max(1_000_000).optional(),
  backend: z.string(),
  dry_run: z.boolean().optional(),
  input: z.strictObject({
    qubits: z.number().int().min(1),
    gateset: z.literal('qis'),
    circuit: z.array(qisGateSchema),
  }),
})
type JobPayload = z.infer<typeof jobPayloadSchema>

const JOB_PATH = /^\/v0\.4\/jobs\/([^/]+)$/
const CANCEL_PATH = /^\/v0\.4\/jobs\/([^/]+)\/status\/cancel$/
const PROBABILITIES_PATH = /^\/v0\.4\/jobs\/([^/]+)\/results\/probabilities$/

export async function startFakeIonq(options: FakeIonqOptions = {}): Promise<FakeIonq> {
  const apiKey = options.apiKey ?? 'test-ionq-key'
  const backends = options.backends ?? FAKE_IONQ_BACKENDS
  const pollsUntilDone = options.pollsUntilDone ?? 2
  const random = seededRandom(options.seed ?? 7)
  const jobs = new Map<string, FakeIonqJob>()
  const requests: { method: string; path: string }[] = []
  const violations: string[] = []

  const handle = (req: IncomingMessage, body: string): HttpReply => {
    const method = req.method ?? ''
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    requests.push({ method, path })
    if (req.headers.authorization !== `apiKey ${apiKey}`) {
      return jsonReply(401, {
        error: 'Unauthorized Error',
        message: 'Invalid key provided. See https://docs.ionq.com/#authentication for details.',
        statusCode: 401,
      })
    }
    const reject = (problem: string): HttpReply => {
      violations.push(`${method} ${path}: ${problem}`)
      return jsonReply(400, { error: 'Bad Request', message: problem, statusCode: 400 })
    }
    const notFound = (): HttpReply =>
      jsonReply(404, { error: 'Not Found Error', message: 'Resource not found.', statusCode: 404 })

    if (method === 'GET' && path === '/v0.4/backends') {
      return jsonReply(
        200,
        backends.map((b) => ({ ...b, last_updated: new Date().toISOString() })),
      )
    }
    if (method === 'POST' && path === '/v0.4/jobs') {
      if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
        return reject('Content-Type is not JSON')
      const json = parseJson(body)
      if (json === undefined) return reject('body is not JSON')
      const parsed = jobPayloadSchema.safeParse(json)
      if (!parsed.success) return reject(z.prettifyError(parsed.error))
      const payload = parsed.data
      const backend = backends.find((b) => b.backend === payload.backend)
      if (backend === undefined) return reject(`unknown backend ${payload.backend}`)
      if (payload.input.qubits > backend.qubits) return reject('more qubits than the backend has')
      const problems = payload.input.circuit.flatMap((g, i) =>
        checkQisGate(g, payload.input.qubits).map((p) => `gate ${i} (${g.gate}): ${p}`),
      )
      if (problems.length > 0) return reject(problems.join('; '))
      const id = randomUUID()
      const shots = payload.backend === 'simulator' ? undefined : (payload.shots ?? 100)
      jobs.set(id, {
        id,
        payload,
        status: 'ready',
        polls: 0,
        probabilities: run(payload.input, shots, random),
      })
      return jsonReply(201, { id, status: 'ready', session_id: null })
    }
    const cancel = CANCEL_PATH.exec(path)
    if (cancel !== null) {
      if (method !== 'PUT') return reject('cancel is PUT')
      const job = jobs.get(decodeURIComponent(cancel[1] as string))
      if (job === undefined) return notFound()
      if (job.status !== 'completed' && job.status !== 'failed') job.status = 'canceled'
      return jsonReply(200, { id: job.id, status: 'canceled' })
    }
    const probabilities = PROBABILITIES_PATH.exec(path)
    if (probabilities !== null) {
      if (method !== 'GET') return reject('probabilities are GET')
      const job = jobs.get(decodeURIComponent(probabilities[1] as string))
      if (job === undefined || job.status !== 'completed') return notFound()
      return job.resultsBody === undefined
        ? jsonReply(200, job.probabilities)
        : { status: 200, headers: { 'content-type': 'application/json' }, text: job.resultsBody }
    }
    const get = JOB_PATH.exec(path)
    if (get !== null) {
      if (method !== 'GET') return reject(`${method} on a job is not used`)
      const job = jobs.get(decodeURIComponent(get[1] as string))
      if (job === undefined) return notFound()
      advance(job, pollsUntilDone)
      return jsonReply(200, jobView(job))
    }
    return notFound()
  }

  const server = await serveLocally(handle)
  return {
    baseUrl: `${server.origin}/v0.4`,
    apiKey,
    jobs,
    requests,
    violations,
    close: server.close,
  }
}

function advance(job: FakeIonqJob, pollsUntilDone: number): void {
  if (job.status !== 'ready' && job.status !== 'started') return
  job.polls += 1
  if (job.failure !== undefined) job.status = 'failed'
  else if (job.polls > pollsUntilDone) job.status = 'completed'
  else if (job.polls > 1) job.status = 'started'
}

/** Exact probabilities for the simulator; a QPU's are the frequencies of sampled shots. */
function run(input: QisInput, shots: number | undefined, random: () => number): Record<string, number> {
  const exact = qisProbabilities(input)
  if (shots === undefined) return Object.fromEntries([...exact].map(([state, p]) => [String(state), p]))
  const states = [...exact]
  const tally = new Map<number, number>()
  const weights = states.map(([, p]) => p)
  for (let i = 0; i < shots; i++) {
    const pick = states[sampleIndex(weights, random)]?.[0] ?? 0
    tally.set(pick, (tally.get(pick) ?? 0) + 1)
  }
  return Object.fromEntries([...tally].map(([state, n]) => [String(state), n / shots]))
}

/** A `SingleCircuitJob` with every field the v0.4 document requires. */
function jobView(job: FakeIonqJob): Record<string, unknown> {
  const done = job.status === 'completed'
  return {
    id: job.id,
    status: job.status,
    type: 'ionq.circuit.v1',
    backend: job.payload.backend,
    dry_run: false,
    submitter_id: 'fake-user',
    project_id: null,
    parent_job_id: null,
    child_job_ids: null,
    session_id: null,
    metadata: job.payload.metadata ?? null,
    name: job.payload.name ?? null,
    submitted_at: '2026-01-01T00:00:00.000Z',
    started_at: job.status === 'ready' ? null : '2026-01-01T00:00:10.000Z',
    completed_at: done ? '2026-01-01T00:00:12.500Z' : null,
    predicted_wait_time_ms: null,
    predicted_execution_duration_ms: null,
    execution_duration_ms: done ? 2500 : null,
    ...(job.payload.backend === 'simulator'
      ? { noise: { model: 'ideal' } }
      : { shots: job.payload.shots ?? 100 }),
    failure: job.status === 'failed' ? (job.failure ?? null) : null,
    output: {},
    settings: {},
    stats: { qubits: job.payload.input.qubits, circuits: 1 },
    results: done
      ? {
          'ionq.result.probabilities.json.v1': {
            id: 'probabilities',
            format: 'ionq.result.probabilities.json.v1',
            media_type: 'application/json',
          },
        }
      : null,
  }
}
