// Worker threads that start on first use, are reused for every later job, and never keep the
// process alive on their own. A job posts one message to each of `parts` threads and waits
// for every reply; a thread that dies fails the job and leaves the pool, so the next job
// starts a fresh one instead of hanging.

import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

/** What a pool's worker posts back for each message. */
export type WorkerReply<T> = { ok: true; value: T } | { ok: false; message: string }

export class WorkerPool<Job, Result> {
  readonly size: number
  readonly #file: URL
  /** Names a thread in errors, e.g. `simulator thread`. */
  readonly #label: string
  #workers: Worker[] = []

  constructor(file: URL, label: string, size = availableParallelism()) {
    this.#file = file
    this.#label = label
    this.size = Math.max(1, size)
  }

  /** Posts `jobs[i]` to thread i (at most `size` jobs) and resolves with every thread's result. */
  run(jobs: readonly Job[]): Promise<Result[]> {
    const workers = this.#ensure(jobs.length)
    return Promise.all(jobs.map((job, part) => this.#post(workers[part] as Worker, part, job)))
  }

  /** Starts `count` threads now, so their start-up overlaps the caller's preparation of a job. */
  start(count = this.size): void {
    this.#ensure(Math.min(count, this.size))
  }

  async close(): Promise<void> {
    const workers = this.#workers
    this.#workers = []
    await Promise.all(workers.map((worker) => worker.terminate()))
  }

  #post(worker: Worker, part: number, job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const settle = () => {
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        worker.unref()
      }
      const onMessage = (reply: WorkerReply<Result>) => {
        settle()
        if (reply.ok) resolve(reply.value)
        else reject(new Error(`${this.#label} ${part} failed: ${reply.message}`))
      }
      const onError = (err: Error) => {
        settle()
        reject(err)
      }
      const onExit = (code: number) => {
        settle()
        reject(new Error(`${this.#label} ${part} exited with code ${code}`))
      }
      worker.once('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.ref()
      worker.postMessage(job)
    })
  }

  #ensure(count: number): Worker[] {
    if (count > this.size) throw new RangeError(`a job of ${count} parts does not fit a pool of ${this.size}`)
    while (this.#workers.length < count) {
      // No inherited loader: Node 24 strips the worker's TypeScript types itself, and a thread
      // starts in a fraction of the time it takes through tsx.
      const worker = new Worker(this.#file, { execArgv: [] })
      worker.unref()
      worker.once('exit', () => {
        this.#workers = this.#workers.filter((w) => w !== worker)
      })
      this.#workers.push(worker)
    }
    return this.#workers.slice(0, count)
  }
}

/** Runs `work` on a job message and posts its result back in the pool's reply format. */
export function replyWith<T>(post: (reply: WorkerReply<T>) => void, work: () => T): void {
  try {
    post({ ok: true, value: work() })
  } catch (err) {
    post({ ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}
