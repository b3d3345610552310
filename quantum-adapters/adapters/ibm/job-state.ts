// IBM job states (Queued, Running, Completed, Cancelled, Failed, with a reason for the last two)
// as the adapter interface's states, and the metrics that say how long a job ran.

import type { QpuJobStatus } from '../adapter.ts'
import type { JobDetails, JobMetrics } from './runtime-schemas.ts'

export function jobStatus(details: JobDetails): QpuJobStatus {
  const status = details.state.status.toLowerCase()
  const state = status.startsWith('queued')
    ? 'queued'
    : status.startsWith('running')
      ? 'running'
      : status.startsWith('completed')
        ? 'completed'
        : status.startsWith('cancelled')
          ? 'cancelled'
          : 'failed'
  if (state !== 'failed' && state !== 'cancelled') return { state }
  const { reason, reason_code: code, reason_solution: solution } = details.state
  const parts = [
    reason ?? (state === 'cancelled' ? 'cancelled' : 'failed without a reason'),
    ...(code === null || code === undefined ? [] : [`code ${code}`]),
    ...(solution === null || solution === undefined || solution === '' ? [] : [solution]),
  ]
  return { state, message: parts.join('; ') }
}

/**
 * Milliseconds of QPU time IBM reports for the job (what it bills), else the time between the
 * job starting and finishing, else 0 when the metrics say neither.
 */
export function jobDurationMs(metrics: JobMetrics | undefined): number {
  const usage = metrics?.usage
  const seconds = usage?.qpu_charge_time_seconds ?? usage?.quantum_seconds ?? usage?.seconds
  if (seconds !== null && seconds !== undefined) return Math.round(seconds * 1000)
  const running = Date.parse(metrics?.timestamps?.running ?? '')
  const finished = Date.parse(metrics?.timestamps?.finished ?? '')
  return Number.isFinite(running) && Number.isFinite(finished) && finished >= running ? finished - running : 0
}
