// Runs jobs one at a time in call order. A job whose signal aborts while it waits leaves the
// queue at once, without letting the job after it start early.

export interface JobQueue {
  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T>
  /** Resolves when every job queued so far has settled. */
  idle(): Promise<void>
}

export function jobQueue(): JobQueue {
  let last: Promise<unknown> = Promise.resolve()
  return {
    run(job, signal) {
      const previous = last
      const result = (async () => {
        await turn(previous, signal)
        signal?.throwIfAborted()
        return job()
      })()
      // The next job waits for both: this one, and the one before it even if this one left early.
      last = Promise.allSettled([previous, result])
      return result
    },
    async idle() {
      await last
    },
  }
}

function turn(previous: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  const settled = previous.then(
    () => undefined,
    () => undefined,
  )
  if (signal === undefined) return settled
  signal.throwIfAborted()
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    settled.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
