// Holds the module's linear memory and tables to the job's limit. An initial size above the
// limit is refused before instantiation; every memory.grow becomes a call to a helper that
// returns -1 (as the spec allows any grow to fail) when the new size would pass the limit, and
// that tells the host the new size, so peak memory is known even if the worker is killed later.
// Rewriting the grows leaves the module's own memory declaration (and its data segments) as is.

import binaryen from 'binaryen'
import { tableApi } from './binaryen-runtime.ts'
import { WasmError } from './errors.ts'
import { childAt } from './expression-children.ts'
import { freshFunctionName } from './fresh-names.ts'
import { MAX_TABLE_ELEMENTS, WASM_PAGE_BYTES } from './limits.ts'
import { definedFunctions, replaceAt, walkFunction } from './walk-expressions.ts'

/** The host function the grow helper calls with the memory's new size in pages. */
export const MEMORY_REPORT_IMPORT = { module: 'hcx_host', base: 'memory_grown' } as const

/** Returns the memory's initial size in pages (0 without a memory). */
export function limitMemory(module: binaryen.Module, limitPages: number): number {
  limitTables(module)
  if (!module.hasMemory()) return 0
  const initial = module.getMemoryInfo().initial
  if (initial > limitPages) {
    throw new WasmError(
      {
        code: 'WASM_MEMORY_LIMIT',
        what: 'memory',
        requested: initial * WASM_PAGE_BYTES,
        limit: limitPages * WASM_PAGE_BYTES,
      },
      `the module's memory starts at ${initial} pages (${mib(initial)}), above the job's memory limit of ` +
        `${limitPages} pages (${mib(limitPages)}); raise the memory limit (--memory-mb) or build with a smaller ` +
        'initial memory (wasm-ld --initial-memory)',
    )
  }
  const grows: { func: binaryen.FunctionRef; expr: binaryen.ExpressionRef; parent: number; index: number }[] =
    []
  for (const func of definedFunctions(module)) {
    walkFunction(func, (expr, parent, index) => {
      if (binaryen.getExpressionId(expr) === binaryen.MemoryGrowId) grows.push({ func, expr, parent, index })
    })
  }
  if (grows.length === 0) return initial
  const helper = addGrowHelper(module, limitPages)
  for (const { func, expr, parent, index } of grows) {
    const delta = childAt(expr, 0) // memory.grow's only child is its delta
    replaceAt(func, parent, index, module.call(helper, [delta], binaryen.i32))
  }
  return initial
}

function limitTables(module: binaryen.Module): void {
  for (let i = 0; i < module.getNumTables(); i++) {
    const table = module.getTableByIndex(i)
    const info = binaryen.getTableInfo(table)
    if (info.initial > MAX_TABLE_ELEMENTS) {
      throw new WasmError(
        { code: 'WASM_MEMORY_LIMIT', what: 'table', requested: info.initial, limit: MAX_TABLE_ELEMENTS },
        `the module's table ${info.name} starts with ${info.initial} slots, above the ${MAX_TABLE_ELEMENTS} ` +
          'hcx allows; build with a smaller table',
      )
    }
    tableApi.setMax(table, Math.min(info.max ?? MAX_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS))
  }
}

// (func $grow (param $delta i32) (result i32) (local $old i32)
//   (if (i64.gt_u (i64.add (memory.size) (delta)) (limit)) (return (i32.const -1)))
//   (local.set $old (memory.grow (local.get $delta)))
//   (if (i32.ne (local.get $old) (i32.const -1)) (call $report (memory.size)))
//   (local.get $old))
function addGrowHelper(module: binaryen.Module, limitPages: number): string {
  const report = freshFunctionName(module, 'hcx_memory_grown')
  module.addFunctionImport(
    report,
    MEMORY_REPORT_IMPORT.module,
    MEMORY_REPORT_IMPORT.base,
    binaryen.i32,
    binaryen.none,
  )
  const name = freshFunctionName(module, 'hcx_memory_grow')
  const delta = () => module.local.get(0, binaryen.i32)
  const old = () => module.local.get(1, binaryen.i32)
  // Sizes are compared in i64 so that size + delta cannot wrap around.
  const tooBig = module.i64.gt_u(
    module.i64.add(module.i64.extend_u(module.memory.size()), module.i64.extend_u(delta())),
    module.i64.const(BigInt(limitPages)),
  )
  const body = module.block(
    null,
    [
      module.if(tooBig, module.return(module.i32.const(-1))),
      module.local.set(1, module.memory.grow(delta())),
      module.if(
        module.i32.ne(old(), module.i32.const(-1)),
        module.call(report, [module.memory.size()], binaryen.none),
      ),
      old(),
    ],
    binaryen.i32,
  )
  module.addFunction(name, binaryen.i32, binaryen.i32, [binaryen.i32], body)
  return name
}

function mib(pages: number): string {
  return `${(pages * WASM_PAGE_BYTES) / (1024 * 1024)} MiB`
}
