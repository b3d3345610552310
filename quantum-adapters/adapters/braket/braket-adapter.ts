// Amazon Braket gate-model devices through the AWS SDK: circuits go out as OpenQASM 3 quantum
// tasks, results come back as `results.json` in the caller's S3 bucket. Settings and AWS
// credentials are checked at the first call, not at construction, so a node without them starts.

import { randomUUID } from 'node:crypto'
import {
  BraketClient,
  CancelQuantumTaskCommand,
  CreateQuantumTaskCommand,
  GetDeviceCommand,
  GetQuantumTaskCommand,
  type GetQuantumTaskCommandOutput,
} from '@aws-sdk/client-braket'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { AwsCredentialIdentity } from '@aws-sdk/types'
import { z } from 'zod'
import type { BackendCapabilities, QpuAdapter, QpuJobResult, QpuJobStatus } from '../adapter.ts'
import { UnloweredGateError } from '../gate-lowering.ts'
import {
  badShots,
  credentialsMissing,
  jobCancelled,
  jobFailed,
  jobNotDone,
  malformed,
  unknownJob,
  unsupportedCircuit,
} from '../provider-errors.ts'
import { layoutEntries, layoutFromEntries, type ReadoutLayout } from '../readout-layout.ts'
import { readoutPlan } from '../readout-plan.ts'
import { type AwsCallContext, awsCall, PROVIDER } from './aws-errors.ts'
import { braketPrice, deviceName } from './braket-prices.ts'
import { braketProgram } from './braket-program.ts'
import { type DeviceCapabilities, OPENQASM_ACTION, parseDeviceCapabilities } from './device-capabilities.ts'
import { countsFromTaskResult, taskResultSchema } from './task-result.ts'

/** The environment variables the CLI reads for this adapter. */
export const BRAKET_VARIABLES = {
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  profile: 'AWS_PROFILE',
  region: 'AWS_REGION',
  deviceArn: 'HCX_BRAKET_DEVICE_ARN',
  s3Bucket: 'HCX_BRAKET_S3_BUCKET',
} as const

export interface BraketAdapterOptions {
  /** Defaults to the region in the device ARN, then to the SDK's (AWS_REGION, profile). */
  readonly region?: string
  readonly deviceArn?: string
  /** Where Braket writes results; Braket requires it in the device's region. */
  readonly s3Bucket?: string
  /** Key prefix for results in the bucket; `hcx` unless set. */
  readonly s3Prefix?: string
  /** Braket API endpoint, for testing or private endpoints. */
  readonly endpoint?: string
  /** S3 endpoint; requests to it use path-style addressing. */
  readonly s3Endpoint?: string
  /** Without it, the SDK's default chain (environment, AWS_PROFILE, …) is used. */
  readonly credentials?: AwsCredentialIdentity
  /** SDK attempts per call, retries included; the SDK's default unless set. */
  readonly maxAttempts?: number
  /** Per request; 30 s unless set. */
  readonly timeoutMs?: number
}

interface Connection {
  readonly braket: BraketClient
  readonly s3: S3Client
  readonly deviceArn: string
  readonly bucket: string
  readonly braketUrl: string
  readonly s3Url: string
}

// Tag values may hold 256 characters and a resource 50 tags; a few are left for the caller's own.
const TAG_VALUE_CHARS = 256
const MAX_LAYOUT_TAGS = 40
// Device capabilities change rarely; submit reuses them for this long.
const CAPABILITIES_TTL_MS = 60_000

