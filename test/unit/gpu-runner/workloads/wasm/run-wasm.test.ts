import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { WasmErrorType } from '../../../../../gpu-runner/workloads/wasm/errors.ts'
import { runWasmJob, type WasmJob } from '../../../../../gpu-runner/workloads/wasm/run-wasm.ts'
import {
  byteShiftModule,
  countingModule,
  deeplyNestedModule,
  deepRecursionModule,
  exitCodeModule,
  globalResetModule,
  importingModule,
  infiniteLoopModule,
  initialMemoryModule,
  memoryBombModule,
  nanBitsModule,
  noRunModule,
  outOfBoundsModule,
  sharedMemoryModule,
  startFunctionModule,
  writeOutputModule,
} from '../../../../helpers/wasm-modules.ts'

const PAGE = 65_536
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** The error a job fails with, as a user would see it: its type and message. */
async function failure(
  job: WasmJob,
  signal?: AbortSignal,
): Promise<{ type: WasmErrorType; message: string }> {
  try {
    await runWasmJob(job, signal)
  } catch (err) {
    const { type, message } = err as { type: WasmErrorType; message: string }
    return { type, message }
  }
  throw new Error('the job succeeded')
}

describe('running a wasm job', () => {
  it('returns the transformed input with the same output hash on every run', async () => {
    const job = { module: byteShiftModule(1), input: new TextEncoder().encode('HAL 9000') }
    const first = await runWasmJob(job)
    const second = await runWasmJob(job)
    expect(new TextDecoder().decode(first.output)).toBe('IBM!:111')
    expect(first.outputHash).toBe(sha256(first.output))
    expect(first.moduleHash).toBe(sha256(job.module))
    expect(second.outputHash).toBe(first.outputHash)
    expect(second.fuelUsed).toBe(first.fuelUsed)
    expect(first.peakMemoryBytes).toBe(PAGE)
  })

  it('runs the start function before the entry', async () => {
    const result = await runWasmJob({ module: startFunctionModule() })
    expect(new TextDecoder().decode(result.output)).toBe('from start')
  })

  it('charges more fuel for more work, the same for the same work', async () => {
    const short = await runWasmJob({ module: countingModule(10) })
    const long = await runWasmJob({ module: countingModule(1000) })
    expect(long.fuelUsed).toBeGreaterThan(short.fuelUsed + 990 * 5)
    expect((await runWasmJob({ module: countingModule(10) })).fuelUsed).toBe(short.fuelUsed)
  })

  it('makes NaN results the same bits on every machine', async () => {
    const { output } = await runWasmJob({ module: nanBitsModule() })
    expect(Buffer.from(output).toString('hex')).toBe(`${'000000000000f87f'.repeat(3)}0000c07f`)
  })

  it('stops an infinite loop at the fuel limit', async () => {
    const { type, message } = await failure({ module: infiniteLoopModule(), limits: { fuel: 1_000_000 } })
    expect(type).toEqual({ code: 'WASM_OUT_OF_FUEL', fuel: 1_000_000, peakMemoryBytes: 0 })
    expect(message).toMatch(/raise the fuel limit \(--fuel\)/)
  })

  it('stops an infinite loop at the time limit when fuel is no bound', async () => {
    const started = performance.now()
    const { type } = await failure({
      module: infiniteLoopModule(),
      limits: { fuel: Number.MAX_SAFE_INTEGER, timeMs: 300 },
    })
    expect(type).toMatchObject({ code: 'WASM_TIMEOUT', timeMs: 300, phase: 'run' })
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('holds a memory bomb to the memory limit and reports its peak, by fuel or by time', async () => {
    const limits = { memoryBytes: 16 * PAGE }
    expect(
      (await failure({ module: memoryBombModule(), limits: { ...limits, fuel: 5_000_000 } })).type,
    ).toEqual({
      code: 'WASM_OUT_OF_FUEL',
      fuel: 5_000_000,
      peakMemoryBytes: 16 * PAGE,
    })
    const timed = await failure({ module: memoryBombModule(), limits: { ...limits, timeMs: 300 } })
    expect(timed.type).toMatchObject({ code: 'WASM_TIMEOUT', peakMemoryBytes: 16 * PAGE })
    // The caller's thread is untouched and the next job runs normally.
    expect((await runWasmJob({ module: countingModule(3) })).output).toHaveLength(4)
  })

  it('refuses an initial memory above the limit before running anything', async () => {
    const { type, message } = await failure({ module: initialMemoryModule(65536) })
    expect(type).toMatchObject({ code: 'WASM_MEMORY_LIMIT', what: 'memory', requested: 65536 * PAGE })
    expect(message).toMatch(/raise the memory limit \(--memory-mb\)/)
  })

  it('refuses a WASI import by name', async () => {
    const module = importingModule(
      '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
    )
    const { type } = await failure({ module })
    expect(type).toMatchObject({
      code: 'WASM_FORBIDDEN_IMPORT',
      module: 'wasi_snapshot_preview1',
      name: 'fd_write',
    })
  })

  it('refuses shared memory', async () => {
    expect((await failure({ module: sharedMemoryModule() })).type).toMatchObject({
      code: 'WASM_FORBIDDEN_FEATURE',
      feature: 'threads (shared memory or atomics)',
    })
  })

  it('reports an out-of-bounds access as a trap in the function that made it', async () => {
    const { type, message } = await failure({ module: outOfBoundsModule() })
    expect(type).toMatchObject({ code: 'WASM_TRAP', trap: 'memory access out of bounds', inFunction: 'peek' })
    expect(message).toMatch(/trapped in function peek: memory access out of bounds/)
  })

  it('reports runaway recursion as a trap', async () => {
    expect((await failure({ module: deepRecursionModule() })).type).toMatchObject({
      code: 'WASM_TRAP',
      trap: 'call stack exhausted (recursion too deep)',
      inFunction: 'down',
    })
  })

  it('reports a non-zero entry result as a failure code', async () => {
    expect((await failure({ module: exitCodeModule(3) })).type).toMatchObject({
      code: 'WASM_FAILED',
      exitCode: 3,
    })
  })

  it('stops a module writing past the output limit', async () => {
    expect((await failure({ module: writeOutputModule(100, 5), limits: { outputBytes: 300 } })).type).toEqual(
      { code: 'WASM_OUTPUT_LIMIT', limit: 300, attempted: 400 },
    )
  })

  it('refuses a module exporting nothing called run, and garbage bytes', async () => {
    expect((await failure({ module: noRunModule() })).type).toMatchObject({
      code: 'WASM_MISSING_EXPORT',
      export: 'run',
    })
    expect((await failure({ module: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) })).type).toMatchObject({
      code: 'WASM_INVALID_MODULE',
    })
  })

  it('keeps the fuel counter away from a module that rewrites all its own globals', async () => {
    expect((await failure({ module: globalResetModule(), limits: { fuel: 1_000_000 } })).type).toMatchObject({
      code: 'WASM_OUT_OF_FUEL',
    })
  })

  it('refuses code nested deeper than binaryen can recurse as a module error, not a sandbox failure', async () => {
    expect((await failure({ module: deeplyNestedModule(200_000) })).type).toEqual({
      code: 'WASM_INVALID_MODULE',
      reason: 'its code is nested too deeply to instrument',
    })
  })

  it('refuses bad limits without starting a sandbox', async () => {
    expect((await failure({ module: countingModule(1), limits: { timeMs: 0 } })).type).toMatchObject({
      code: 'WASM_BAD_LIMITS',
      field: 'timeMs',
    })
  })

  it('stops the run when the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('buyer cancelled')), 200)
    await expect(
      runWasmJob(
        { module: infiniteLoopModule(), limits: { fuel: Number.MAX_SAFE_INTEGER } },
        controller.signal,
      ),
    ).rejects.toThrow('buyer cancelled')
  })
})
