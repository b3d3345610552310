// Waiting in tests: a plain sleep, and polling a probe until its value is what is wanted.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Calls `probe` until `done` holds for its value; fails with the last value after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() >= deadline) {
      throw new Error(`${what}: not so within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`)
    }
    await sleep(intervalMs)
  }
}
