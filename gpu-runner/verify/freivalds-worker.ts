// One thread's share of a Freivalds round over a shared workspace: first y = B r over its
// rows of B, then (after every thread's y is written) z = A y and w = C r over its rows of A
// and C. An exact check also checks C's values as it reads them; a check of real values also
// computes |B| r and |A| |B| r, the scale of the rounding it must allow.
import { parentPort } from 'node:worker_threads'
import { meet } from '../../concurrency/barrier.ts'
import { replyWith } from '../../concurrency/worker-pool.ts'
import { dotKernels } from './dot-kernels.ts'

export interface FreivaldsShare {
  readonly memory: WebAssembly.Memory
  /** Byte addresses in `memory`: float32 A (n x k), B (k x m), C (n x m); float64 r (m), y (k), z, w (n). */
  readonly a: number
  readonly b: number
  readonly c: number
  readonly r: number
  readonly y: number
  readonly z: number
  readonly w: number
  /** Real-valued checks only: |B| r (k) and |A| |B| r (n). */
  readonly yAbs: number
  readonly u: number
  readonly n: number
  readonly k: number
  readonly m: number
  /** Exact checks: the largest magnitude a correct entry of C can have; null for real values. */
  readonly bound: number | null
  readonly part: number
  readonly parts: number
  readonly barrier: SharedArrayBuffer
}

/** Runs the share; true when this share of C holds a value no correct product has. */
export function runFreivaldsShare(share: FreivaldsShare): boolean {
  const kernels = dotKernels(share.memory)
  const [bStart, bEnd] = rowRange(share.k, share.part, share.parts)
  const [start, end] = rowRange(share.n, share.part, share.parts)
  const barrier = new Int32Array(share.barrier)
  if (share.bound === null) {
    kernels.rowDotsWithAbs(share.b, share.m, share.r, share.r, share.y, share.yAbs, bStart, bEnd)
    meet(barrier, share.parts)
    kernels.rowDotsWithAbs(share.a, share.k, share.y, share.yAbs, share.z, share.u, start, end)
    kernels.rowDots(share.c, share.m, share.r, share.w, start, end)
    return false
  }
  kernels.rowDots(share.b, share.m, share.r, share.y, bStart, bEnd)
  meet(barrier, share.parts)
  kernels.rowDots(share.a, share.k, share.y, share.z, start, end)
  return kernels.rowDotsChecked(share.c, share.m, share.r, share.w, start, end, share.bound) !== 0
}

function rowRange(rows: number, part: number, parts: number): [number, number] {
  return [Math.floor((rows * part) / parts), Math.floor((rows * (part + 1)) / parts)]
}

parentPort?.on('message', (share: FreivaldsShare) => {
  replyWith(
    (reply) => parentPort?.postMessage(reply),
    () => runFreivaldsShare(share),
  )
})
