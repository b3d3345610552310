// The messages between the caller's thread and the sandbox worker. The worker reports facts
// (what stopped the guest, how much fuel it had used); the caller turns them into errors, so
// error wording lives on one side only.

import type { HcxFunctionName } from './abi.ts'
import type { WasmErrorType } from './errors.ts'
import type { WasmLimits } from './limits.ts'

/** The worker's `workerData`. */
export interface SandboxJob {
  readonly module: Uint8Array<ArrayBuffer>
  readonly input: Uint8Array<ArrayBuffer>
  readonly entry: string
  readonly grants: readonly HcxFunctionName[]
  readonly limits: WasmLimits
  /**
   * One Int32: the guest memory's current size in pages, kept up to date by the worker, so the
   * caller knows the peak even after killing the worker at the time limit.
   */
  readonly memoryPages: SharedArrayBuffer
}

/** Why a guest that was running stopped without success. */
export type GuestStop =
  | { readonly reason: 'out-of-fuel' }
  | { readonly reason: 'trap'; readonly trap: string; readonly inFunction: string | null }
  | { readonly reason: 'failed'; readonly exitCode: number }
  | { readonly reason: 'output-limit'; readonly attempted: number }

export type SandboxReply =
  /** Preparation is over and guest code is about to run: the time limit starts now. */
  | { readonly kind: 'running' }
  /** The module was refused before any of it ran. */
  | { readonly kind: 'refused'; readonly type: WasmErrorType; readonly message: string }
  | { readonly kind: 'stopped'; readonly stop: GuestStop; readonly fuelUsed: number }
  | {
      readonly kind: 'done'
      readonly output: Uint8Array
      readonly outputHash: string
      readonly fuelUsed: number
      readonly durationMs: number
    }
