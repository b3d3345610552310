// A simulator thread: runs its share of every block of a plan, meeting the other threads at
// a barrier after each block (the next block regroups the amplitudes).

import { parentPort } from 'node:worker_threads'
import { BlockRunner, type EngineLayout, type LoadedPlan } from './block-engine.ts'

export interface PlanJob {
  readonly memory: WebAssembly.Memory
  readonly layout: EngineLayout
  readonly plan: LoadedPlan
  readonly part: number
  readonly parts: number
  /** Int32 [arrived, generation] shared by the threads of this job. */
  readonly barrier: SharedArrayBuffer
}

export type PlanJobReply = { ok: true } | { ok: false; message: string }

let runner: { memory: WebAssembly.Memory; part: number; runner: BlockRunner } | undefined

function runnerFor(job: PlanJob): BlockRunner {
  if (runner === undefined || runner.memory !== job.memory || runner.part !== job.part) {
    runner = { memory: job.memory, part: job.part, runner: new BlockRunner(job.memory, job.layout, job.part) }
  }
  return runner.runner
}

/** Waits until all `parties` threads have arrived. */
function meet(barrier: Int32Array, parties: number): void {
  const generation = Atomics.load(barrier, 1)
  if (Atomics.add(barrier, 0, 1) === parties - 1) {
    Atomics.store(barrier, 0, 0)
    Atomics.add(barrier, 1, 1)
    Atomics.notify(barrier, 1)
    return
  }
  while (Atomics.load(barrier, 1) === generation) Atomics.wait(barrier, 1, generation)
}

parentPort?.on('message', (job: PlanJob) => {
  try {
    const blocks = runnerFor(job)
    const barrier = new Int32Array(job.barrier)
    for (const block of job.plan) {
      blocks.runBlock(block, job.part, job.parts)
      meet(barrier, job.parts)
    }
    parentPort?.postMessage({ ok: true } satisfies PlanJobReply)
  } catch (err) {
    parentPort?.postMessage({
      ok: false,
      message: err instanceof Error ? err.message : String(err),
    } satisfies PlanJobReply)
  }
})
