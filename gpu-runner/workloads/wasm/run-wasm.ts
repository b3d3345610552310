// The `wasm` workload: runs a buyer's WebAssembly module in a sandbox with fuel, memory, time
// and output limits, and returns its output with a SHA-256 hash that any provider running the
// same module on the same input reproduces.
//
// Job ABI (what a module must look like)
// ---------------------------------------
// Module: a core WebAssembly binary (wasm32), at most 16 MiB. Allowed proposals: MVP, mutable
//   globals, sign extension, non-trapping float-to-int, bulk memory, 128-bit SIMD, reference
//   types, multi-value, tail calls, extended constants. Refused (WASM_FORBIDDEN_FEATURE):
//   threads, shared memory and atomics; relaxed SIMD; multiple memories; memory64; exception
//   handling; GC, strings, stack switching and other newer proposals; table.fill, table.copy,
//   table.init and elem.drop.
// Entry: an exported function, `run` unless the job names another, of type () -> () or
//   () -> i32. An i32 result other than 0 is a failure code (WASM_FAILED); nothing or 0 is
//   success. A start function, if any, runs first, under the same limits.
// Imports: only functions from module "hcx" that the job grants (all three by default), with
//   exactly these types; any other import (WASI, "env", an ungranted hcx function, any
//   memory, table, global or tag) is refused before instantiation (WASM_FORBIDDEN_IMPORT).
//     input_size() -> i32
//         The input's length in bytes.
//     read_input(ptr: i32, offset: i32, len: i32) -> i32
//         Copies min(len, input_size - offset) bytes of the input, starting at `offset`, to
//         memory at `ptr`, and returns how many it copied (0 once `offset` is at or past the
//         end).
//     write_output(ptr: i32, len: i32)
//         Appends `len` bytes of memory from `ptr` to the output. Passing the job's output
//         limit in total stops the module (WASM_OUTPUT_LIMIT).
//   All arguments are read as unsigned. A range that does not lie inside memory traps
//   (WASM_TRAP), as a load or store there would. read_input and write_output need the
//   module's memory, so a module importing either must export its memory (any name;
//   toolchains use "memory").
// Memory: the module defines at most one memory. Its initial size must be within the job's
//   memory limit (else WASM_MEMORY_LIMIT, before anything runs); memory.grow past the limit
//   returns -1, as the spec allows. Tables are capped at 2^20 slots the same way.
// Fuel: each run starts with the job's fuel. A function call and each loop iteration pay, on
//   entry, one unit per expression in the function or loop body outside its nested loops, in
//   binaryen's tree form (every arm of an if is paid for, taken or not). memory.copy,
//   memory.fill, memory.init, read_input and write_output also pay one unit per 8 bytes
//   (rounded up). A payment that would take fuel below zero stops the module
//   (WASM_OUT_OF_FUEL). `fuelUsed` is what was paid: the same on every machine, and an upper
//   bound on the work done, not an instruction count.
// Time: the start function and entry together may run for the job's time limit of wall
//   clock (WASM_TIMEOUT); reading and instrumenting the module is not counted.
// Output: the bytes written with write_output, in order; `outputHash` is their SHA-256 (hex),
//   and `moduleHash` the SHA-256 of the module's bytes as submitted.
//
// Determinism: the refused proposals are the ones whose results depend on scheduling or CPU.
// NaN bit patterns are the remaining difference between engines and CPUs (V8 on x86-64 and on
// arm64 make different NaNs for 0/0), so every float op that can create a NaN has its result
// canonicalised to the positive quiet NaN (see canonicalise-nans.ts). Two limits are not
// deterministic across engines: how deep recursion may go before the stack is exhausted (a
// WASM_TRAP, at a depth that depends on the engine's frame sizes), and whether the operating
// system grants memory up to the limit (a grow that fails for want of memory returns -1).

import { createHash } from 'node:crypto'
import { type ResolvedWasmJob, resolveWasmJob, type WasmJob } from './job.ts'
import { runSandbox } from './run-sandbox.ts'

export { DEFAULT_ENTRY, HCX_FUNCTION_NAMES } from './abi.ts'
export { WasmError, type WasmErrorType } from './errors.ts'
export type { WasmJob } from './job.ts'
export { DEFAULT_WASM_LIMITS, WASM_LIMIT_CAPS, type WasmLimits } from './limits.ts'

export interface WasmRunResult {
  /** SHA-256 (hex) of `output`. */
  readonly outputHash: string
  readonly output: Uint8Array
  readonly fuelUsed: number
  /** Wall-clock time of the start function and entry, in milliseconds. */
  readonly durationMs: number
  /** The memory's final size in bytes: memory never shrinks, so this is also its peak. */
  readonly peakMemoryBytes: number
  /** SHA-256 (hex) of the module as submitted. */
  readonly moduleHash: string
}

/**
 * Runs `job` in a fresh sandbox worker. Rejects with a WasmError for every way the module
 * can fail or be refused, and with `signal.reason` when `signal` aborts (the worker is
 * terminated first).
 */
export async function runWasmJob(job: WasmJob, signal?: AbortSignal): Promise<WasmRunResult> {
  const resolved: ResolvedWasmJob = resolveWasmJob(job)
  const moduleHash = createHash('sha256').update(resolved.module).digest('hex')
  const run = await runSandbox(resolved, signal)
  return {
    outputHash: run.outputHash,
    output: run.output,
    fuelUsed: run.fuelUsed,
    durationMs: run.durationMs,
    peakMemoryBytes: run.peakMemoryBytes,
    moduleHash,
  }
}
