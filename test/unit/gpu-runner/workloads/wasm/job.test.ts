import { describe, expect, it } from 'vitest'
import { HCX_FUNCTION_NAMES } from '../../../../../gpu-runner/workloads/wasm/abi.ts'
import { resolveWasmJob } from '../../../../../gpu-runner/workloads/wasm/job.ts'
import { MAX_INPUT_BYTES, MAX_MODULE_BYTES } from '../../../../../gpu-runner/workloads/wasm/limits.ts'

const MODULE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])

function refusal(job: Parameters<typeof resolveWasmJob>[0]): { code: string; field: string } | undefined {
  try {
    resolveWasmJob(job)
  } catch (err) {
    return (err as { type: { code: string; field: string } }).type
  }
  return undefined
}

describe('a wasm job', () => {
  it('defaults to the entry run, every hcx function granted, and empty input', () => {
    const job = resolveWasmJob({ module: MODULE })
    expect(job.entry).toBe('run')
    expect(job.grants).toEqual(HCX_FUNCTION_NAMES)
    expect(job.input).toHaveLength(0)
  })

  it('keeps its own copy of the module and input', () => {
    const module = MODULE.slice()
    const input = new Uint8Array([1, 2, 3])
    const job = resolveWasmJob({ module, input })
    module[0] = 9
    input[0] = 9
    expect(job.module[0]).toBe(0)
    expect(job.input[0]).toBe(1)
  })

  it('refuses a grant that names no hcx function', () => {
    expect(refusal({ module: MODULE, grants: ['read_input', 'fd_write'] })).toMatchObject({
      code: 'WASM_BAD_LIMITS',
      field: 'grants',
    })
  })

  it('refuses an empty entry name', () => {
    expect(refusal({ module: MODULE, entry: '' })).toMatchObject({ code: 'WASM_BAD_LIMITS', field: 'entry' })
  })

  it('refuses a module or input above its cap, and a module that is not bytes', () => {
    expect(refusal({ module: new Uint8Array(MAX_MODULE_BYTES + 1) })).toMatchObject({ field: 'module' })
    expect(refusal({ module: MODULE, input: new Uint8Array(MAX_INPUT_BYTES + 1) })).toMatchObject({
      field: 'input',
    })
    expect(refusal({ module: [0, 97, 115, 109] as unknown as Uint8Array })).toMatchObject({ field: 'module' })
  })
})
