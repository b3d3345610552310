// The simulator's worker threads: each run posts one job per thread over the same shared
// memory, and the threads meet at a barrier after each block.

import { availableParallelism } from 'node:os'
import { newBarrier } from '../../concurrency/barrier.ts'
import { WorkerPool } from '../../concurrency/worker-pool.ts'
import type { EngineLayout, LoadedPlan } from './block-engine.ts'
import type { PlanJob } from './plan-worker.ts'

const WORKER_FILE = new URL('./plan-worker.ts', import.meta.url)

export class ThreadPool {
  readonly #pool: WorkerPool<PlanJob, null>

  constructor(size = availableParallelism()) {
    this.#pool = new WorkerPool(WORKER_FILE, 'simulator thread', size)
  }

  get size(): number {
    return this.#pool.size
  }

  /** Runs every block of `plan` on `memory`, each thread taking its share of each block. */
  async run(memory: WebAssembly.Memory, layout: EngineLayout, plan: LoadedPlan): Promise<void> {
    const parts = Math.min(this.size, layout.threads)
    const barrier = newBarrier()
    await this.#pool.run(
      Array.from({ length: parts }, (_, part) => ({ memory, layout, plan, part, parts, barrier })),
    )
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}
