import { describe, expect, it } from 'vitest'
import { HCX_FUNCTION_NAMES, type HcxFunctionName } from '../../../../../gpu-runner/workloads/wasm/abi.ts'
import { HostFunctions, HostStop } from '../../../../../gpu-runner/workloads/wasm/host-functions.ts'

type Fn = (...args: number[]) => number | undefined

function host(options: {
  input?: number[]
  outputLimit?: number
  fuel?: bigint
  grants?: readonly HcxFunctionName[]
}) {
  const memory = new WebAssembly.Memory({ initial: 1 })
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, options.fuel ?? 1000n)
  const functions = new HostFunctions({
    input: new Uint8Array(options.input ?? []),
    grants: options.grants ?? HCX_FUNCTION_NAMES,
    outputLimit: options.outputLimit ?? 1024,
    onMemoryGrown: () => undefined,
  })
  functions.link(memory, fuel)
  const hcx = functions.imports().hcx as Record<string, Fn>
  return { functions, hcx, memory: new Uint8Array(memory.buffer), fuel }
}

function stopOf(call: () => unknown): unknown {
  try {
    call()
  } catch (err) {
    if (err instanceof HostStop) return err.stop
    throw err
  }
  return undefined
}

describe('the hcx host functions', () => {
  it('serve the input from an offset and say how much they copied', () => {
    const { hcx, memory } = host({ input: [10, 20, 30, 40] })
    expect(hcx.input_size?.()).toBe(4)
    expect(hcx.read_input?.(100, 1, 10)).toBe(3)
    expect([...memory.subarray(100, 104)]).toEqual([20, 30, 40, 0])
    expect(hcx.read_input?.(100, 4, 10)).toBe(0)
    expect(hcx.read_input?.(100, -1, 10)).toBe(0)
  })

  it('append output in order', () => {
    const { hcx, memory, functions } = host({})
    memory.set([1, 2, 3], 0)
    hcx.write_output?.(0, 2)
    hcx.write_output?.(1, 2)
    expect([...functions.output()]).toEqual([1, 2, 2, 3])
  })

  it('trap on a range outside memory, naming the function, treating pointers as unsigned', () => {
    const { hcx } = host({ input: [1, 2, 3] })
    expect(stopOf(() => hcx.read_input?.(65535, 0, 3))).toMatchObject({
      reason: 'trap',
      inFunction: 'hcx.read_input',
    })
    expect(stopOf(() => hcx.write_output?.(-1, 1))).toMatchObject({
      reason: 'trap',
      inFunction: 'hcx.write_output',
    })
  })

  it('stop the guest at the output limit', () => {
    const { hcx } = host({ outputLimit: 10 })
    hcx.write_output?.(0, 6)
    expect(stopOf(() => hcx.write_output?.(0, 6))).toEqual({ reason: 'output-limit', attempted: 12 })
  })

  it('charge one fuel unit per 8 bytes copied, and stop the guest when it runs out', () => {
    const { hcx, fuel } = host({ input: new Array(17).fill(1), fuel: 5n })
    hcx.read_input?.(0, 0, 17)
    expect(fuel.value).toBe(2n)
    expect(stopOf(() => hcx.write_output?.(0, 24))).toEqual({ reason: 'out-of-fuel' })
  })

  it('offer only the granted functions', () => {
    expect(Object.keys(host({ grants: ['input_size'] }).hcx)).toEqual(['input_size'])
  })
})
