import { describe, expect, it } from 'vitest'
import { HcxError } from '../../../../../errors/hcx-error.ts'
import { GPU_ERROR_CODES } from '../../../../../gpu-runner/errors.ts'
import { WASM_ERROR_CODES, WasmError } from '../../../../../gpu-runner/workloads/wasm/errors.ts'
import { QPU_ERROR_CODES } from '../../../../../quantum-adapters/errors.ts'

describe('wasm error codes', () => {
  it('are unique, UPPER_SNAKE_CASE and apart from the other compute domains', () => {
    const all = [...WASM_ERROR_CODES, ...GPU_ERROR_CODES, ...QPU_ERROR_CODES]
    expect(new Set(all).size).toBe(all.length)
    for (const code of WASM_ERROR_CODES) expect(code).toMatch(/^WASM(_[A-Z0-9]+)+$/)
  })

  it('are HcxErrors whose code is the type code', () => {
    const err = new WasmError(
      { code: 'WASM_TIMEOUT', timeMs: 5, phase: 'run', peakMemoryBytes: 0 },
      'too slow',
    )
    expect(err).toBeInstanceOf(HcxError)
    expect(err.code).toBe('WASM_TIMEOUT')
  })
})
