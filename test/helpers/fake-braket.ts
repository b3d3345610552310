// A local stand-in for the Amazon Braket REST API and the S3 bucket it writes results to, both on
// one 127.0.0.1 port and told apart by the service each request is signed for. Every request is
// checked against the published format: method and path (GET /device/{deviceArn},
// POST /quantum-task, GET /quantum-task/{quantumTaskArn}, PUT /quantum-task/{quantumTaskArn}/cancel,
// path-style S3 GetObject), a valid SigV4 signature, and the CreateQuantumTask body (required
// fields, an action that is a braket.ir.openqasm.program whose OpenQASM names only gates the
// device lists). A failed check is answered with an AWS-style 400 and recorded in `violations`,
// which tests expect to stay empty. Tasks run on a statevector; their results.json is a
// GateModelTaskResult v1 built from sampled shots.

import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { braketProbabilities, parseBraketProgram } from './fake-braket-qasm.ts'
import { checkSigV4 } from './fake-braket-sigv4.ts'
import { type HttpReply, jsonReply, parseJson, serveLocally } from './fake-http-server.ts'
import { sampleIndex } from './reference-quantum.ts'
import { seededRandom } from './seeded-random.ts'

export type FakeTaskStatus =
  | 'CREATED'
  | 'QUEUED'
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELLED'

export interface FakeTask {
  readonly arn: string
  readonly id: string
  readonly body: CreateQuantumTaskBody
  readonly measuredQubits: readonly number[]
  readonly probabilities: readonly number[]
  status: FakeTaskStatus
  polls: number
  failureReason?: string
  readonly createdAt: string
  endedAt?: string
  /** When set, stored as results.json instead of the real result. */
  resultsOverride?: string
}

export interface FakeDevice {
  readonly arn: string
  readonly qubitCount: number
  readonly supportedOperations: readonly string[]
  readonly shotsRange: readonly [number, number]
  readonly deviceCost?: { readonly price: number; readonly unit: string }
  readonly requiresAllQubitsMeasurement?: boolean
}

export interface FakeBraketOptions {
  readonly device?: FakeDevice
  /** `measurements` (per-shot rows) or `probabilities` (measurementProbabilities only). */
  readonly results?: 'measurements' | 'probabilities'
  /** GetQuantumTask calls before a task completes (it reads QUEUED, then RUNNING). */
  readonly pollsUntilDone?: number
  readonly seed?: number
}

export interface FakeBraket {
  readonly endpoint: string
  readonly region: string
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly bucket: string
  readonly device: FakeDevice
  readonly tasks: Map<string, FakeTask>
  /** S3 objects by `bucket/key`. */
  readonly objects: Map<string, string>
  readonly requests: { service: string; method: string; path: string }[]
  readonly violations: string[]
  close(): Promise<void>
}

/** IonQ Aria's operations on Braket: no ccnot, no phaseshift, no U. */
export const ARIA_LIKE_DEVICE: FakeDevice = {
  arn: 'arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1',
  qubitCount: 25,
  supportedOperations: [
    'x',
    'y',
    'z',
    'rx',
    'ry',
    'rz',
    'h',
    'cnot',
    's',
    'si',
    't',
    'ti',
    'v',
    'vi',
    'xx',
    'yy',
    'zz',
    'swap',
  ],
  shotsRange: [1, 10_000],
  deviceCost: { price: 0.03, unit: 'shot' },
}

const REGION = 'us-east-1'
const ACCOUNT = '123456789012'

const actionSchema = z.strictObject({
  braketSchemaHeader: z.strictObject({
    name: z.literal('braket.ir.openqasm.program'),
    version: z.literal('1'),
  }),
  source: z.string().min(1),
  inputs: z.record(z.string().min(1), z.unknown()).nullable().optional(),
})

