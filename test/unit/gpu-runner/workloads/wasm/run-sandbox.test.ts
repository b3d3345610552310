import { describe, expect, it } from 'vitest'
import { DEFAULT_WASM_LIMITS } from '../../../../../gpu-runner/workloads/wasm/limits.ts'
import { runSandbox } from '../../../../../gpu-runner/workloads/wasm/run-sandbox.ts'
import { exitCodeModule } from '../../../../helpers/wasm-modules.ts'

describe('the sandbox worker', () => {
  it('turns a failure of its own into WASM_SANDBOX_FAILED, blaming the provider, and the caller carries on', async () => {
    // A fuel limit that job validation would have refused makes the instrumenter itself throw.
    const broken = runSandbox({
      module: exitCodeModule(0),
      input: new Uint8Array(0),
      entry: 'run',
      grants: [],
      limits: { ...DEFAULT_WASM_LIMITS, fuel: Number.NaN },
    })
    await expect(broken).rejects.toMatchObject({
      type: { code: 'WASM_SANDBOX_FAILED' },
      message: expect.stringMatching(/fault of the provider's runtime, not of the module/),
    })
  })

  it('rejects at once with the reason of a signal that has already aborted', async () => {
    const reason = new Error('cancelled before start')
    await expect(
      runSandbox(
        {
          module: exitCodeModule(0),
          input: new Uint8Array(0),
          entry: 'run',
          grants: [],
          limits: DEFAULT_WASM_LIMITS,
        },
        AbortSignal.abort(reason),
      ),
    ).rejects.toBe(reason)
  })
})
