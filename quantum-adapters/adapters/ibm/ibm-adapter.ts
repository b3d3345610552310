// IBM Quantum behind the QpuAdapter interface: circuits transpiled here to the backend's ISA,
// sent as OpenQASM 3 in a Sampler V2 job, polled, and read back into Qiskit count keys.

import type { Register } from '../../circuit/circuit.ts'
import { circuitDepth } from '../../circuit/circuit.ts'
import { QpuError } from '../../errors.ts'
import type {
  BackendCapabilities,
  QpuAdapter,
  QpuJobRequest,
  QpuJobResult,
  QpuJobStatus,
} from '../adapter.ts'
import { type IbmCredentials, requireCredentials } from './credentials.ts'
import { createIamTokens } from './iam.ts'
import { malformed, unsupportedCircuit } from './ibm-errors.ts'
import { emitIsaQasm3 } from './isa-qasm.ts'
import { jobDurationMs, jobStatus } from './job-state.ts'
import { createRuntimeApi, type RuntimeApi } from './runtime-api.ts'
import type { BackendConfiguration } from './runtime-schemas.ts'
import { countsFromSamples, decodeSamplerResult, registersFromSamples } from './sampler-result.ts'
import { transpileForIbm } from './transpile.ts'

export { IBM_ENVIRONMENT_VARIABLES } from './credentials.ts'

export const IBM_DEFAULT_BASE_URL = 'https://quantum.cloud.ibm.com/api/v1'
export const IBM_DEFAULT_IAM_URL = 'https://iam.cloud.ibm.com'

export interface IbmAdapterOptions {
  /** An IBM Cloud API key (QISKIT_IBM_TOKEN). */
  readonly apiKey?: string | undefined
  /** The IBM Quantum instance's CRN (QISKIT_IBM_INSTANCE), sent as Service-CRN. */
  readonly instance?: string | undefined
  /** The backend every job goes to, such as ibm_torino (HCX_IBM_BACKEND). */
  readonly backend?: string | undefined
  readonly baseUrl?: string | undefined
  readonly iamUrl?: string | undefined
  readonly fetch?: typeof fetch | undefined
}

// A backend's basis gates and coupling map change rarely; re-read them after this long.
const CONFIGURATION_TTL_MS = 10 * 60_000

/** What submit learned about a job that its result needs: the registers for count keys, the shape. */
interface JobRecord {
  readonly cregs: readonly Register[]
  readonly qubits: number
  readonly depth: number
}

interface Connection {
  readonly credentials: IbmCredentials
  readonly api: RuntimeApi
}

