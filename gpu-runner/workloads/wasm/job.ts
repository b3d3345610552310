// What a buyer submits for the wasm workload, and the checks that make it a job the sandbox
// can take: sizes within the caps, known grants, an entry name, limits in range.

import { type HcxFunctionName, resolveEntry, resolveGrants } from './abi.ts'
import { badLimit, MAX_INPUT_BYTES, MAX_MODULE_BYTES, resolveWasmLimits, type WasmLimits } from './limits.ts'

export interface WasmJob {
  /** The module's binary. */
  readonly module: Uint8Array
  /** The bytes `hcx.read_input` serves; empty when left out. */
  readonly input?: Uint8Array
  /** The exported function to call; `run` when left out. */
  readonly entry?: string
  /** The hcx functions the module may import; all three when left out. */
  readonly grants?: readonly string[]
  readonly limits?: Partial<WasmLimits>
}

/** Module and input are private copies: the caller may reuse or share its buffers. */
export interface ResolvedWasmJob {
  readonly module: Uint8Array<ArrayBuffer>
  readonly input: Uint8Array<ArrayBuffer>
  readonly entry: string
  readonly grants: readonly HcxFunctionName[]
  readonly limits: WasmLimits
}

export function resolveWasmJob(job: WasmJob): ResolvedWasmJob {
  const input = job.input ?? new Uint8Array(0)
  checkBytes('module', job.module, MAX_MODULE_BYTES)
  checkBytes('input', input, MAX_INPUT_BYTES)
  return {
    // Copied so that the bytes hashed are the bytes run, even if the caller's buffer is
    // shared with another thread or changed after the call.
    module: new Uint8Array(job.module),
    input: new Uint8Array(input),
    entry: resolveEntry(job.entry),
    grants: resolveGrants(job.grants),
    limits: resolveWasmLimits(job.limits),
  }
}

function checkBytes(field: 'module' | 'input', bytes: unknown, max: number): void {
  if (!(bytes instanceof Uint8Array))
    throw badLimit(field, bytes, `the ${field} must be a Uint8Array of bytes`)
  if (bytes.length > max)
    throw badLimit(field, `${bytes.length} bytes`, `the ${field} may be at most ${max} bytes`)
}
