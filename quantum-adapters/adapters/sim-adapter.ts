// The local statevector simulator behind the QPU adapter interface: jobs run in this
// process (large states on the simulator's worker threads) and are kept in memory.

import { randomInt, randomUUID } from 'node:crypto'
import { circuitDepth } from '../circuit/circuit.ts'
import { GATE_NAMES } from '../circuit/gates.ts'
import { QpuError } from '../errors.ts'
import { qubitLimit } from '../sim/qubit-limit.ts'
import { simulate } from '../sim/simulate.ts'
import type { ThreadPool } from '../sim/thread-pool.ts'
import type { BackendCapabilities, QpuAdapter, QpuJobRequest, QpuJobResult, QpuJobState } from './adapter.ts'

export const SIM_MAX_SHOTS = 10_000_000

interface SimJob {
  state: QpuJobState
  message?: string
  result?: QpuJobResult
  readonly abort: AbortController
}

export interface SimAdapterOptions {
  /** Threads for large states; without one, jobs run on the calling thread. */
  readonly pool?: ThreadPool
}

export function createSimAdapter(options: SimAdapterOptions = {}): QpuAdapter {
  const jobs = new Map<string, SimJob>()
  const job = (jobId: string): SimJob => {
    const found = jobs.get(jobId)
    if (found === undefined) {
      throw new QpuError(
        { code: 'QPU_UNKNOWN_JOB', backend: 'sim', jobId },
        `the simulator has no job '${jobId}'`,
      )
    }
    return found
  }
  const execute = async (entry: SimJob, request: QpuJobRequest, seed: number) => {
    if (entry.abort.signal.aborted) return
    const started = performance.now()
    entry.state = 'running'
    try {
      const { counts } = await simulate(request.circuit, {
        shots: request.shots,
        seed,
        signal: entry.abort.signal,
        ...(options.pool === undefined ? {} : { pool: options.pool }),
      })
      const { circuit, shots } = request
      entry.result = {
        counts,
        shots,
        usage: {
          capacityClass: 'qpu.sim',
          shots,
          qubits: circuit.numQubits,
          depth: circuitDepth(circuit),
          durationMs: Math.round(performance.now() - started),
        },
      }
      entry.state = 'completed'
    } catch (err) {
      if (entry.abort.signal.aborted) {
        entry.state = 'cancelled'
        return
      }
      entry.state = 'failed'
      entry.message = err instanceof Error ? err.message : String(err)
    }
  }
  return {
    id: 'sim',
    async capabilities(): Promise<BackendCapabilities> {
      return {
        backend: 'sim',
        device: 'statevector',
        qubits: qubitLimit(),
        basisGates: GATE_NAMES,
        maxShots: SIM_MAX_SHOTS,
        queueEstimateMs: 0,
        price: { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 },
      }
    },
    async submit(request) {
      const { shots, circuit } = request
      if (!Number.isSafeInteger(shots) || shots < 1 || shots > SIM_MAX_SHOTS) {
        throw new QpuError(
          { code: 'QPU_BAD_SHOTS', shots, maxShots: SIM_MAX_SHOTS },
          `shots must be an integer from 1 to ${SIM_MAX_SHOTS}, not ${shots}`,
        )
      }
      const limit = qubitLimit()
      if (circuit.numQubits > limit) {
        // simulate() explains the memory arithmetic; refuse here too, before queueing.
        await simulate(circuit, { shots: 1, seed: 0 })
      }
      const jobId = randomUUID()
      const entry: SimJob = { state: 'queued', abort: new AbortController() }
      jobs.set(jobId, entry)
      const seed = request.seed ?? randomInt(2 ** 31)
      setImmediate(() => void execute(entry, request, seed))
      return jobId
    },
    async status(jobId) {
      const { state, message } = job(jobId)
      return message === undefined ? { state } : { state, message }
    },
    async result(jobId) {
      const entry = job(jobId)
      if (entry.result !== undefined) return entry.result
      if (entry.state === 'failed') {
        throw new QpuError(
          { code: 'QPU_JOB_FAILED', backend: 'sim', jobId },
          `simulator job ${jobId} failed: ${entry.message}`,
        )
      }
      if (entry.state === 'cancelled') {
        throw new QpuError(
          { code: 'QPU_JOB_CANCELLED', backend: 'sim', jobId },
          `simulator job ${jobId} was cancelled`,
        )
      }
      throw new QpuError(
        { code: 'QPU_JOB_NOT_DONE', backend: 'sim', jobId, status: entry.state },
        `simulator job ${jobId} is ${entry.state}; ask for its result once it has completed`,
      )
    },
    async cancel(jobId) {
      const entry = job(jobId)
      if (entry.state === 'queued' || entry.state === 'running') entry.abort.abort()
      if (entry.state === 'queued') entry.state = 'cancelled'
    },
  }
}
