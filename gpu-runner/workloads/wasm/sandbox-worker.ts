// The sandbox worker's entry: one job per worker, so killing the worker ends everything the
// job started. binaryen reports validation findings by printing; console is redirected
// before binaryen loads (it binds console when it starts) so the findings stay in this thread.

import { format } from 'node:util'
import { parentPort, workerData } from 'node:worker_threads'
import type { SandboxJob, SandboxReply } from './sandbox-protocol.ts'

const MAX_PRINTED = 64 * 1024
let printed = ''
const capture = (...args: unknown[]): void => {
  printed = `${printed}${format(...args)}\n`.slice(-MAX_PRINTED)
}
console.log = capture
console.error = capture
console.warn = capture

function diagnostics(): string {
  const text = printed
  printed = ''
  return text
}

function reply(message: SandboxReply): void {
  const transfer = message.kind === 'done' ? [message.output.buffer as ArrayBuffer] : []
  parentPort?.postMessage(message, transfer)
}

const { runInSandbox } = await import('./sandbox-run.ts')
runInSandbox(workerData as SandboxJob, diagnostics, reply)
