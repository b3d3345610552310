import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { HCX_FUNCTION_NAMES, type HcxFunctionName } from '../../../../../gpu-runner/workloads/wasm/abi.ts'
import { checkImports } from '../../../../../gpu-runner/workloads/wasm/check-imports.ts'
import type { WasmError } from '../../../../../gpu-runner/workloads/wasm/errors.ts'
import { byteShiftModule, importedMemoryModule, importingModule } from '../../../../helpers/wasm-modules.ts'

function check(
  bytes: Uint8Array<ArrayBuffer>,
  grants: readonly HcxFunctionName[] = HCX_FUNCTION_NAMES,
): void {
  const module = binaryen.readBinary(bytes)
  try {
    checkImports(new WebAssembly.Module(bytes), module, grants)
  } finally {
    module.dispose()
  }
}

function refusal(bytes: Uint8Array<ArrayBuffer>, grants?: readonly HcxFunctionName[]): WasmError {
  try {
    check(bytes, grants)
  } catch (err) {
    return err as WasmError
  }
  throw new Error('the module was accepted')
}

describe('the import check', () => {
  it('accepts the granted hcx functions with their ABI signatures', () => {
    expect(() => check(byteShiftModule())).not.toThrow()
  })

  it.each([
    ['wasi_snapshot_preview1', 'fd_write', '(func (param i32 i32 i32 i32) (result i32))'],
    ['env', 'abort', '(func (param i32 i32 i32 i32))'],
    ['hcx', 'clock_now', '(func (result i64))'],
  ])('refuses the function %s.%s, naming it and what is allowed', (from, name, type) => {
    const err = refusal(importingModule(`(import "${from}" "${name}" ${type})`))
    expect(err.type).toMatchObject({ code: 'WASM_FORBIDDEN_IMPORT', module: from, name, kind: 'function' })
    expect(err.message).toContain(`${from}.${name}`)
    expect(err.message).toContain('hcx.read_input')
  })

  it('refuses an hcx function the job does not grant', () => {
    const err = refusal(byteShiftModule(), ['input_size', 'write_output'])
    expect(err.type).toMatchObject({
      code: 'WASM_FORBIDDEN_IMPORT',
      name: 'read_input',
      allowed: ['hcx.input_size', 'hcx.write_output'],
    })
    expect(err.message).toMatch(/hcx\.read_input, which this job does not grant/)
  })

  it('says so when the job grants nothing at all', () => {
    expect(refusal(byteShiftModule(), []).message).toMatch(/nothing: the job grants no host functions/)
  })

  it('refuses an hcx function imported with the wrong signature', () => {
    const err = refusal(importingModule('(import "hcx" "read_input" (func (param i32) (result i32)))'))
    expect(err.type).toMatchObject({ code: 'WASM_FORBIDDEN_IMPORT', name: 'read_input' })
    expect(err.message).toContain('(i32) -> i32; it must be (i32, i32, i32) -> i32')
  })

  it.each([
    ['memory', '(import "env" "memory" (memory 1))'],
    ['table', '(import "env" "table" (table 1 funcref))'],
    ['global', '(import "env" "seed" (global i32))'],
  ])('refuses an imported %s, even from hcx', (kind, text) => {
    const err = refusal(kind === 'memory' ? importedMemoryModule() : importingModule(text))
    expect(err.type).toMatchObject({ code: 'WASM_FORBIDDEN_IMPORT', kind })
    expect(err.message).toContain(`the module imports the ${kind}`)
  })
})
