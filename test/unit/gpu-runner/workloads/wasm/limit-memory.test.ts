import { describe, expect, it } from 'vitest'
import { ALLOWED_FEATURES } from '../../../../../gpu-runner/workloads/wasm/check-features.ts'
import { limitMemory, MEMORY_REPORT_IMPORT } from '../../../../../gpu-runner/workloads/wasm/limit-memory.ts'
import { MAX_TABLE_ELEMENTS } from '../../../../../gpu-runner/workloads/wasm/limits.ts'
import { initialMemoryModule, instantiate, rewritten, wat } from '../../../../helpers/wasm-modules.ts'

const GROWER = wat(`(module (memory (export "memory") 1)
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages))))`)

function limited(bytes: Uint8Array, limitPages: number): { bytes: Uint8Array<ArrayBuffer>; initial: number } {
  let initial = -1
  const out = rewritten(bytes, ALLOWED_FEATURES, (module) => {
    initial = limitMemory(module, limitPages)
  })
  return { bytes: out, initial }
}

describe('the memory limit', () => {
  it('refuses an initial memory above the limit before anything runs', () => {
    expect(() => limited(initialMemoryModule(65536), 256)).toThrow(
      expect.objectContaining({
        type: { code: 'WASM_MEMORY_LIMIT', what: 'memory', requested: 65536 * 65536, limit: 256 * 65536 },
      }),
    )
  })

  it('makes memory.grow past the limit return -1 and reports each size reached', () => {
    const reported: number[] = []
    const { bytes, initial } = limited(GROWER, 3)
    expect(initial).toBe(1)
    const { grow } = instantiate(bytes, {
      [MEMORY_REPORT_IMPORT.module]: { [MEMORY_REPORT_IMPORT.base]: (pages: number) => reported.push(pages) },
    }).exports as { grow: (pages: number) => number }
    expect(grow(1)).toBe(1)
    expect(grow(5)).toBe(-1)
    expect(grow(1)).toBe(2)
    expect(grow(1)).toBe(-1)
    expect(grow(0xffff_ffff)).toBe(-1)
    expect(reported).toEqual([2, 3])
  })

  it('leaves a module without memory.grow without the helper or its import', () => {
    const { bytes, initial } = limited(initialMemoryModule(2), 2)
    expect(initial).toBe(2)
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([])
  })

  it('caps tables, refusing one that starts above the cap and failing grows past it', () => {
    expect(() => limited(wat(`(module (table ${MAX_TABLE_ELEMENTS + 1} funcref))`), 1)).toThrow(
      expect.objectContaining({
        type: expect.objectContaining({ code: 'WASM_MEMORY_LIMIT', what: 'table' }),
      }),
    )
    const { bytes } = limited(
      wat(`(module (table 1 funcref)
        (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`),
      1,
    )
    const { grow } = instantiate(bytes).exports as { grow: (slots: number) => number }
    expect(grow(MAX_TABLE_ELEMENTS)).toBe(-1)
    expect(grow(1)).toBe(1)
  })
})
