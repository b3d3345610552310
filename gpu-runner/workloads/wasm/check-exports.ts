// Finds the entry function and the memory the host functions read and write, and refuses a
// module whose entry is missing or has a signature the host cannot call.

import binaryen from 'binaryen'
import { HCX_IMPORT_MODULE, MEMORY_FUNCTIONS } from './abi.ts'
import { WasmError } from './errors.ts'

export interface GuestExports {
  /** True when the entry returns an i32 failure code, false when it returns nothing. */
  readonly entryReturnsCode: boolean
  /** The name the module exports its memory under, or null when it exports none. */
  readonly memory: string | null
}

export function checkExports(
  compiled: WebAssembly.Module,
  module: binaryen.Module,
  entry: string,
): GuestExports {
  const exports = WebAssembly.Module.exports(compiled)
  const found = exports.find((e) => e.name === entry)
  if (found === undefined) {
    const names = exports.filter((e) => e.kind === 'function').map((e) => e.name)
    throw missing(
      entry,
      'absent',
      `the module exports no function named "${entry}"; export the entry ` +
        `(C: __attribute__((export_name("${entry}"))), Rust: #[no_mangle] pub extern "C" fn ${entry}()) ` +
        `or name another entry for the job${names.length === 0 ? '' : ` (it exports ${names.slice(0, 10).join(', ')})`}`,
    )
  }
  if (found.kind !== 'function') {
    throw missing(
      entry,
      'not-a-function',
      `the module's export "${entry}" is a ${found.kind}, not a function`,
    )
  }
  const target = binaryen.getExportInfo(module.getExport(entry)).value
  const info = binaryen.getFunctionInfo(module.getFunction(target))
  const returnsCode = info.results === binaryen.i32
  if (info.params !== binaryen.none || !(returnsCode || info.results === binaryen.none)) {
    throw missing(
      entry,
      'wrong-signature',
      `the entry "${entry}" must take no parameters and return nothing or an i32 failure code (0 = success)`,
    )
  }
  const memory = exports.find((e) => e.kind === 'memory')?.name ?? null
  if (memory === null) {
    const needs = WebAssembly.Module.imports(compiled).find(
      (i) => i.module === HCX_IMPORT_MODULE && (MEMORY_FUNCTIONS as readonly string[]).includes(i.name),
    )
    if (needs !== undefined) {
      throw missing(
        'memory',
        'absent',
        `the module imports ${HCX_IMPORT_MODULE}.${needs.name} but exports no memory for it to use; ` +
          'export the memory (clang and rustc export it as "memory" by default)',
      )
    }
  }
  return { entryReturnsCode: returnsCode, memory }
}

function missing(
  name: string,
  reason: 'absent' | 'not-a-function' | 'wrong-signature',
  message: string,
): WasmError {
  return new WasmError({ code: 'WASM_MISSING_EXPORT', export: name, reason }, message)
}
