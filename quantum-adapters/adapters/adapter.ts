// One interface over every quantum backend: the local simulator and real QPUs behind their
// providers' HTTP APIs. A job is submitted, polled with `status`, and read with `result`.

import type { Circuit } from '../circuit/circuit.ts'
import type { Counts } from '../circuit/counts.ts'

export const BACKEND_IDS = ['sim', 'ibm', 'braket', 'ionq'] as const
export type BackendId = (typeof BACKEND_IDS)[number]

/** Prices in integer micro-US-dollars (1 USD = 1,000,000). */
export interface BackendPrice {
  readonly currency: 'USD'
  readonly perShotMicros: number
  readonly perTaskMicros: number
}

export interface BackendCapabilities {
  readonly backend: BackendId
  /** The provider's own name for the device (`statevector`, `ibm_torino`, a Braket ARN, `qpu.aria-1`). */
  readonly device: string
  readonly qubits: number
  readonly basisGates: readonly string[]
  readonly maxShots: number
  /** Expected wait before a new job starts, when the provider says; null when unknown. */
  readonly queueEstimateMs: number | null
  readonly price: BackendPrice
}

export interface QpuJobRequest {
  readonly circuit: Circuit
  readonly shots: number
  /** Honoured by the simulator; real QPUs have their own noise. */
  readonly seed?: number
}

export type QpuJobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

export interface QpuJobStatus {
  readonly state: QpuJobState
  /** The provider's reason, for failed and cancelled jobs. */
  readonly message?: string
}

/** What a job used, in the class unit (shots), with its shape recorded for pricing and checks. */
export interface QpuUsage {
  /** `qpu.sim`, `qpu.ibm.<device>`, `qpu.braket.<device>`, `qpu.ionq.<device>`. */
  readonly capacityClass: string
  readonly shots: number
  readonly qubits: number
  readonly depth: number
  readonly durationMs: number
}

export interface QpuJobResult {
  /** Keys exactly as Qiskit writes them (see circuit/counts.ts). */
  readonly counts: Counts
  readonly shots: number
  readonly usage: QpuUsage
}

export interface QpuAdapter {
  readonly id: BackendId
  capabilities(signal?: AbortSignal): Promise<BackendCapabilities>
  /** Returns the provider's job id. */
  submit(request: QpuJobRequest, signal?: AbortSignal): Promise<string>
  status(jobId: string, signal?: AbortSignal): Promise<QpuJobStatus>
  /** Throws QPU_JOB_NOT_DONE until the job has completed. */
  result(jobId: string, signal?: AbortSignal): Promise<QpuJobResult>
  cancel(jobId: string, signal?: AbortSignal): Promise<void>
}
