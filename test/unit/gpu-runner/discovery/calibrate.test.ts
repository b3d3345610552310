import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MatmulBackend, MatmulRun } from '../../../../gpu-runner/backends/backend.ts'
import { openCpuBackend } from '../../../../gpu-runner/backends/cpu/cpu-backend.ts'
import { calibrate } from '../../../../gpu-runner/discovery/calibrate.ts'
import { type Matrix, matrix } from '../../../../gpu-runner/matrix/matrix.ts'

let cpu: MatmulBackend

beforeAll(async () => {
  cpu = await openCpuBackend()
})
afterAll(async () => {
  await cpu.close()
})

/** The cpu backend's products with device times and class of the caller's choosing. */
function scriptedBackend(options: { capacityClass?: string; times?: number[]; corrupt?: boolean } = {}) {
  const times = [...(options.times ?? [])]
  const sides: number[] = []
  const backend: MatmulBackend = {
    id: 'webgpu',
    device: { name: 'scripted', capacityClass: options.capacityClass ?? 'cpu.x86', units: 1 },
    async matmul(a: Matrix, b: Matrix, signal?: AbortSignal): Promise<MatmulRun> {
      sides.push(a.rows)
      const run = await cpu.matmul(a, b, signal)
      const c =
        options.corrupt === true
          ? matrix(
              run.c.rows,
              run.c.cols,
              run.c.data.map((v) => v + 1),
            )
          : run.c
      return { ...run, c, deviceMs: times.shift() ?? run.deviceMs }
    },
    close: async () => undefined,
  }
  return { backend, sides }
}

describe('calibrate', () => {
  it('measures the cpu backend on a 512 product in well under a second', async () => {
    const started = performance.now()
    const result = await calibrate(cpu)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(result).toMatchObject({ backend: 'cpu', n: 512 })
    expect(result.gflops).toBeGreaterThan(0)
    expect(result.deviceMs).toBeGreaterThan(0)
  })

  it('reports the median of the timed runs after an untimed warm-up, as 2n^3 / time', async () => {
    const { backend, sides } = scriptedBackend({ times: [1_000, 40, 10, 20] })
    const result = await calibrate(backend, { n: 64, repeats: 3 })
    expect(sides).toEqual([64, 64, 64, 64])
    expect(result.deviceMs).toBe(20)
    expect(result.gflops).toBeCloseTo((2 * 64 ** 3) / 0.02 / 1e9, 9)
  })

  it('takes the mean of the middle two for an even number of runs', async () => {
    const { backend } = scriptedBackend({ times: [5, 10, 30] })
    expect((await calibrate(backend, { n: 16, repeats: 2 })).deviceMs).toBe(20)
  })

  it('uses 1024 on GPU-class devices', async () => {
    const { backend, sides } = scriptedBackend({ capacityClass: 'gpu.h100' })
    expect((await calibrate(backend, { repeats: 1 })).n).toBe(1024)
    expect(sides).toEqual([1024, 1024])
  })

  it('refuses a backend whose calibration product is wrong', async () => {
    const { backend } = scriptedBackend({ corrupt: true })
    await expect(calibrate(backend, { n: 32 })).rejects.toMatchObject({ code: 'GPU_DEVICE_FAILED' })
  })

  it('refuses sizes and repeat counts out of range', async () => {
    await expect(calibrate(cpu, { n: 0 })).rejects.toMatchObject({ code: 'GPU_BAD_SHAPE' })
    await expect(calibrate(cpu, { repeats: 0 })).rejects.toMatchObject({ code: 'GPU_BAD_SHAPE' })
    await expect(calibrate(cpu, { repeats: 1.5 })).rejects.toMatchObject({ code: 'GPU_BAD_SHAPE' })
  })

  it('stops when its signal aborts', async () => {
    await expect(calibrate(cpu, { n: 64, signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow(
      'stop',
    )
  })
})
