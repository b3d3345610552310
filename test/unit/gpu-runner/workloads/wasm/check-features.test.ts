import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { checkFeatures } from '../../../../../gpu-runner/workloads/wasm/check-features.ts'
import type { WasmError } from '../../../../../gpu-runner/workloads/wasm/errors.ts'
import {
  atomicsModule,
  byteShiftModule,
  relaxedSimdModule,
  sharedMemoryModule,
  wat,
} from '../../../../helpers/wasm-modules.ts'

// binaryen's validator prints what it finds; these tests look only at the error it leads to.
function check(bytes: Uint8Array): void {
  const module = binaryen.readBinary(bytes)
  try {
    checkFeatures(module, () => '')
  } finally {
    module.dispose()
  }
}

function refusal(bytes: Uint8Array): WasmError {
  try {
    check(bytes)
  } catch (err) {
    return err as WasmError
  }
  throw new Error('the module was accepted')
}

describe('the feature check', () => {
  it('accepts plain modules and 128-bit SIMD, bulk memory and multi-value', () => {
    expect(() => check(byteShiftModule())).not.toThrow()
    expect(() =>
      check(
        wat(`(module (memory 1)
          (func $pair (result i32 i32) (i32.const 1) (i32.const 2))
          (func (export "run")
            (memory.copy (i32.const 0) (i32.const 8) (i32.const 8))
            (v128.store (i32.const 0) (i32x4.add (v128.load (i32.const 0)) (v128.load (i32.const 16))))
            (drop (i32.add (call $pair)))))`),
      ),
    ).not.toThrow()
  })

  it('refuses shared memory as threads', () => {
    expect(refusal(sharedMemoryModule()).type).toMatchObject({
      code: 'WASM_FORBIDDEN_FEATURE',
      feature: 'threads (shared memory or atomics)',
    })
  })

  it('refuses atomics on ordinary memory too', () => {
    const err = refusal(atomicsModule())
    expect(err.type).toMatchObject({
      code: 'WASM_FORBIDDEN_FEATURE',
      feature: 'threads (shared memory or atomics)',
    })
    expect(err.message).toMatch(/without \+atomics/)
  })

  it('refuses relaxed SIMD, whose results differ by CPU', () => {
    expect(refusal(relaxedSimdModule()).type).toMatchObject({ feature: 'relaxed SIMD' })
  })

  it('refuses a second memory and 64-bit memory', () => {
    expect(refusal(wat('(module (memory 1) (memory 1) (func (export "run")))')).type).toMatchObject({
      feature: 'multiple memories',
    })
    expect(refusal(wat('(module (memory i64 1) (func (export "run")))')).type).toMatchObject({
      feature: '64-bit memory (memory64)',
    })
  })

  it('refuses instructions the fuel meter does not cover, naming the function', () => {
    const err = refusal(
      wat(`(module (table 4 funcref)
        (func $fill (export "run") (table.fill 0 (i32.const 0) (ref.null func) (i32.const 4))))`),
    )
    expect(err.type).toMatchObject({
      code: 'WASM_FORBIDDEN_FEATURE',
      feature: 'bulk table instructions (TableFill)',
      where: 'function fill',
    })
  })
})
