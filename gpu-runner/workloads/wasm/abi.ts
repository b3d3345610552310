// The guest-facing contract: which host functions exist, their signatures, the default entry,
// and how host work is charged in fuel. run-wasm.ts documents it for buyers.

import { badLimit } from './limits.ts'

export const HCX_IMPORT_MODULE = 'hcx'
export const DEFAULT_ENTRY = 'run'

type ValueType = 'i32'

export interface HostSignature {
  readonly params: readonly ValueType[]
  readonly results: readonly ValueType[]
}

export const HCX_FUNCTIONS = {
  input_size: { params: [], results: ['i32'] },
  read_input: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  write_output: { params: ['i32', 'i32'], results: [] },
} as const satisfies Record<string, HostSignature>

export type HcxFunctionName = keyof typeof HCX_FUNCTIONS

export const HCX_FUNCTION_NAMES: readonly HcxFunctionName[] = Object.freeze(
  Object.keys(HCX_FUNCTIONS) as HcxFunctionName[],
)

/** The functions that touch linear memory; a module importing one must export its memory. */
export const MEMORY_FUNCTIONS: readonly HcxFunctionName[] = ['read_input', 'write_output']

/** Bulk copies (memory.copy/fill/init, read_input, write_output) cost one fuel unit per this many bytes. */
export const BYTES_PER_FUEL = 8

export function bulkFuel(bytes: number): number {
  return Math.ceil(bytes / BYTES_PER_FUEL)
}

export function isHcxFunction(name: string): name is HcxFunctionName {
  return Object.hasOwn(HCX_FUNCTIONS, name)
}

export function signatureText(signature: HostSignature): string {
  const results = signature.results.length === 0 ? '()' : signature.results.join(', ')
  return `(${signature.params.join(', ')}) -> ${results}`
}

/** The granted host functions, every one by default; an unknown name is a job error. */
export function resolveGrants(grants: readonly string[] | undefined): readonly HcxFunctionName[] {
  if (grants === undefined) return HCX_FUNCTION_NAMES
  if (!Array.isArray(grants)) throw badLimit('grants', grants, 'it must be a list of hcx function names')
  for (const grant of grants) {
    if (typeof grant !== 'string' || !isHcxFunction(grant)) {
      throw badLimit('grants', grant, `grants may name only ${HCX_FUNCTION_NAMES.join(', ')}`)
    }
  }
  return [...new Set(grants as HcxFunctionName[])]
}

/** The entry export's name, `run` by default. */
export function resolveEntry(entry: string | undefined): string {
  if (entry === undefined) return DEFAULT_ENTRY
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > 256) {
    throw badLimit('entry', entry, 'the entry must be the name of an exported function, 1 to 256 characters')
  }
  return entry
}