// AWS tag limits: 50 per resource, keys up to 128 and values up to 256 characters of this set.
const tagText = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** CreateQuantumTaskRequest as the Braket API reference lists it. */
const createBodySchema = z.strictObject({
  action: z.string().min(1),
  clientToken: z.string().min(1).max(64),
  deviceArn: z.string().min(1).max(256),
  deviceParameters: z.string().optional(),
  shots: z.number().int().nonnegative(),
  outputS3Bucket: z.string().min(3).max(63),
  outputS3KeyPrefix: z.string().min(1).max(1024),
  tags: z
    .record(z.string().min(1).max(128).regex(tagText), z.string().max(256).regex(tagText))
    .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')
    .optional(),
  jobToken: z.string().optional(),
  associations: z.array(z.unknown()).optional(),
  experimentalCapabilities: z.unknown().optional(),
})
type CreateQuantumTaskBody = z.infer<typeof createBodySchema>

export async function startFakeBraket(options: FakeBraketOptions = {}): Promise<FakeBraket> {
  const device = options.device ?? ARIA_LIKE_DEVICE
  const credentials = { accessKeyId: 'AKIAFAKEBRAKET', secretAccessKey: 'fake-secret-key' }
  const bucket = 'amazon-braket-hcx-tests'
  const pollsUntilDone = options.pollsUntilDone ?? 2
  const random = seededRandom(options.seed ?? 3)
  const tasks = new Map<string, FakeTask>()
  const objects = new Map<string, string>()
  const requests: { service: string; method: string; path: string }[] = []
  const violations: string[] = []

  const complete = (task: FakeTask): void => {
    task.status = 'COMPLETED'
    task.endedAt = new Date(Date.parse(task.createdAt) + 1500).toISOString()
    const key = `${bucket}/${task.body.outputS3KeyPrefix}/${task.id}/results.json`
    objects.set(key, task.resultsOverride ?? resultsDocument(task, device.arn, options.results, random))
  }

  const braket = (method: string, url: URL, body: string): HttpReply => {
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent)
    const reject = (problem: string): HttpReply => {
      violations.push(`${method} ${url.pathname}: ${problem}`)
      return awsError(400, 'ValidationException', problem)
    }
    const [resource, id, action] = segments
    if (resource === 'device' && segments.length === 2 && method === 'GET') {
      if (id !== device.arn) return awsError(404, 'ResourceNotFoundException', `no device ${id}`)
      return jsonReply(200, deviceResponse(device))
    }
    if (resource === 'quantum-task' && segments.length === 1 && method === 'POST') {
      const task = createTask(body, device, bucket)
      if (typeof task === 'string') return reject(task)
      tasks.set(task.arn, task)
      return jsonReply(201, { quantumTaskArn: task.arn })
    }
    if (resource === 'quantum-task' && id !== undefined) {
      const task = tasks.get(id)
      if (segments.length === 3 && action === 'cancel' && method === 'PUT') {
        const token = parseJson(body)
        if (!z.strictObject({ clientToken: z.string().min(1).max(64) }).safeParse(token).success) {
          return reject('CancelQuantumTask needs a clientToken body')
        }
        if (task === undefined) return awsError(404, 'ResourceNotFoundException', `no quantum task ${id}`)
        if (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(task.status)) task.status = 'CANCELLING'
        const cancellationStatus = task.status === 'CANCELLING' ? 'CANCELLING' : 'CANCELLED'
        return jsonReply(200, { quantumTaskArn: task.arn, cancellationStatus })
      }
      if (segments.length === 2 && method === 'GET') {
        if (task === undefined) return awsError(404, 'ResourceNotFoundException', `no quantum task ${id}`)
        advance(task, pollsUntilDone, complete)
        return jsonReply(200, taskResponse(task, bucket))
      }
    }
    return reject(`no Braket operation is ${method} ${url.pathname}`)
  }

  const s3 = (method: string, url: URL): HttpReply => {
    const [objectBucket, ...keyParts] = url.pathname.split('/').slice(1).map(decodeURIComponent)
    if (method !== 'GET' || url.searchParams.get('x-id') !== 'GetObject') {
      violations.push(`S3 ${method} ${url.pathname}${url.search}: only GetObject is expected`)
      return s3Error(400, 'InvalidRequest', 'only GetObject is served')
    }
    const text = objects.get(`${objectBucket}/${keyParts.join('/')}`)
    if (text === undefined) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
    return { status: 200, headers: { 'content-type': 'application/json' }, text }
  }

  const route = (req: IncomingMessage, body: string): HttpReply => {
    const method = req.method ?? ''
    const url = new URL(req.url ?? '/', 'http://fake')
    const signed = checkSigV4(
      { method, url: req.url ?? '/', headers: req.headers, body },
      { ...credentials, region: REGION },
    )
    if ('problem' in signed) {
      violations.push(`${method} ${url.pathname}: ${signed.problem}`)
      return awsError(403, 'InvalidSignatureException', signed.problem)
    }
    requests.push({ service: signed.service, method, path: url.pathname })
    if (signed.service === 'braket') return braket(method, url, body)
    if (signed.service === 's3') return s3(method, url)
    violations.push(`signed for unknown service ${signed.service}`)
    return awsError(400, 'ValidationException', 'unknown service')
  }

  const server = await serveLocally(route)
  return {
    endpoint: server.origin,
    region: REGION,
    credentials,
    bucket,
    device,
    tasks,
    objects,
    requests,
    violations,
    close: server.close,
  }
}

