// A simulator thread: runs its share of every block of a plan, meeting the other threads at
// a barrier after each block (the next block regroups the amplitudes).

import { parentPort } from 'node:worker_threads'
import { meet } from '../../concurrency/barrier.ts'
import { replyWith } from '../../concurrency/worker-pool.ts'
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

let runner: { memory: WebAssembly.Memory; part: number; runner: BlockRunner } | undefined

function runnerFor(job: PlanJob): BlockRunner {
  if (runner === undefined || runner.memory !== job.memory || runner.part !== job.part) {
    runner = { memory: job.memory, part: job.part, runner: new BlockRunner(job.memory, job.layout, job.part) }
  }
  return runner.runner
}

parentPort?.on('message', (job: PlanJob) => {
  replyWith<null>(
    (reply) => parentPort?.postMessage(reply),
    () => {
      const blocks = runnerFor(job)
      const barrier = new Int32Array(job.barrier)
      for (const block of job.plan) {
        blocks.runBlock(block, job.part, job.parts)
        meet(barrier, job.parts)
      }
      return null
    },
  )
})
