// Runs one job in a fresh worker thread and enforces the wall-clock limit by terminating it.
// The caller's thread never parses or runs the module; whatever the worker does (trap, run
// forever, exhaust its heap, crash) ends as a WasmError here, and the worker is always gone
// before the promise settles.

import { Worker } from 'node:worker_threads'
import { streamTail } from '../../../concurrency/stream-tail.ts'
import { describeError } from '../../../errors/hcx-error.ts'
import { WasmError } from './errors.ts'
import { WASM_PAGE_BYTES } from './limits.ts'
import type { SandboxJob, SandboxReply } from './sandbox-protocol.ts'
import { sandboxFailed, stopError, timeoutError } from './stop-errors.ts'

// A .ts file: Node runs it with its built-in type stripping, under tsx and vitest alike.
const WORKER_FILE = new URL('./sandbox-worker.ts', import.meta.url)

/** Reading, checking and instrumenting a module is the provider's work, outside the job's time limit. */
export const PREPARE_TIMEOUT_MS = 60_000

// The worker's own JavaScript heap: binaryen, the walk over the module, the output chunks.
// Linear memory, input and output buffers live outside it, bounded by the job's limits.
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 }

export interface SandboxSuccess {
  readonly output: Uint8Array
  readonly outputHash: string
  readonly fuelUsed: number
  readonly durationMs: number
  readonly peakMemoryBytes: number
}

export function runSandbox(
  job: Omit<SandboxJob, 'memoryPages'>,
  signal?: AbortSignal,
): Promise<SandboxSuccess> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  const memoryPages = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)
  const peakMemoryBytes = () => Atomics.load(new Int32Array(memoryPages), 0) * WASM_PAGE_BYTES
  const worker = new Worker(WORKER_FILE, {
    workerData: { ...job, memoryPages } satisfies SandboxJob,
    resourceLimits: RESOURCE_LIMITS,
    // No inherited loader: Node 24 runs the worker's TypeScript itself (type stripping). Through
    // tsx's loader, importing binaryen's 15 MB of JavaScript took 5 s and over 512 MiB of heap.
    execArgv: [],
    stdout: true,
    stderr: true,
  })
  worker.stdout.resume()
  const stderr = streamTail(worker.stderr, STDERR_TAIL)

  return new Promise<SandboxSuccess>((resolve, reject) => {
    let settled = false
    let timer = setTimeout(() => fail(timeoutError('prepare', PREPARE_TIMEOUT_MS, 0)), PREPARE_TIMEOUT_MS)
    const onAbort = () => fail(signal?.reason)

    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      worker.terminate().then(finish, finish)
    }
    const fail = (err: unknown) => settle(() => reject(err))

    worker.on('message', (reply: SandboxReply) => {
      switch (reply.kind) {
        case 'running':
          clearTimeout(timer)
          timer = setTimeout(
            () => fail(timeoutError('run', job.limits.timeMs, peakMemoryBytes())),
            job.limits.timeMs,
          )
          return
        case 'refused':
          return fail(new WasmError(reply.type, reply.message))
        case 'stopped':
          return fail(
            stopError(reply.stop, {
              limits: job.limits,
              fuelUsed: reply.fuelUsed,
              peakMemoryBytes: peakMemoryBytes(),
            }),
          )
        case 'done': {
          const { output, outputHash, fuelUsed, durationMs } = reply
          return settle(() =>
            resolve({ output, outputHash, fuelUsed, durationMs, peakMemoryBytes: peakMemoryBytes() }),
          )
        }
      }
    })
    worker.on('error', (err) => fail(sandboxFailed(withStderr(describeError(err), stderr()))))
    worker.on('exit', (code) =>
      fail(
        sandboxFailed(withStderr(`the sandbox worker exited with code ${code} before reporting`, stderr())),
      ),
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

const STDERR_TAIL = 2048

function withStderr(reason: string, stderr: string): string {
  return stderr === '' ? reason : `${reason} (stderr: ${stderr})`
}
