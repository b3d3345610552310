import { describe, expect, it } from 'vitest'
import { ALLOWED_FEATURES } from '../../../../../gpu-runner/workloads/wasm/check-features.ts'
import { instrumentFuel } from '../../../../../gpu-runner/workloads/wasm/instrument-fuel.ts'
import {
  countingModule,
  deeplyNestedModule,
  globalResetModule,
  infiniteLoopModule,
  instantiate,
  memoryFillModule,
  rewritten,
  wat,
} from '../../../../helpers/wasm-modules.ts'

const HOST = { hcx: { input_size: () => 0, read_input: () => 0, write_output: () => undefined } }

interface Metered {
  readonly exports: WebAssembly.Exports
  /** Runs the entry; returns the fuel used, or 'out of fuel' when the meter stopped it. */
  readonly run: () => number | 'out of fuel'
}

// The tests export the counter themselves to read it; the instrumenter does not.
function metered(bytes: Uint8Array, fuel: number): Metered {
  const instance = instantiate(
    rewritten(bytes, ALLOWED_FEATURES, (module) => {
      module.addGlobalExport(instrumentFuel(module, fuel), 'test_fuel')
    }),
    HOST,
  )
  const counter = instance.exports.test_fuel as WebAssembly.Global<'i64'>
  return {
    exports: instance.exports,
    run: () => {
      try {
        ;(instance.exports.run as () => void)()
      } catch (err) {
        if (err instanceof WebAssembly.RuntimeError && counter.value < 0n) return 'out of fuel'
        throw err
      }
      return Number(BigInt(fuel) - counter.value)
    },
  }
}

describe('the fuel meter', () => {
  it('charges the same for the same work, and linearly more for more iterations', () => {
    const used = (n: number) => metered(countingModule(n), 1_000_000).run() as number
    expect(used(10)).toBe(used(10))
    const perIteration = used(11) - used(10)
    expect(perIteration).toBeGreaterThan(0)
    expect(used(1000) - used(10)).toBe(990 * perIteration)
  })

  it('lets a run use exactly its fuel, and stops it one unit short', () => {
    const needed = metered(countingModule(50), 1_000_000).run() as number
    expect(metered(countingModule(50), needed).run()).toBe(needed)
    expect(metered(countingModule(50), needed - 1).run()).toBe('out of fuel')
  })

  it('stops an infinite loop', () => {
    expect(metered(infiniteLoopModule(), 10_000).run()).toBe('out of fuel')
  })

  it('charges function entries, so unbounded recursion runs out of fuel before the stack does', () => {
    expect(metered(wat('(module (func $down (export "run") (call $down)))'), 1000).run()).toBe('out of fuel')
  })

  it('keeps the counter out of reach: not exported, and a module resetting all its globals still stops', () => {
    const bytes = rewritten(globalResetModule(), ALLOWED_FEATURES, (module) => {
      instrumentFuel(module, 1000)
    })
    expect(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name)).toEqual(['run'])
    expect(metered(globalResetModule(), 100_000).run()).toBe('out of fuel')
  })

  it('charges bulk memory one unit per 8 bytes, before it runs', () => {
    const used = (bytes: number) => metered(memoryFillModule(bytes), 1_000_000).run() as number
    expect(used(8000) - used(0)).toBe(1000)
    expect(used(9) - used(0)).toBe(2)
    const starved = metered(memoryFillModule(64_000), 100)
    expect(starved.run()).toBe('out of fuel')
    expect(new Uint8Array((starved.exports.memory as WebAssembly.Memory).buffer)[0]).toBe(0)
  })

  it('walks deeply nested code without recursing', () => {
    // Deeper than this, binaryen's own (recursive) writer runs out of stack on this thread.
    const depth = 3000
    expect(metered(deeplyNestedModule(depth), 1_000_000).run()).toBeGreaterThan(depth)
  })
})