export function createIbmAdapter(options: IbmAdapterOptions = {}): QpuAdapter {
  let connection: Connection | undefined
  let configuration: { value: BackendConfiguration; readAt: number } | undefined
  const jobs = new Map<string, JobRecord>()

  // Credentials are checked here, on first use, so the adapter can be listed without them.
  const connect = (): Connection => {
    if (connection !== undefined) return connection
    const credentials = requireCredentials(options)
    const fetchFn = options.fetch ?? globalThis.fetch
    const tokens = createIamTokens({
      iamUrl: options.iamUrl ?? IBM_DEFAULT_IAM_URL,
      apiKey: credentials.apiKey,
      fetch: fetchFn,
    })
    const api = createRuntimeApi({
      baseUrl: options.baseUrl ?? IBM_DEFAULT_BASE_URL,
      instance: credentials.instance,
      backend: credentials.backend,
      tokens,
      fetch: fetchFn,
    })
    connection = { credentials, api }
    return connection
  }

  const backendConfiguration = async (signal?: AbortSignal): Promise<BackendConfiguration> => {
    if (configuration !== undefined && Date.now() - configuration.readAt < CONFIGURATION_TTL_MS) {
      return configuration.value
    }
    const value = await connect().api.configuration(signal)
    configuration = { value, readAt: Date.now() }
    return value
  }

  return {
    id: 'ibm',

    async capabilities(signal): Promise<BackendCapabilities> {
      const { credentials, api } = connect()
      configuration = undefined
      const [config] = await Promise.all([backendConfiguration(signal), api.backendStatus(signal)])
      return {
        backend: 'ibm',
        device: config.backend_name || credentials.backend,
        qubits: config.n_qubits,
        basisGates: config.basis_gates,
        maxShots: config.max_shots,
        // The status publishes the number of jobs waiting (length_queue), not a wait time, and a
        // count of other people's jobs says little about how long they will take.
        queueEstimateMs: null,
        // IBM bills QPU seconds (qpu_charge_time_seconds in a job's metrics), not shots or tasks,
        // and publishes no per-task fee; a time price does not fit these fields, so both are 0.
        price: { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 },
      }
    },

    async submit(request: QpuJobRequest, signal): Promise<string> {
      const { credentials, api } = connect()
      const config = await backendConfiguration(signal)
      const { circuit, shots } = request
      if (!Number.isInteger(shots) || shots < 1 || shots > config.max_shots) {
        throw new QpuError(
          { code: 'QPU_BAD_SHOTS', shots, maxShots: config.max_shots },
          `${credentials.backend} takes 1 to ${config.max_shots} shots per job, not ${shots}`,
        )
      }
      if (circuit.cregs.every((creg) => creg.size === 0)) {
        throw unsupportedCircuit('it has no classical bits, and the Sampler returns only measured bits')
      }
      const isa = transpileForIbm(circuit, {
        numQubits: config.n_qubits,
        basisGates: config.basis_gates,
        couplingMap: config.coupling_map ?? null,
      })
      const jobId = await api.createJob(
        {
          program_id: 'sampler',
          backend: credentials.backend,
          params: { pubs: [[emitIsaQasm3(isa.circuit)]], shots, support_qiskit: true, version: 2 },
        },
        signal,
      )
      jobs.set(jobId, { cregs: circuit.cregs, qubits: circuit.numQubits, depth: circuitDepth(circuit) })
      return jobId
    },

    async status(jobId, signal): Promise<QpuJobStatus> {
      return jobStatus(await connect().api.job(jobId, signal))
    },

    async result(jobId, signal): Promise<QpuJobResult> {
      const { credentials, api } = connect()
      const status = jobStatus(await api.job(jobId, signal))
      if (status.state === 'queued' || status.state === 'running') {
        throw new QpuError(
          { code: 'QPU_JOB_NOT_DONE', backend: 'ibm', jobId, status: status.state },
          `IBM job ${jobId} is still ${status.state}; poll its status until it has completed`,
        )
      }
      if (status.state === 'failed') {
        throw new QpuError(
          { code: 'QPU_JOB_FAILED', backend: 'ibm', jobId },
          `IBM job ${jobId} failed on ${credentials.backend}: ${status.message ?? 'no reason given'}`,
        )
      }
      if (status.state === 'cancelled') {
        throw new QpuError(
          { code: 'QPU_JOB_CANCELLED', backend: 'ibm', jobId },
          `IBM job ${jobId} was cancelled: ${status.message ?? 'no reason given'}`,
        )
      }
      const body = await api.results(jobId, signal)
      const metrics = await api.metrics(jobId, signal)
      const where = `the results of job ${jobId}`
      let samples: ReturnType<typeof decodeSamplerResult>
      try {
        samples = decodeSamplerResult(body)
      } catch (err) {
        throw malformed(where, (err as Error).message)
      }
      // A job submitted by another process: its registers come from the result, its shape from
      // IBM's metrics.
      const record = jobs.get(jobId) ?? {
        cregs: registersFromSamples(samples),
        qubits: metrics?.num_qubits?.[0] ?? 0,
        depth: metrics?.circuit_depths?.[0] ?? 0,
      }
      let tally: ReturnType<typeof countsFromSamples>
      try {
        tally = countsFromSamples(samples, record.cregs)
      } catch (err) {
        throw malformed(where, (err as Error).message)
      }
      return {
        counts: tally.counts,
        shots: tally.shots,
        usage: {
          capacityClass: `qpu.ibm.${credentials.backend}`,
          shots: tally.shots,
          qubits: record.qubits,
          depth: record.depth,
          durationMs: jobDurationMs(metrics),
        },
      }
    },

    async cancel(jobId, signal): Promise<void> {
      await connect().api.cancel(jobId, signal)
    },
  }
}
