// The limits a wasm job runs under: defaults for what the buyer leaves out, hard caps no job
// may exceed, and the check that turns a bad value into one clear error.

import { WasmError } from './errors.ts'

export interface WasmLimits {
  /** Fuel units: one per expression executed (an over-approximation), one per 8 bytes moved in bulk. */
  readonly fuel: number
  /** Linear-memory ceiling in bytes, a whole number of 64 KiB pages. */
  readonly memoryBytes: number
  /** Wall-clock time the guest may run, from the call to its start function to its entry's return. */
  readonly timeMs: number
  /** Bytes the guest may write through `hcx.write_output`. */
  readonly outputBytes: number
}

export const WASM_PAGE_BYTES = 65_536

const MIB = 1024 * 1024

export const DEFAULT_WASM_LIMITS: WasmLimits = {
  fuel: 10_000_000_000,
  memoryBytes: 256 * MIB,
  timeMs: 30_000,
  outputBytes: 16 * MIB,
}

export const WASM_LIMIT_CAPS: WasmLimits = {
  // Fuel is counted in an i64 but reported as a JavaScript number, so it must stay exact.
  fuel: Number.MAX_SAFE_INTEGER,
  // 65536 pages: the most a wasm32 memory can address.
  memoryBytes: 4096 * MIB,
  timeMs: 15 * 60_000,
  outputBytes: 64 * MIB,
}

export const MAX_MODULE_BYTES = 16 * MIB
export const MAX_INPUT_BYTES = 64 * MIB

/** Table slots a module may declare or grow to; tables live outside linear memory, so they get their own cap. */
export const MAX_TABLE_ELEMENTS = 1 << 20

/** Fills in defaults and refuses any value that is not a whole number within its cap. */
export function resolveWasmLimits(limits: Partial<WasmLimits> = {}): WasmLimits {
  const resolved: WasmLimits = { ...DEFAULT_WASM_LIMITS, ...definedOnly(limits) }
  checkWhole('fuel', resolved.fuel, 1)
  checkWhole('memoryBytes', resolved.memoryBytes, 0)
  checkWhole('timeMs', resolved.timeMs, 1)
  checkWhole('outputBytes', resolved.outputBytes, 0)
  if (resolved.memoryBytes % WASM_PAGE_BYTES !== 0) {
    throw badLimit(
      'memoryBytes',
      resolved.memoryBytes,
      `it must be a whole number of ${WASM_PAGE_BYTES}-byte wasm pages`,
    )
  }
  return resolved
}

export function memoryLimitPages(limits: WasmLimits): number {
  return limits.memoryBytes / WASM_PAGE_BYTES
}

export function badLimit(field: string, value: unknown, reason: string): WasmError {
  const shown = typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value
  return new WasmError(
    { code: 'WASM_BAD_LIMITS', field, value: shown, reason },
    `the job's ${field} (${shown}) is not accepted: ${reason}`,
  )
}

function checkWhole(field: keyof WasmLimits, value: unknown, min: number): void {
  const max = WASM_LIMIT_CAPS[field]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw badLimit(field, value, `it must be a whole number from ${min} to ${max}`)
  }
}

// `{ fuel: undefined }` means "use the default", as if the key were absent.
function definedOnly(limits: Partial<WasmLimits>): Partial<WasmLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined))
}