export function createBraketAdapter(options: BraketAdapterOptions = {}): QpuAdapter {
  let connecting: Promise<Connection> | undefined
  let cached: { at: number; capabilities: DeviceCapabilities } | undefined

  const connection = (): Promise<Connection> => {
    connecting ??= connect(options).catch((err: unknown) => {
      connecting = undefined
      throw err
    })
    return connecting
  }

  const getDevice = async (signal?: AbortSignal): Promise<DeviceCapabilities> => {
    const c = await connection()
    const context = { what: `device ${c.deviceArn}`, url: c.braketUrl, ...withSignal(signal) }
    const device = await awsCall(context, () =>
      c.braket.send(new GetDeviceCommand({ deviceArn: c.deviceArn }), withAbort(signal)),
    )
    const document = device.deviceCapabilities === undefined ? '' : String(device.deviceCapabilities)
    const capabilities = parseDeviceCapabilities(document)
    if (typeof capabilities === 'string') throw malformed('braket', PROVIDER, context.what, capabilities)
    cached = { at: Date.now(), capabilities }
    return capabilities
  }

  const getTask = async (jobId: string, signal?: AbortSignal): Promise<GetQuantumTaskCommandOutput> => {
    if (!isTaskArn(jobId)) throw unknownJob('braket', PROVIDER, jobId, 'it is not a quantum-task ARN')
    const c = await connection()
    const context: AwsCallContext = {
      what: `quantum task ${jobId}`,
      url: c.braketUrl,
      jobId,
      ...withSignal(signal),
    }
    return awsCall(context, () =>
      c.braket.send(new GetQuantumTaskCommand({ quantumTaskArn: jobId }), withAbort(signal)),
    )
  }

  return {
    id: 'braket',

    async capabilities(signal?: AbortSignal): Promise<BackendCapabilities> {
      const c = await connection()
      const capabilities = await getDevice(signal)
      return {
        backend: 'braket',
        device: c.deviceArn,
        qubits: capabilities.qubitCount,
        basisGates: capabilities.openqasm?.supportedOperations ?? [],
        maxShots: capabilities.shotsRange[1],
        // GetDevice publishes the queue's length (deviceQueueInfo.queueSize), not a wait time.
        queueEstimateMs: null,
        price: braketPrice(c.deviceArn, capabilities.deviceCost),
      }
    },

    async submit({ circuit, shots }, signal?: AbortSignal): Promise<string> {
      const c = await connection()
      const fresh = cached !== undefined && Date.now() - cached.at < CAPABILITIES_TTL_MS
      const capabilities = fresh && cached !== undefined ? cached.capabilities : await getDevice(signal)
      const refuse = (reason: string) => unsupportedCircuit('braket', PROVIDER, reason)
      const [minShots, maxShots] = capabilities.shotsRange
      if (!Number.isInteger(shots) || shots < Math.max(1, minShots) || shots > maxShots) {
        throw badShots('braket', PROVIDER, shots, Math.max(1, minShots), maxShots)
      }
      if (capabilities.openqasm === null) throw refuse(`${c.deviceArn} takes no ${OPENQASM_ACTION} tasks`)
      if (circuit.numQubits < 1) throw refuse('it has no qubits')
      if (circuit.numQubits > capabilities.qubitCount) {
        throw refuse(`it uses ${circuit.numQubits} qubits and ${c.deviceArn} has ${capabilities.qubitCount}`)
      }
      const plan = readoutPlan(circuit, 'braket', PROVIDER)
      let source: string
      try {
        source = braketProgram(circuit, plan, capabilities.openqasm).source
      } catch (err) {
        if (err instanceof UnloweredGateError) throw refuse(`${err.message} (device ${c.deviceArn})`)
        throw err
      }
      // The layout travels as task tags, which needs braket:TagResource besides braket:CreateQuantumTask.
      const tags = layoutEntries(circuit, shots, plan, {
        size: TAG_VALUE_CHARS,
        maxEntries: MAX_LAYOUT_TAGS,
        where: "Braket's task tags",
      })
      if (typeof tags === 'string') throw refuse(tags)
      const action = JSON.stringify({
        braketSchemaHeader: { name: OPENQASM_ACTION, version: '1' },
        source,
        inputs: {},
      })
      const context = { what: `a quantum task on ${c.deviceArn}`, url: c.braketUrl, ...withSignal(signal) }
      const created = await awsCall(context, () =>
        c.braket.send(
          new CreateQuantumTaskCommand({
            action,
            clientToken: randomUUID(),
            deviceArn: c.deviceArn,
            shots,
            outputS3Bucket: c.bucket,
            outputS3KeyPrefix: options.s3Prefix ?? 'hcx',
            tags,
          }),
          withAbort(signal),
        ),
      )
      if (created.quantumTaskArn === undefined)
        throw malformed('braket', PROVIDER, context.what, 'no quantumTaskArn')
      return created.quantumTaskArn
    },

    async status(jobId: string, signal?: AbortSignal): Promise<QpuJobStatus> {
      const task = await getTask(jobId, signal)
      switch (task.status) {
        case 'CREATED':
        case 'QUEUED':
          return { state: 'queued' }
        case 'RUNNING':
          return { state: 'running' }
        // Not over yet: a task already on the QPU may still complete.
        case 'CANCELLING':
          return { state: 'running', message: 'cancellation requested' }
        case 'COMPLETED':
          return { state: 'completed' }
        case 'FAILED':
          return { state: 'failed', message: task.failureReason ?? 'Braket gave no reason' }
        case 'CANCELLED':
          return { state: 'cancelled', message: 'cancelled at Amazon Braket' }
        default:
          throw malformed('braket', PROVIDER, `quantum task ${jobId}`, `unknown status '${task.status}'`)
      }
    },

    async result(jobId: string, signal?: AbortSignal): Promise<QpuJobResult> {
      const task = await getTask(jobId, signal)
      if (task.status === 'FAILED')
        throw jobFailed('braket', PROVIDER, jobId, task.failureReason ?? 'no reason given')
      if (task.status === 'CANCELLED') throw jobCancelled('braket', PROVIDER, jobId)
      if (task.status !== 'COMPLETED') throw jobNotDone('braket', PROVIDER, jobId, String(task.status))
      const layout = layoutOf(task, jobId)
      const c = await connection()
      const { outputS3Bucket: bucket, outputS3Directory: directory } = task
      if (bucket === undefined || directory === undefined) {
        throw malformed('braket', PROVIDER, `quantum task ${jobId}`, 'no outputS3Bucket or outputS3Directory')
      }
      const key = `${directory}/results.json`
      const what = `s3://${bucket}/${key}`
      const text = await awsCall({ what, url: c.s3Url, ...withSignal(signal) }, async () => {
        const object = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), withAbort(signal))
        return (await object.Body?.transformToString('utf-8')) ?? ''
      })
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw malformed('braket', PROVIDER, what, 'it is not JSON')
      }
      const parsed = taskResultSchema.safeParse(json)
      if (!parsed.success) throw malformed('braket', PROVIDER, what, z.prettifyError(parsed.error))
      const counts = countsFromTaskResult(parsed.data, layout)
      if (typeof counts === 'string') throw malformed('braket', PROVIDER, what, counts)
      const created = task.createdAt?.getTime()
      const ended = task.endedAt?.getTime()
      return {
        counts,
        shots: Object.values(counts).reduce((sum, n) => sum + n, 0),
        usage: {
          capacityClass: `qpu.braket.${deviceName(task.deviceArn ?? c.deviceArn).toLowerCase()}`,
          shots: layout.shots,
          qubits: layout.numQubits,
          depth: layout.depth,
          durationMs: created !== undefined && ended !== undefined ? Math.max(0, ended - created) : 0,
        },
      }
    },

    async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
      if (!isTaskArn(jobId)) throw unknownJob('braket', PROVIDER, jobId, 'it is not a quantum-task ARN')
      const c = await connection()
      const context: AwsCallContext = {
        what: `cancelling ${jobId}`,
        url: c.braketUrl,
        jobId,
        ...withSignal(signal),
      }
      await awsCall(context, () =>
        c.braket.send(
          new CancelQuantumTaskCommand({ quantumTaskArn: jobId, clientToken: randomUUID() }),
          withAbort(signal),
        ),
      )
    },
  }
}

