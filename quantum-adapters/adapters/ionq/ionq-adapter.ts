// IonQ's QPUs and simulator through the IonQ Quantum Cloud API v0.4: circuits go out as `qis` JSON
// circuits (`type: ionq.circuit.v1`), results come back as probabilities over the measured register.
// The API key is checked at the first call, not at construction, so a node without one still starts.

import { QpuError } from '../../errors.ts'
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
import {
  backendsSchema,
  cancelledSchema,
  createdJobSchema,
  type IonqBackend,
  type IonqHttp,
  type IonqJob,
  ionqHttp,
  jobSchema,
  PROVIDER,
  probabilitiesSchema,
} from './ionq-api.ts'
import { QIS_GATES, toQisInput } from './ionq-circuit.ts'
import { countsFromStateProbabilities } from './ionq-counts.ts'
import { ionqPrice } from './ionq-prices.ts'

/** The environment variables the CLI reads for this adapter. */
export const IONQ_VARIABLES = { apiKey: 'IONQ_API_KEY' } as const

export const IONQ_DEFAULT_BASE_URL = 'https://api.ionq.co/v0.4'

export interface IonqAdapterOptions {
  readonly apiKey?: string
  /** IonQ's backend name: `simulator` (the default), `qpu.forte-1`, … */
  readonly target?: string
  readonly baseUrl?: string
  readonly fetch?: typeof fetch
  /** Per request; 30 s unless set. */
  readonly timeoutMs?: number
}

// CircuitJobCreationPayload.shots in the v0.4 OpenAPI document.
const MAX_SHOTS = 1_000_000
// IonQ's metadata takes up to 10 keys; values are kept to the 400 characters its v0.3 guide names.
const METADATA_VALUE_CHARS = 400
const METADATA_KEYS = 10

