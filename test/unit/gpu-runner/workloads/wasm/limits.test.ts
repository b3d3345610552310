import { describe, expect, it } from 'vitest'
import {
  DEFAULT_WASM_LIMITS,
  resolveWasmLimits,
  WASM_LIMIT_CAPS,
  WASM_PAGE_BYTES,
} from '../../../../../gpu-runner/workloads/wasm/limits.ts'

function badLimitField(limits: Record<string, unknown>): string | undefined {
  try {
    resolveWasmLimits(limits)
  } catch (err) {
    const type = (err as { type?: { code: string; field: string } }).type
    if (type?.code === 'WASM_BAD_LIMITS') return type.field
    throw err
  }
  return undefined
}

describe('wasm limits', () => {
  it('fill in the defaults for what the job leaves out or leaves undefined', () => {
    expect(resolveWasmLimits()).toEqual(DEFAULT_WASM_LIMITS)
    expect(resolveWasmLimits({ fuel: 5, timeMs: undefined })).toEqual({ ...DEFAULT_WASM_LIMITS, fuel: 5 })
  })

  it('accept every cap itself', () => {
    expect(resolveWasmLimits(WASM_LIMIT_CAPS)).toEqual(WASM_LIMIT_CAPS)
  })

  it('refuse values past a cap, below the minimum, fractional or not numbers', () => {
    expect(badLimitField({ fuel: WASM_LIMIT_CAPS.fuel + 2 })).toBe('fuel')
    expect(badLimitField({ fuel: 0 })).toBe('fuel')
    expect(badLimitField({ timeMs: 1.5 })).toBe('timeMs')
    expect(badLimitField({ timeMs: WASM_LIMIT_CAPS.timeMs + 1 })).toBe('timeMs')
    expect(badLimitField({ outputBytes: -1 })).toBe('outputBytes')
    expect(badLimitField({ memoryBytes: WASM_LIMIT_CAPS.memoryBytes + WASM_PAGE_BYTES })).toBe('memoryBytes')
    expect(badLimitField({ fuel: '100' })).toBe('fuel')
    expect(badLimitField({ fuel: Number.NaN })).toBe('fuel')
  })

  it('refuse a memory limit that is not a whole number of pages, saying so', () => {
    expect(() => resolveWasmLimits({ memoryBytes: 100_000 })).toThrow(/whole number of 65536-byte wasm pages/)
  })
})
