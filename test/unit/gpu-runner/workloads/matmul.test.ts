import { afterAll, describe, expect, it } from 'vitest'
import { openCpuBackend } from '../../../../gpu-runner/backends/cpu/cpu-backend.ts'
import { matrixHash } from '../../../../gpu-runner/matrix/format.ts'
import { seededInputs } from '../../../../gpu-runner/matrix/seeded.ts'
import { checkHostMemory, runMatmulJob } from '../../../../gpu-runner/workloads/matmul.ts'

const backend = await openCpuBackend({ threads: 2 })
afterAll(() => backend.close())

describe('the matmul workload', () => {
  it('runs a seeded job of any shape and meters it in the class unit', async () => {
    const result = await runMatmulJob(backend, { n: 30, k: 20, m: 10, seed: 4 })
    expect([result.c.rows, result.c.cols]).toEqual([30, 10])
    expect(result.outputHash).toBe(matrixHash(result.c))
    expect(result.usage).toMatchObject({
      capacityClass: 'cpu.x86',
      unit: 'core-second',
      flops: 2 * 30 * 20 * 10,
      peakMemoryBytes: 4 * (30 * 20 + 20 * 10 + 30 * 10),
    })
    expect(result.usage.deviceSeconds).toBeCloseTo((result.durationMs / 1000) * 2, 5)
  })

  it('gives matrices passed whole the same result as the seed they came from, with their content hashes', async () => {
    const { a, b } = seededInputs(9, 12)
    const whole = await runMatmulJob(backend, { a, b })
    const seeded = await runMatmulJob(backend, { n: 12, seed: 9 })
    expect(whole.outputHash).toBe(seeded.outputHash)
    expect(whole.inputHashes).toEqual({ a: matrixHash(a), b: matrixHash(b) })
  })

  it('refuses a product whose matrices would take more than half of the memory', () => {
    expect(() => checkHostMemory(1000, 1000, 1000, 2 ** 24)).toThrow(
      expect.objectContaining({ code: 'GPU_TOO_LARGE' }),
    )
    expect(() => checkHostMemory(1000, 1000, 1000, 2 ** 25)).not.toThrow()
  })
})
