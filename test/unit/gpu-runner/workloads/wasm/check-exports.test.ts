import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { checkExports, type GuestExports } from '../../../../../gpu-runner/workloads/wasm/check-exports.ts'
import type { WasmError } from '../../../../../gpu-runner/workloads/wasm/errors.ts'
import {
  byteShiftModule,
  entryWithParamModule,
  exitCodeModule,
  noRunModule,
  wat,
} from '../../../../helpers/wasm-modules.ts'

function check(bytes: Uint8Array<ArrayBuffer>, entry = 'run'): GuestExports {
  const module = binaryen.readBinary(bytes)
  try {
    return checkExports(new WebAssembly.Module(bytes), module, entry)
  } finally {
    module.dispose()
  }
}

function refusal(bytes: Uint8Array<ArrayBuffer>, entry = 'run'): WasmError {
  try {
    check(bytes, entry)
  } catch (err) {
    return err as WasmError
  }
  throw new Error('the module was accepted')
}

describe('the export check', () => {
  it('finds the entry and the exported memory', () => {
    expect(check(byteShiftModule())).toEqual({ entryReturnsCode: false, memory: 'memory' })
    expect(check(exitCodeModule(0))).toEqual({ entryReturnsCode: true, memory: null })
  })

  it('takes another entry when the job names one', () => {
    expect(check(noRunModule(), 'main').entryReturnsCode).toBe(false)
  })

  it('refuses a module exporting nothing called run, listing what it does export', () => {
    const err = refusal(noRunModule())
    expect(err.type).toEqual({ code: 'WASM_MISSING_EXPORT', export: 'run', reason: 'absent' })
    expect(err.message).toMatch(/exports no function named "run".*it exports main/)
  })

  it('refuses an entry that takes parameters or is not a function', () => {
    expect(refusal(entryWithParamModule()).type).toMatchObject({ reason: 'wrong-signature' })
    expect(refusal(wat('(module (global (export "run") i32 (i32.const 0)))')).type).toMatchObject({
      reason: 'not-a-function',
    })
  })

  it('refuses a module that imports read_input but hides its memory', () => {
    const bytes = wat(`(module
      (import "hcx" "read_input" (func $read (param i32 i32 i32) (result i32)))
      (memory 1)
      (func (export "run") (drop (call $read (i32.const 0) (i32.const 0) (i32.const 4)))))`)
    expect(refusal(bytes).type).toEqual({ code: 'WASM_MISSING_EXPORT', export: 'memory', reason: 'absent' })
  })
})
