import { describe, expect, it } from 'vitest'
import { HCX_FUNCTION_NAMES } from '../../../../../gpu-runner/workloads/wasm/abi.ts'
import { DEFAULT_WASM_LIMITS } from '../../../../../gpu-runner/workloads/wasm/limits.ts'
import {
  guestFunctionIndex,
  type PreparedModule,
  prepareModule,
} from '../../../../../gpu-runner/workloads/wasm/prepare-module.ts'
import { instantiate, memoryBombModule, startFunctionModule, wat } from '../../../../helpers/wasm-modules.ts'

function prepare(bytes: Uint8Array<ArrayBuffer>): PreparedModule {
  return prepareModule(bytes, {
    entry: 'run',
    grants: HCX_FUNCTION_NAMES,
    limits: DEFAULT_WASM_LIMITS,
    diagnostics: () => '',
  })
}

describe('preparing a module', () => {
  it('refuses bytes that are not WebAssembly with the engine own reason', () => {
    expect(() => prepare(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(
      expect.objectContaining({
        type: { code: 'WASM_INVALID_MODULE', reason: expect.stringMatching(/magic word/) },
      }),
    )
  })

  it('defers the start function so the host can call it once instantiated', () => {
    const prepared = prepare(startFunctionModule())
    const written: number[] = []
    const instance = instantiate(prepared.bytes, {
      hcx: {
        input_size: () => 0,
        read_input: () => 0,
        write_output: (_ptr: number, len: number) => written.push(len),
      },
    })
    expect(written).toEqual([])
    ;(instance.exports[prepared.startExport ?? ''] as () => void)()
    expect(written).toEqual([10])
  })

  it('picks export names for the fuel counter that the guest did not take', () => {
    const prepared = prepare(
      wat('(module (global (export "hcx_fuel") i32 (i32.const 7)) (func (export "run")))'),
    )
    expect(prepared.fuelExport).toBe('hcx_fuel_1')
    const exports = instantiate(prepared.bytes).exports
    expect((exports.hcx_fuel as WebAssembly.Global).value).toBe(7)
    expect((exports.hcx_fuel_1 as WebAssembly.Global).value).toBe(BigInt(DEFAULT_WASM_LIMITS.fuel))
  })

  it('maps function indexes back past the import it adds for memory.grow', () => {
    const prepared = prepare(memoryBombModule())
    expect(prepared.functionIndex).toEqual({ guestImports: 0, addedImports: 1 })
    expect(guestFunctionIndex(1, prepared.functionIndex)).toBe(0)
    expect(guestFunctionIndex(0, { guestImports: 2, addedImports: 1 })).toBe(0)
    expect(guestFunctionIndex(3, { guestImports: 2, addedImports: 1 })).toBe(2)
  })
})