export function createIonqAdapter(options: IonqAdapterOptions = {}): QpuAdapter {
  const target = options.target ?? 'simulator'
  let http: IonqHttp | undefined

  const api = (): IonqHttp => {
    if (http !== undefined) return http
    const apiKey = options.apiKey?.trim()
    if (apiKey === undefined || apiKey === '') {
      throw credentialsMissing('ionq', [IONQ_VARIABLES.apiKey], 'IonQ API key')
    }
    http = ionqHttp({
      baseUrl: options.baseUrl ?? IONQ_DEFAULT_BASE_URL,
      apiKey,
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
    })
    return http
  }

  const backendInfo = async (signal?: AbortSignal): Promise<IonqBackend> => {
    const backends = await api()({
      method: 'GET',
      path: '/backends',
      schema: backendsSchema,
      what: 'the backend list',
      ...(signal === undefined ? {} : { signal }),
    })
    const found = backends.find((b) => b.backend === target)
    if (found === undefined) {
      throw new QpuError(
        { code: 'QPU_UNKNOWN_BACKEND', backend: target },
        `IonQ has no backend '${target}'; it lists ${backends.map((b) => b.backend).join(', ') || 'none'}`,
      )
    }
    return found
  }

  const getJob = (jobId: string, signal?: AbortSignal): Promise<IonqJob> =>
    api()({
      method: 'GET',
      path: `/jobs/${encodeURIComponent(jobId)}`,
      schema: jobSchema,
      what: `job ${jobId}`,
      notFound: () => unknownJob('ionq', PROVIDER, jobId, 'GET /jobs answered 404'),
      ...(signal === undefined ? {} : { signal }),
    })

  return {
    id: 'ionq',

    async capabilities(signal?: AbortSignal): Promise<BackendCapabilities> {
      const backend = await backendInfo(signal)
      return {
        backend: 'ionq',
        device: target,
        qubits: backend.qubits,
        basisGates: backend.supported_gates ?? [...QIS_GATES],
        maxShots: MAX_SHOTS,
        queueEstimateMs: backend.average_queue_time ?? null,
        price: ionqPrice(target),
      }
    },

    async submit({ circuit, shots }, signal?: AbortSignal): Promise<string> {
      api()
      if (!Number.isInteger(shots) || shots < 1 || shots > MAX_SHOTS) {
        throw badShots('ionq', PROVIDER, shots, 1, MAX_SHOTS)
      }
      const refuse = (reason: string): QpuError => unsupportedCircuit('ionq', PROVIDER, reason)
      if (circuit.numQubits < 1) throw refuse('it has no qubits')
      const plan = readoutPlan(circuit, 'ionq', PROVIDER)
      let input: ReturnType<typeof toQisInput>
      try {
        input = toQisInput(circuit)
      } catch (err) {
        if (err instanceof UnloweredGateError) throw refuse(err.message)
        throw err
      }
      const metadata = layoutEntries(circuit, shots, plan, {
        size: METADATA_VALUE_CHARS,
        maxEntries: METADATA_KEYS,
        where: "IonQ's job metadata",
      })
      if (typeof metadata === 'string') throw refuse(metadata)
      const backend = await backendInfo(signal)
      if (circuit.numQubits > backend.qubits) {
        throw refuse(`it uses ${circuit.numQubits} qubits and ${target} has ${backend.qubits}`)
      }
      const created = await api()({
        method: 'POST',
        path: '/jobs',
        body: { type: 'ionq.circuit.v1', name: 'hcx', backend: target, shots, metadata, input },
        schema: createdJobSchema,
        what: 'the new job',
        ...(signal === undefined ? {} : { signal }),
      })
      return created.id
    },

    async status(jobId: string, signal?: AbortSignal): Promise<QpuJobStatus> {
      return jobStatus(await getJob(jobId, signal))
    },

    async result(jobId: string, signal?: AbortSignal): Promise<QpuJobResult> {
      const job = await getJob(jobId, signal)
      if (job.status === 'failed') throw jobFailed('ionq', PROVIDER, jobId, failureText(job))
      if (job.status === 'canceled') throw jobCancelled('ionq', PROVIDER, jobId)
      if (job.status !== 'completed') throw jobNotDone('ionq', PROVIDER, jobId, job.status)
      const layout = layoutOf(job, jobId)
      const probabilities = await api()({
        method: 'GET',
        path: `/jobs/${encodeURIComponent(jobId)}/results/probabilities`,
        schema: probabilitiesSchema,
        what: `the probabilities of job ${jobId}`,
        notFound: () => unknownJob('ionq', PROVIDER, jobId, 'its probabilities answered 404'),
        ...(signal === undefined ? {} : { signal }),
      })
      const counts = countsFromStateProbabilities(probabilities, layout)
      if (typeof counts === 'string')
        throw malformed('ionq', PROVIDER, `the probabilities of job ${jobId}`, counts)
      return {
        counts,
        shots: layout.shots,
        usage: {
          capacityClass: `qpu.ionq.${(job.backend ?? target).replace(/^qpu\./, '')}`,
          shots: layout.shots,
          qubits: layout.numQubits,
          depth: layout.depth,
          durationMs: durationMs(job),
        },
      }
    },

    async cancel(jobId: string, signal?: AbortSignal): Promise<void> {
      await api()({
        method: 'PUT',
        path: `/jobs/${encodeURIComponent(jobId)}/status/cancel`,
        schema: cancelledSchema,
        what: `cancelling job ${jobId}`,
        notFound: () => unknownJob('ionq', PROVIDER, jobId, 'cancel answered 404'),
        ...(signal === undefined ? {} : { signal }),
      })
    },
  }
}

function jobStatus(job: IonqJob): QpuJobStatus {
  switch (job.status) {
    case 'submitted':
    case 'ready':
      return { state: 'queued' }
    case 'started':
    case 'running':
      return { state: 'running' }
    case 'completed':
      return { state: 'completed' }
    case 'failed':
      return { state: 'failed', message: failureText(job) }
    case 'canceled':
      return { state: 'cancelled', message: 'cancelled at IonQ' }
  }
}

function failureText(job: IonqJob): string {
  return job.failure == null ? 'IonQ gave no reason' : `${job.failure.code}: ${job.failure.message}`
}

function layoutOf(job: IonqJob, jobId: string): ReadoutLayout {
  const layout = layoutFromEntries(job.metadata ?? {})
  if (layout === undefined) {
    throw unknownJob(
      'ionq',
      PROVIDER,
      jobId,
      'it carries no hcx readout layout, so it was not submitted by hcx',
    )
  }
  if (typeof layout === 'string') throw malformed('ionq', PROVIDER, `the metadata of job ${jobId}`, layout)
  return layout
}

function durationMs(job: IonqJob): number {
  if (job.execution_duration_ms != null) return job.execution_duration_ms
  const started = job.started_at == null ? Number.NaN : Date.parse(job.started_at)
  const completed = job.completed_at == null ? Number.NaN : Date.parse(job.completed_at)
  return Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : 0
}
