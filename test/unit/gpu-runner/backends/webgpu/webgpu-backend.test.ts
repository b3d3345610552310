// The WebGPU backend on whatever adapter this machine has (lavapipe in CI): products of odd
// shapes against the float64 reference, exact on seeded whole-number inputs with both kernel
// variants, and its refusals.
import { execFile } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { GPU_KERNEL } from '../../../../../gpu-runner/backends/webgpu/matmul-kernel.ts'
import { openWebgpuBackend } from '../../../../../gpu-runner/backends/webgpu/webgpu-backend.ts'
import { matrixHash } from '../../../../../gpu-runner/matrix/format.ts'
import { type Matrix, matrix } from '../../../../../gpu-runner/matrix/matrix.ts'
import { seededInputs } from '../../../../../gpu-runner/matrix/seeded.ts'
import { ODD_SHAPES, randomMatrix, referenceMatmul } from '../../../../helpers/reference-matmul.ts'

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))

const backend = await openWebgpuBackend()
// The variant real GPUs get, run here too so CI covers its bounds checks.
const gpuVariant = await openWebgpuBackend({ kernel: GPU_KERNEL })
afterAll(async () => {
  await backend.close()
  await gpuVariant.close()
})

function absolute(m: Matrix): Matrix {
  return matrix(m.rows, m.cols, m.data.map(Math.abs))
}

/** Runs an ES module snippet in a fresh Node with tsx; resolves with its stdout once it exits by itself. */
async function inFreshNode(code: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 20_000 },
  )
  return stdout
}

/** A matrix whose values must never be read: the job has to be judged from its shape. */
function unread(rows: number, cols: number): Matrix {
  return {
    rows,
    cols,
    get data(): Float32Array {
      throw new Error('the values were read')
    },
  }
}

