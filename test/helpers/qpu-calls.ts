// Calling QPU adapters in tests: the QpuError a call must reject with, a job polled until it
// ends, and a local port with nothing listening on it.

import { type AddressInfo, createServer } from 'node:net'
import { expect } from 'vitest'
import type { QpuAdapter, QpuJobState } from '../../quantum-adapters/adapters/adapter.ts'
import { QpuError } from '../../quantum-adapters/errors.ts'

/** The QpuError `call` rejects with; the test fails when it settles any other way. */
export async function qpuRejection(call: Promise<unknown>): Promise<QpuError> {
  try {
    await call
  } catch (err) {
    expect(err).toBeInstanceOf(QpuError)
    return err as QpuError
  }
  throw new Error('expected a QpuError, but the call succeeded')
}

/** The state each status call reads, until one is neither queued nor running (ten calls at most). */
export async function pollUntilDone(adapter: QpuAdapter, jobId: string): Promise<QpuJobState[]> {
  const seen: QpuJobState[] = []
  for (let i = 0; i < 10; i++) {
    const { state } = await adapter.status(jobId)
    seen.push(state)
    if (state !== 'queued' && state !== 'running') return seen
  }
  throw new Error(`job ${jobId} never finished: ${seen.join(', ')}`)
}

/** A 127.0.0.1 port that was just free and has nothing listening on it now. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
