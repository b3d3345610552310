// Submits a job and waits for its result, polling the backend's status with a backoff.

import { setTimeout as sleep } from 'node:timers/promises'
import type { QpuAdapter, QpuJobRequest, QpuJobResult } from './adapter.ts'

export interface RunJobOptions {
  readonly signal?: AbortSignal
  /** First wait between status polls; doubles up to maxPollMs. */
  readonly pollMs?: number
  readonly maxPollMs?: number
}

export async function runJob(
  adapter: QpuAdapter,
  request: QpuJobRequest,
  options: RunJobOptions = {},
): Promise<QpuJobResult> {
  const { signal } = options
  const jobId = await adapter.submit(request, signal)
  let wait = options.pollMs ?? 5
  const maxWait = options.maxPollMs ?? 5_000
  try {
    for (;;) {
      const { state } = await adapter.status(jobId, signal)
      // result() turns failed and cancelled into their errors.
      if (state === 'completed' || state === 'failed' || state === 'cancelled')
        return await adapter.result(jobId, signal)
      await sleep(wait, undefined, signal === undefined ? {} : { signal })
      wait = Math.min(maxWait, wait * 2)
    }
  } catch (err) {
    if (signal?.aborted === true) await adapter.cancel(jobId).catch(() => {})
    throw err
  }
}