describe('the webgpu backend', () => {
  it('reports the adapter it runs on; a CPU adapter sells cpu core time', () => {
    expect(backend.id).toBe('webgpu')
    expect(backend.device.name).not.toBe('')
    expect(backend.device).toMatchObject({ capacityClass: 'cpu.x86', units: availableParallelism() })
  })

  it.each(ODD_SHAPES)(
    'multiplies %ix%i by %ix… real-valued matrices within float32 rounding',
    async (n, k, m) => {
      const a = randomMatrix(n, k, n * 7 + k)
      const b = randomMatrix(k, m, m * 11 + k)
      const { c } = await backend.matmul(a, b)
      const want = referenceMatmul(a, b)
      // Each output is a k-term float32 sum: its error is at most k units of rounding of sum |a||b|.
      const scale = referenceMatmul(absolute(a), absolute(b))
      expect([c.rows, c.cols]).toEqual([n, m])
      const outside = [...c.data.entries()]
        .filter(
          ([i, got]) =>
            !(Math.abs(got - (want.data[i] ?? Number.NaN)) <= k * 2 ** -23 * (scale.data[i] ?? 0)),
        )
        .map(([i]) => i)
      expect(outside).toEqual([])
    },
  )

  it.each(ODD_SHAPES)('multiplies %ix%i by %ix… exactly on seeded whole-number inputs', async (n, k, m) => {
    const { a, b } = seededInputs(n * 1000 + k, n, k, m)
    const want = matrixHash(referenceMatmul(a, b))
    expect(matrixHash((await backend.matmul(a, b)).c)).toBe(want)
    expect(matrixHash((await gpuVariant.matmul(a, b)).c)).toBe(want)
  })

  it('gives the exact integer product for k in the thousands', async () => {
    const { a, b } = seededInputs(42, 9, 3000, 7)
    expect(matrixHash((await backend.matmul(a, b)).c)).toBe(matrixHash(referenceMatmul(a, b)))
  })

  it('reports the time on the device and the bytes of every buffer the run held', async () => {
    const { a, b } = seededInputs(5, 20, 30, 40)
    const run = await backend.matmul(a, b)
    expect(run.deviceMs).toBeGreaterThan(0)
    // The shape uniform, A, B, C and C's staging copy.
    expect(run.peakMemoryBytes).toBe(16 + 4 * (20 * 30 + 30 * 40 + 2 * 20 * 40))
  })

  it('runs products submitted together one after another, each correct', async () => {
    const jobs = [1, 2, 3].map((seed) => seededInputs(seed, 33 * seed, 17, 31))
    const runs = await Promise.all(jobs.map(({ a, b }) => backend.matmul(a, b)))
    expect(runs.map((run) => matrixHash(run.c))).toEqual(
      jobs.map(({ a, b }) => matrixHash(referenceMatmul(a, b))),
    )
  })

  it('refuses factors whose inner dimensions differ with GPU_BAD_SHAPE', async () => {
    const a = matrix(3, 4)
    const b = matrix(5, 2)
    await expect(backend.matmul(a, b)).rejects.toMatchObject({ code: 'GPU_BAD_SHAPE' })
  })

  it('rejects with the reason of a signal aborted before the run starts', async () => {
    const { a, b } = seededInputs(9, 16)
    const reason = new Error('stopped by the operator')
    await expect(backend.matmul(a, b, AbortSignal.abort(reason))).rejects.toBe(reason)

    // Aborted while it waits behind another run: it never starts.
    const first = backend.matmul(...(Object.values(seededInputs(10, 200)) as [Matrix, Matrix]))
    const controller = new AbortController()
    const second = backend.matmul(a, b, controller.signal)
    controller.abort(reason)
    await expect(second).rejects.toBe(reason)
    await first
  })

  it('refuses with GPU_TOO_LARGE, from the shape alone, a product bigger than one buffer may hold', async () => {
    // C would be 32768 x 32768 float32 = 4 GiB, past any device's largest binding.
    const refused = backend.matmul(unread(32_768, 1), unread(1, 32_768))
    await expect(refused).rejects.toMatchObject({ code: 'GPU_TOO_LARGE', type: { bytes: 2 ** 32 } })
    await expect(refused).rejects.toThrow(/32768 \* 32768 \* 4 = 4294967296 bytes/)
    const { a, b } = seededInputs(3, 8)
    expect(matrixHash((await backend.matmul(a, b)).c)).toBe(matrixHash(referenceMatmul(a, b)))
  })

  it('closes idempotently and refuses products afterwards', async () => {
    const own = await openWebgpuBackend()
    await own.close()
    await own.close()
    const { a, b } = seededInputs(1, 4)
    await expect(own.matmul(a, b)).rejects.toMatchObject({
      code: 'GPU_BACKEND_UNAVAILABLE',
      type: { backend: 'webgpu', reason: 'closed' },
    })
  })

  it('lets a process that opened, used and closed it exit by itself', async () => {
    const out = await inFreshNode(`
      const { openWebgpuBackend } = await import('./gpu-runner/backends/webgpu/webgpu-backend.ts')
      const { seededInputs } = await import('./gpu-runner/matrix/seeded.ts')
      const backend = await openWebgpuBackend()
      const { a, b } = seededInputs(1, 40)
      const { c } = await backend.matmul(a, b)
      await backend.close()
      process.stdout.write(String(c.rows))
    `)
    expect(out).toBe('40')
  })

  it.runIf(process.platform === 'linux')(
    'refuses with GPU_BACKEND_UNAVAILABLE, saying how to get an adapter, where Vulkan has no driver',
    async () => {
      const out = await inFreshNode(
        `
        const { openWebgpuBackend } = await import('./gpu-runner/backends/webgpu/webgpu-backend.ts')
        const refusal = await openWebgpuBackend().then(
          () => null,
          (err) => ({ code: err.code, reason: err.type.reason, message: err.message }),
        )
        process.stdout.write(JSON.stringify(refusal))
      `,
        { VK_ICD_FILENAMES: '/nonexistent/icd.json' },
      )
      const refusal = JSON.parse(out)
      expect(refusal).toMatchObject({ code: 'GPU_BACKEND_UNAVAILABLE', reason: 'no adapter' })
      expect(refusal.message).toMatch(/apt-get install -t bookworm-backports mesa-vulkan-drivers/)
    },
  )
})
