// A reusable barrier for worker threads sharing memory: Int32 [arrived, generation] in a
// SharedArrayBuffer of 8 bytes, made by the caller and posted to every thread of a job.

export function newBarrier(): SharedArrayBuffer {
  return new SharedArrayBuffer(8)
}

/** Waits until all `parties` threads have arrived. */
export function meet(barrier: Int32Array, parties: number): void {
  const generation = Atomics.load(barrier, 1)
  if (Atomics.add(barrier, 0, 1) === parties - 1) {
    Atomics.store(barrier, 0, 0)
    Atomics.add(barrier, 1, 1)
    Atomics.notify(barrier, 1)
    return
  }
  while (Atomics.load(barrier, 1) === generation) Atomics.wait(barrier, 1, generation)
}
