import { afterAll, describe, expect, it } from 'vitest'
import { openCpuBackend } from '../../../../../gpu-runner/backends/cpu/cpu-backend.ts'
import { matrixHash } from '../../../../../gpu-runner/matrix/format.ts'
import { seededInputs } from '../../../../../gpu-runner/matrix/seeded.ts'
import { ODD_SHAPES, randomMatrix, referenceMatmul } from '../../../../helpers/reference-matmul.ts'

const backend = await openCpuBackend({ threads: 2 })
afterAll(() => backend.close())

describe('the cpu backend', () => {
  it.each(ODD_SHAPES)('multiplies %ix%i by %ix… exactly on seeded whole-number inputs', async (n, k, m) => {
    const { a, b } = seededInputs(n * 1000 + k, n, k, m)
    const run = await backend.matmul(a, b)
    expect([run.c.rows, run.c.cols]).toEqual([n, m])
    expect(matrixHash(run.c)).toBe(matrixHash(referenceMatmul(a, b)))
  })

  it.each(ODD_SHAPES)(
    'multiplies %ix%i real-valued matrices within float32 rounding (k=%i)',
    async (n, k, m) => {
      const a = randomMatrix(n, k, n + 1)
      const b = randomMatrix(k, m, m + 2)
      const { c } = await backend.matmul(a, b)
      const want = referenceMatmul(a, b)
      for (let i = 0; i < c.data.length; i++) {
        expect(Math.abs((c.data[i] as number) - (want.data[i] as number))).toBeLessThan(1e-5 * k)
      }
    },
  )

  it('reports its device, the time and the memory of its buffers', async () => {
    const { a, b } = seededInputs(1, 64, 32, 16)
    const run = await backend.matmul(a, b)
    expect(backend.device).toMatchObject({ capacityClass: 'cpu.x86', units: 2 })
    expect(run.deviceMs).toBeGreaterThan(0)
    expect(run.peakMemoryBytes).toBe(4 * (64 * 32 + 32 * 16 + 64 * 16))
  })

  it('refuses matrices whose inner dimensions differ', async () => {
    const { a } = seededInputs(1, 4, 5, 6)
    await expect(backend.matmul(a, a)).rejects.toThrow(/cannot multiply a 4x5 matrix by a 4x5 one/)
  })

  it('does not start a product whose signal is already aborted', async () => {
    const { a, b } = seededInputs(1, 8)
    await expect(backend.matmul(a, b, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop')
  })

  it('refuses work once closed, and closes twice without error', async () => {
    const other = await openCpuBackend({ threads: 1 })
    await other.close()
    await other.close()
    const { a, b } = seededInputs(1, 4)
    await expect(other.matmul(a, b)).rejects.toThrow(/was closed/)
  })

  it('refuses a thread count out of range', async () => {
    await expect(openCpuBackend({ threads: 0 })).rejects.toThrow(
      /threads must be a whole number from 1 to 1024/,
    )
  })
})