/** The new task, or the problem Braket would answer 400 with. */
function createTask(body: string, device: FakeDevice, bucket: string): FakeTask | string {
  const parsed = createBodySchema.safeParse(parseJson(body))
  if (!parsed.success) return z.prettifyError(parsed.error)
  const request = parsed.data
  if (request.deviceArn !== device.arn) return `unknown device ${request.deviceArn}`
  if (request.outputS3Bucket !== bucket) return `bucket ${request.outputS3Bucket} is not writable`
  const [minShots, maxShots] = device.shotsRange
  if (request.shots < minShots || request.shots > maxShots) return `shots outside ${minShots}..${maxShots}`
  const action = actionSchema.safeParse(parseJson(request.action))
  if (!action.success) return `action: ${z.prettifyError(action.error)}`
  const program = parseBraketProgram(action.data.source, device.supportedOperations, device.qubitCount)
  if (typeof program === 'string') return `OpenQASM: ${program}`
  if (device.requiresAllQubitsMeasurement && program.measuredQubits.length !== program.qubits) {
    return 'the device requires every qubit to be measured'
  }
  const id = randomUUID()
  return {
    arn: `arn:aws:braket:${REGION}:${ACCOUNT}:quantum-task/${id}`,
    id,
    body: request,
    measuredQubits: program.measuredQubits,
    probabilities: braketProbabilities(program),
    status: 'QUEUED',
    polls: 0,
    createdAt: new Date().toISOString(),
  }
}

function advance(task: FakeTask, pollsUntilDone: number, complete: (task: FakeTask) => void): void {
  if (task.status === 'CANCELLING') {
    task.status = 'CANCELLED'
    task.endedAt = new Date().toISOString()
    return
  }
  if (task.status !== 'QUEUED' && task.status !== 'RUNNING') return
  task.polls += 1
  if (task.failureReason !== undefined) {
    task.status = 'FAILED'
    task.endedAt = new Date().toISOString()
  } else if (task.polls > pollsUntilDone) complete(task)
  else if (task.polls > 1) task.status = 'RUNNING'
}

/** GateModelTaskResult v1, from shots sampled out of the task's probabilities. */
function resultsDocument(
  task: FakeTask,
  deviceArn: string,
  mode: FakeBraketOptions['results'],
  random: () => number,
): string {
  const rows: number[][] = []
  for (let shot = 0; shot < task.body.shots; shot++) {
    const state = sampleIndex(task.probabilities, random)
    rows.push(task.measuredQubits.map((q) => (state >> q) & 1))
  }
  const outcome =
    mode === 'probabilities' ? { measurementProbabilities: frequencies(rows) } : { measurements: rows }
  return JSON.stringify({
    braketSchemaHeader: { name: 'braket.task_result.gate_model_task_result', version: '1' },
    ...outcome,
    measuredQubits: task.measuredQubits,
    taskMetadata: {
      braketSchemaHeader: { name: 'braket.task_result.task_metadata', version: '1' },
      id: task.arn,
      shots: task.body.shots,
      deviceId: deviceArn,
      createdAt: task.createdAt,
      endedAt: task.endedAt,
      status: 'COMPLETED',
    },
    additionalMetadata: { action: parseJson(task.body.action) },
  })
}

