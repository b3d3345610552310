import { describe, expect, it } from 'vitest'
import { classifyStop } from '../../../../../gpu-runner/workloads/wasm/classify-stop.ts'
import { HostStop } from '../../../../../gpu-runner/workloads/wasm/host-functions.ts'

const NO_SHIFT = { guestImports: 0, addedImports: 0 }

function trapFrom(stack: string): WebAssembly.RuntimeError {
  const err = new WebAssembly.RuntimeError('unreachable')
  err.stack = stack
  return err
}

describe('classifying how a guest stopped', () => {
  it('reads an unreachable trap with the counter below zero as out of fuel', () => {
    expect(classifyStop(new WebAssembly.RuntimeError('unreachable'), -3n, NO_SHIFT)).toEqual({
      reason: 'out-of-fuel',
    })
  })

  it('reads other traps as the guest trapping, naming the function from the stack', () => {
    const stack = 'RuntimeError: unreachable\n    at decode (wasm://wasm/1a2b:wasm-function[4]:0x20)\n'
    expect(classifyStop(trapFrom(stack), 10n, NO_SHIFT)).toEqual({
      reason: 'trap',
      trap: 'unreachable',
      inFunction: 'decode',
    })
  })

  it('numbers unnamed functions as the guest did', () => {
    const stack = 'RuntimeError: unreachable\n    at wasm://wasm/1a2b:wasm-function[4]:0x20\n'
    expect(classifyStop(trapFrom(stack), 10n, { guestImports: 1, addedImports: 1 })).toMatchObject({
      inFunction: 'wasm-function[3]',
    })
  })

  it('reads stack exhaustion as a trap', () => {
    expect(classifyStop(new RangeError('Maximum call stack size exceeded'), 10n, NO_SHIFT)).toMatchObject({
      reason: 'trap',
      trap: 'call stack exhausted (recursion too deep)',
    })
  })

  it('passes on what a host function stopped for', () => {
    expect(classifyStop(new HostStop({ reason: 'output-limit', attempted: 9 }), 10n, NO_SHIFT)).toEqual({
      reason: 'output-limit',
      attempted: 9,
    })
  })

  it('leaves anything else to the sandbox as its own failure', () => {
    expect(classifyStop(new TypeError('bug'), 10n, NO_SHIFT)).toBeUndefined()
  })
})
