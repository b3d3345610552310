// The simulator's worker threads. They start on first use, are reused for every later plan,
// and never keep the process alive on their own.

import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { EngineLayout, LoadedPlan } from './block-engine.ts'
import type { PlanJob, PlanJobReply } from './plan-worker.ts'

const WORKER_FILE = new URL('./plan-worker.ts', import.meta.url)

export class ThreadPool {
  readonly size: number
  #workers: Worker[] = []

  constructor(size = availableParallelism()) {
    this.size = Math.max(1, size)
  }

  /** Runs every block of `plan` on `memory`, each thread taking its share of each block. */
  async run(memory: WebAssembly.Memory, layout: EngineLayout, plan: LoadedPlan): Promise<void> {
    const parts = Math.min(this.size, layout.threads)
    const workers = this.#ensure(parts)
    const barrier = new SharedArrayBuffer(8)
    await Promise.all(
      workers.map(
        (worker, part) =>
          new Promise<void>((resolve, reject) => {
            const settle = () => {
              worker.off('message', onMessage)
              worker.off('error', onError)
              worker.off('exit', onExit)
              worker.unref()
            }
            const onMessage = (reply: PlanJobReply) => {
              settle()
              if (reply.ok) resolve()
              else reject(new Error(`simulator thread ${part} failed: ${reply.message}`))
            }
            const onError = (err: Error) => {
              settle()
              reject(err)
            }
            const onExit = (code: number) => {
              settle()
              reject(new Error(`simulator thread ${part} exited with code ${code}`))
            }
            worker.once('message', onMessage)
            worker.once('error', onError)
            worker.once('exit', onExit)
            worker.ref()
            worker.postMessage({ memory, layout, plan, part, parts, barrier } satisfies PlanJob)
          }),
      ),
    )
  }

  async close(): Promise<void> {
    const workers = this.#workers
    this.#workers = []
    await Promise.all(workers.map((worker) => worker.terminate()))
  }

  #ensure(count: number): Worker[] {
    while (this.#workers.length < count) {
      const worker = new Worker(WORKER_FILE)
      worker.unref()
      // A thread that dies (out of memory, a crash) leaves the pool; the next run starts another.
      worker.once('exit', () => {
        this.#workers = this.#workers.filter((w) => w !== worker)
      })
      this.#workers.push(worker)
    }
    return this.#workers.slice(0, count)
  }
}