function frequencies(rows: readonly number[][]): Record<string, number> {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(row.join(''), (counts.get(row.join('')) ?? 0) + 1)
  return Object.fromEntries([...counts].map(([bits, n]) => [bits, n / rows.length]))
}

function deviceResponse(device: FakeDevice): Record<string, unknown> {
  const header = (name: string) => ({ name, version: '1' })
  const capabilities = {
    braketSchemaHeader: header('braket.device_schema.ionq.ionq_device_capabilities'),
    service: {
      braketSchemaHeader: header('braket.device_schema.device_service_properties'),
      executionWindows: [
        { executionDay: 'Everyday', windowStartHour: '00:00:00', windowEndHour: '23:59:59' },
      ],
      shotsRange: device.shotsRange,
      deviceCost: device.deviceCost ?? null,
      deviceDocumentation: null,
      deviceLocation: 'us-east-1',
      updatedAt: '2026-01-01T00:00:00',
      getTaskPollIntervalMillis: 200,
    },
    action: {
      'braket.ir.openqasm.program': {
        actionType: 'braket.ir.openqasm.program',
        version: ['1'],
        supportedOperations: device.supportedOperations,
        supportedModifiers: [],
        supportedPragmas: [],
        forbiddenPragmas: [],
        supportedResultTypes: [
          { name: 'Sample', observables: ['x', 'y', 'z', 'h', 'i'], minShots: 1, maxShots: 10000 },
        ],
        requiresAllQubitsMeasurement: device.requiresAllQubitsMeasurement ?? false,
        supportPhysicalQubits: false,
        requiresContiguousQubitIndices: false,
        disabledQubitRewiringSupported: false,
      },
    },
    deviceParameters: {},
    paradigm: {
      braketSchemaHeader: header('braket.device_schema.gate_model_qpu_paradigm_properties'),
      qubitCount: device.qubitCount,
      nativeGateSet: ['gpi', 'gpi2', 'ms'],
      connectivity: { fullyConnected: true, connectivityGraph: {} },
    },
  }
  return {
    deviceArn: device.arn,
    deviceName: device.arn.slice(device.arn.lastIndexOf('/') + 1),
    providerName: 'IonQ',
    deviceType: 'QPU',
    deviceStatus: 'ONLINE',
    deviceCapabilities: JSON.stringify(capabilities),
    deviceQueueInfo: [{ queue: 'QUANTUM_TASKS_QUEUE', queueSize: '4', queuePriority: 'Normal' }],
  }
}

function taskResponse(task: FakeTask, bucket: string): Record<string, unknown> {
  return {
    quantumTaskArn: task.arn,
    status: task.status,
    ...(task.status === 'FAILED' ? { failureReason: task.failureReason } : {}),
    deviceArn: task.body.deviceArn,
    deviceParameters: task.body.deviceParameters ?? '{}',
    shots: task.body.shots,
    outputS3Bucket: bucket,
    outputS3Directory: `${task.body.outputS3KeyPrefix}/${task.id}`,
    createdAt: task.createdAt,
    ...(task.endedAt === undefined ? {} : { endedAt: task.endedAt }),
    tags: task.body.tags ?? {},
  }
}

/** A restJson1 error: the type in x-amzn-ErrorType, the message in the body. */
function awsError(status: number, type: string, message: string): HttpReply {
  return jsonReply(status, { message }, { 'x-amzn-errortype': type })
}

function s3Error(status: number, code: string, message: string): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    text: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  }
}
