import { HcxError } from '../../../errors/hcx-error.ts'

export const WASM_ERROR_CODES = [
  'WASM_INVALID_MODULE',
  'WASM_FORBIDDEN_IMPORT',
  'WASM_FORBIDDEN_FEATURE',
  'WASM_MISSING_EXPORT',
  'WASM_OUT_OF_FUEL',
  'WASM_TIMEOUT',
  'WASM_MEMORY_LIMIT',
  'WASM_TRAP',
  'WASM_FAILED',
  'WASM_BAD_LIMITS',
  'WASM_OUTPUT_LIMIT',
  'WASM_SANDBOX_FAILED',
] as const

/** The kinds of thing a module can import; only `function` is ever allowed. */
export type WasmImportKind = 'function' | 'memory' | 'table' | 'global' | 'tag'

export type WasmErrorType =
  /** The bytes are not a module the engine or the instrumenter can read. */
  | { code: 'WASM_INVALID_MODULE'; reason: string }
  /** An import outside the granted `hcx` functions, or one with the wrong signature. */
  | {
      code: 'WASM_FORBIDDEN_IMPORT'
      module: string
      name: string
      kind: WasmImportKind
      allowed: readonly string[]
    }
  /** A proposal or instruction that would make results nondeterministic or escape the limits. */
  | { code: 'WASM_FORBIDDEN_FEATURE'; feature: string; where: string | null }
  /** The entry export (or the memory export the granted functions need) is absent or has the wrong shape. */
  | { code: 'WASM_MISSING_EXPORT'; export: string; reason: 'absent' | 'not-a-function' | 'wrong-signature' }
  | { code: 'WASM_OUT_OF_FUEL'; fuel: number; peakMemoryBytes: number }
  /** `phase` says whether the guest was running or the module was still being prepared. */
  | { code: 'WASM_TIMEOUT'; timeMs: number; phase: 'prepare' | 'run'; peakMemoryBytes: number }
  /** The module declares more memory (or more table slots) at start than the job allows. */
  | { code: 'WASM_MEMORY_LIMIT'; what: 'memory' | 'table'; requested: number; limit: number }
  /** The engine trapped: unreachable, out-of-bounds access, division by zero, stack exhaustion. */
  | {
      code: 'WASM_TRAP'
      trap: string
      inFunction: string | null
      fuelUsed: number
      peakMemoryBytes: number
    }
  /** The entry returned a non-zero i32. */
  | { code: 'WASM_FAILED'; exitCode: number; fuelUsed: number; peakMemoryBytes: number }
  /** A limit, size, grant or entry name of the job is out of range. */
  | { code: 'WASM_BAD_LIMITS'; field: string; value: string; reason: string }
  | { code: 'WASM_OUTPUT_LIMIT'; limit: number; attempted: number }
  /** The sandbox itself failed (worker crash, engine out of memory): the provider's fault, not the module's. */
  | { code: 'WASM_SANDBOX_FAILED'; reason: string }

export class WasmError extends HcxError<WasmErrorType> {}