async function connect(options: BraketAdapterOptions): Promise<Connection> {
  const missing: string[] = []
  const deviceArn = options.deviceArn?.trim() ?? ''
  const bucket = options.s3Bucket?.trim() ?? ''
  if (deviceArn === '') missing.push(BRAKET_VARIABLES.deviceArn)
  if (bucket === '') missing.push(BRAKET_VARIABLES.s3Bucket)
  const region = options.region ?? regionOfArn(deviceArn)
  const timeoutMs = options.timeoutMs ?? 30_000
  const common = {
    ...(region === undefined ? {} : { region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    requestHandler: { connectionTimeout: Math.min(timeoutMs, 10_000), requestTimeout: timeoutMs },
  }
  const braket = new BraketClient({
    ...common,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  })
  const s3 = new S3Client({
    ...common,
    ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint, forcePathStyle: true }),
  })
  let resolvedRegion = region
  try {
    resolvedRegion = await braket.config.region()
  } catch {
    missing.push(BRAKET_VARIABLES.region)
  }
  try {
    await braket.config.credentials()
  } catch {
    missing.push(BRAKET_VARIABLES.accessKeyId, BRAKET_VARIABLES.secretAccessKey)
  }
  if (missing.length > 0) {
    braket.destroy()
    s3.destroy()
    throw credentialsMissing(
      'braket',
      missing,
      `device, results bucket, region or AWS credentials (AWS keys may come from ${BRAKET_VARIABLES.profile} instead)`,
    )
  }
  return {
    braket,
    s3,
    deviceArn,
    bucket,
    braketUrl: options.endpoint ?? `https://braket.${resolvedRegion}.amazonaws.com`,
    s3Url: options.s3Endpoint ?? `https://s3.${resolvedRegion}.amazonaws.com`,
  }
}

function layoutOf(task: GetQuantumTaskCommandOutput, jobId: string): ReadoutLayout {
  const layout = layoutFromEntries(task.tags ?? {})
  if (layout === undefined) {
    throw unknownJob(
      'braket',
      PROVIDER,
      jobId,
      'it carries no hcx readout layout tags, so it was not submitted by hcx',
    )
  }
  if (typeof layout === 'string') throw malformed('braket', PROVIDER, `the tags of ${jobId}`, layout)
  return layout
}

/** `us-east-1` from `arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1`; simulators have none. */
function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3]
  return region === undefined || region === '' ? undefined : region
}

function isTaskArn(id: string): boolean {
  return /^arn:aws[a-z-]*:braket:[^:]*:[^:]*:quantum-task\/.+$/.test(id)
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal }
}

function withAbort(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } | undefined {
  return signal === undefined ? undefined : { abortSignal: signal }
}
