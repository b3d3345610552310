// Decides why a guest stopped from what it threw. Fuel first: running out of fuel ends in an
// `unreachable` trap, and only the counter below zero tells it apart from the guest's own.

import { HostStop } from './host-functions.ts'
import { type FunctionIndexShift, guestFunctionIndex } from './prepare-module.ts'
import type { GuestStop } from './sandbox-protocol.ts'

/** Returns undefined for anything that is not the guest stopping: a fault of the sandbox itself. */
export function classifyStop(
  err: unknown,
  fuelRemaining: bigint,
  shift: FunctionIndexShift,
): GuestStop | undefined {
  if (err instanceof HostStop) return err.stop
  if (fuelRemaining < 0n) return { reason: 'out-of-fuel' }
  if (err instanceof WebAssembly.RuntimeError) {
    return { reason: 'trap', trap: err.message, inFunction: trapFunction(err.stack, shift) }
  }
  // V8 reports wasm stack exhaustion as a RangeError, not a RuntimeError.
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return {
      reason: 'trap',
      trap: 'call stack exhausted (recursion too deep)',
      inFunction: trapFunction(err.stack, shift),
    }
  }
  return undefined
}

// A wasm frame reads `at name (wasm://wasm/<hash>:wasm-function[3]:0x5c)`, with the name only
// when the guest's module named the function; otherwise its index is given in the guest's
// own numbering.
const WASM_FRAME = /^\s*at (?:(\S+) )?\(?wasm:\/\/wasm\/[^:]+:wasm-function\[(\d+)\]/m

function trapFunction(stack: string | undefined, shift: FunctionIndexShift): string | null {
  const frame = stack === undefined ? null : WASM_FRAME.exec(stack)
  if (frame === null) return null
  return frame[1] ?? `wasm-function[${guestFunctionIndex(Number(frame[2]), shift)}]`
}
