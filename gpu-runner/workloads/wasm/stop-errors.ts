// The errors a run ends in once the module has been accepted: the guest stopped, ran out of
// time, or the sandbox itself failed. Each says what happened and what the buyer can change.

import { WasmError } from './errors.ts'
import type { WasmLimits } from './limits.ts'
import type { GuestStop } from './sandbox-protocol.ts'

export interface StopFacts {
  readonly limits: WasmLimits
  readonly fuelUsed: number
  readonly peakMemoryBytes: number
}

export function stopError(stop: GuestStop, facts: StopFacts): WasmError {
  const { limits, fuelUsed, peakMemoryBytes } = facts
  switch (stop.reason) {
    case 'out-of-fuel':
      return new WasmError(
        { code: 'WASM_OUT_OF_FUEL', fuel: limits.fuel, peakMemoryBytes },
        `the module used all ${limits.fuel} units of its fuel before finishing; raise the fuel limit ` +
          '(--fuel) if that much work is expected, or look for a loop that never ends',
      )
    case 'trap':
      return new WasmError(
        { code: 'WASM_TRAP', trap: stop.trap, inFunction: stop.inFunction, fuelUsed, peakMemoryBytes },
        `the module trapped${stop.inFunction === null ? '' : ` in function ${stop.inFunction}`}: ${stop.trap}; ` +
          'this is a fault in the module (or a guard it hit on purpose), so fix the module',
      )
    case 'failed':
      return new WasmError(
        { code: 'WASM_FAILED', exitCode: stop.exitCode, fuelUsed, peakMemoryBytes },
        `the module's entry returned failure code ${stop.exitCode} (0 means success)`,
      )
    case 'output-limit':
      return new WasmError(
        { code: 'WASM_OUTPUT_LIMIT', limit: limits.outputBytes, attempted: stop.attempted },
        `the module tried to write ${stop.attempted} bytes of output, more than the job's limit of ` +
          `${limits.outputBytes}; raise the output limit (--output-limit) or write less`,
      )
  }
}

export function timeoutError(phase: 'prepare' | 'run', timeMs: number, peakMemoryBytes: number): WasmError {
  return new WasmError(
    { code: 'WASM_TIMEOUT', timeMs, phase, peakMemoryBytes },
    phase === 'run'
      ? `the module was still running after ${timeMs} ms and was stopped; raise the time limit (--timeout-ms) ` +
          'or give it less work'
      : `preparing the module for metering took longer than ${timeMs} ms; the module is too large to meter`,
  )
}

export function sandboxFailed(reason: string): WasmError {
  return new WasmError(
    { code: 'WASM_SANDBOX_FAILED', reason },
    `the wasm sandbox failed: ${reason}; this is a fault of the provider's runtime, not of the module`,
  )
}
