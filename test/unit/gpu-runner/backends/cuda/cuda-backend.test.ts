// The cuda backend end to end through worker.py's numpy engine (the protocol without a GPU), and
// against small fake workers that behave like a GPU worker gone wrong.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { MatmulBackend } from '../../../../../gpu-runner/backends/backend.ts'
import { type CudaBackend, openCudaBackend } from '../../../../../gpu-runner/backends/cuda/cuda-backend.ts'
import { cpuCapacityClass } from '../../../../../gpu-runner/discovery/capacity-class.ts'
import { matrixHash } from '../../../../../gpu-runner/matrix/format.ts'
import { matrix } from '../../../../../gpu-runner/matrix/matrix.ts'
import { seededInputs } from '../../../../../gpu-runner/matrix/seeded.ts'
import { hasCudaEngine } from '../../../../helpers/cuda-engine.ts'
import { referenceMatmul } from '../../../../helpers/reference-matmul.ts'

const opened: MatmulBackend[] = []
const scratch = mkdtempSync(join(tmpdir(), 'hcx-cuda-test-'))

afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function numpyBackend(): Promise<CudaBackend> {
  const backend = await openCudaBackend({ engine: 'numpy' })
  opened.push(backend)
  return backend
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

// A stand-in for `python3 worker.py`: answers hello as an H100 worker would, then does `onJob`
// with the first job. Written in JavaScript so it runs wherever the tests do.
function fakeWorker(
  name: string,
  onJob: string,
  { answerHello = true, memoryBytes = 85520809984 }: { answerHello?: boolean; memoryBytes?: number } = {},
): string {
  const file = join(scratch, name)
  writeFileSync(
    file,
    `#!/usr/bin/env node
let input = Buffer.alloc(0)
let stage = 0
function send(header, payload = Buffer.alloc(0)) {
  const json = Buffer.from(JSON.stringify({ ...header, bytes: payload.length }))
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32LE(json.length)
  process.stdout.write(Buffer.concat([prefix, json, payload]))
}
process.stdin.on('end', () => process.exit(0))
process.stdin.on('data', (chunk) => {
  input = Buffer.concat([input, chunk])
  if (stage === 0 && input.length >= 4 && input.length >= 4 + input.readUInt32LE(0)) {
    stage = 1
    input = input.subarray(4 + input.readUInt32LE(0))
    if (${answerHello}) send({ ok: true, engine: 'torch', device: { name: 'NVIDIA H100 80GB HBM3',
      memoryBytes: ${memoryBytes}, computeCapability: '9.0', driver: '550.54.15' } })
  }
  if (stage === 1 && input.length > 0) {
    stage = 2
    ${onJob}
  }
})
`,
  )
  chmodSync(file, 0o755)
  return file
}

describe('cuda backend on the numpy engine', () => {
  it('reports the CPU as a cpu-class device with every core as units', async () => {
    const backend = await numpyBackend()
    expect(backend.id).toBe('cuda')
    expect(backend.device).toMatchObject({
      engine: 'numpy',
      capacityClass: cpuCapacityClass(),
      units: availableParallelism(),
      computeCapability: null,
    })
    expect(backend.device.name.length).toBeGreaterThan(0)
  })

  it('multiplies odd shapes exactly, equal to the reference product', async () => {
    const backend = await numpyBackend()
    for (const [n, k, m] of [
      [1, 1, 1],
      [3, 5, 7],
      [65, 31, 47],
      [200, 200, 200],
    ] as const) {
      const { a, b } = seededInputs(n * 1000 + m, n, k, m)
      const run = await backend.matmul(a, b)
      expect(run.c.rows).toBe(n)
      expect(run.c.cols).toBe(m)
      expect(matrixHash(run.c)).toBe(matrixHash(referenceMatmul(a, b)))
      expect(run.deviceMs).toBeGreaterThanOrEqual(0)
      expect(run.peakMemoryBytes).toBe(4 * (n * k + k * m + n * m))
    }
  })

  it('runs concurrent calls one at a time, each getting its own product', async () => {
    const backend = await numpyBackend()
    const jobs = [1, 2, 3, 4].map((seed) => seededInputs(seed, 40, 9, 30))
    const runs = await Promise.all(jobs.map(({ a, b }) => backend.matmul(a, b)))
    runs.forEach((run, i) => {
      const job = jobs[i] as (typeof jobs)[number]
      expect(matrixHash(run.c)).toBe(matrixHash(referenceMatmul(job.a, job.b)))
    })
  })

  it('refuses shapes that do not fit together before sending anything', async () => {
    const backend = await numpyBackend()
    await expect(backend.matmul(matrix(2, 3), matrix(2, 3))).rejects.toMatchObject({ code: 'GPU_BAD_SHAPE' })
  })

  it('fails with GPU_DEVICE_FAILED when the worker is killed mid-job, and clearly after that', async () => {
    const backend = await numpyBackend()
    const { a, b } = seededInputs(7, 300)
    const job = backend.matmul(a, b)
    process.kill(backend.workerPid as number, 'SIGKILL')
    await expect(job).rejects.toMatchObject({ code: 'GPU_DEVICE_FAILED' })
    await expect(job).rejects.toThrow(/was ended by SIGKILL/)
    await expect(backend.matmul(a, b)).rejects.toMatchObject({
      code: 'GPU_BACKEND_UNAVAILABLE',
      type: { reason: 'worker stopped' },
    })
  })

  it('lets a queued job leave when its signal aborts before it starts, without stopping the worker', async () => {
    const backend = await numpyBackend()
    const { a, b } = seededInputs(8, 30)
    const job = backend.matmul(a, b, AbortSignal.abort(new Error('cancelled before it began')))
    await expect(job).rejects.toThrow('cancelled before it began')
    expect(matrixHash((await backend.matmul(a, b)).c)).toBe(matrixHash(referenceMatmul(a, b)))
  })

  it('lets a queued job leave when its signal aborts, without stopping the worker', async () => {
    const backend = await numpyBackend()
    const first = seededInputs(9, 150)
    const second = seededInputs(10, 20)
    const controller = new AbortController()
    const running = backend.matmul(first.a, first.b)
    const queued = backend.matmul(second.a, second.b, controller.signal)
    controller.abort(new Error('no longer wanted'))
    await expect(queued).rejects.toThrow('no longer wanted')
    expect(matrixHash((await running).c)).toBe(matrixHash(referenceMatmul(first.a, first.b)))
    expect(matrixHash((await backend.matmul(second.a, second.b)).c)).toBe(
      matrixHash(referenceMatmul(second.a, second.b)),
    )
  })

  it('closes idempotently: the worker exits and later calls are refused', async () => {
    const backend = await openCudaBackend({ engine: 'numpy' })
    const pid = backend.workerPid
    await Promise.all([backend.close(), backend.close()])
    await backend.close()
    expect(alive(pid)).toBe(false)
    await expect(backend.matmul(matrix(1, 1), matrix(1, 1))).rejects.toMatchObject({
      code: 'GPU_BACKEND_UNAVAILABLE',
      type: { reason: 'closed' },
    })
  })
})

describe('cuda backend start-up failures', () => {
  it.skipIf(hasCudaEngine)(
    'is GPU_BACKEND_UNAVAILABLE on auto without torch or cupy, naming both',
    async () => {
      const failure = openCudaBackend()
      await expect(failure).rejects.toMatchObject({
        code: 'GPU_BACKEND_UNAVAILABLE',
        type: { backend: 'cuda' },
      })
      await expect(failure).rejects.toThrow(/torch: import failed .*; cupy: import failed/)
      await expect(failure).rejects.toThrow(/install PyTorch with CUDA support .* or CuPy/)
    },
  )

  it('is GPU_BACKEND_UNAVAILABLE when the Python interpreter does not exist', async () => {
    const failure = openCudaBackend({ python: join(scratch, 'no-such-python'), engine: 'numpy' })
    await expect(failure).rejects.toMatchObject({ code: 'GPU_BACKEND_UNAVAILABLE' })
    await expect(failure).rejects.toThrow(/no-such-python was not found; install Python 3/)
  })

  it('is GPU_BACKEND_UNAVAILABLE when the worker does not answer hello in time', async () => {
    const silent = fakeWorker('silent', '', { answerHello: false })
    const failure = openCudaBackend({ python: silent, startTimeoutMs: 300 })
    await expect(failure).rejects.toMatchObject({
      code: 'GPU_BACKEND_UNAVAILABLE',
      type: { reason: 'hello timed out' },
    })
  })

  it('is GPU_BACKEND_UNAVAILABLE with the reason when the worker exits before hello', async () => {
    const dying = join(scratch, 'dying')
    writeFileSync(
      dying,
      '#!/bin/sh\necho "ImportError: libcudart.so.12: cannot open shared object file" >&2\nexit 1\n',
    )
    chmodSync(dying, 0o755)
    await expect(openCudaBackend({ python: dying })).rejects.toThrow(
      /exited with status 1: ImportError: libcudart/,
    )
  })
})

describe('cuda backend against a failing GPU worker', () => {
  it('sells a GPU worker as its model family, one GPU per run', async () => {
    const backend = await openCudaBackend({ python: fakeWorker('idle-h100', '') })
    opened.push(backend)
    expect(backend.device).toMatchObject({ capacityClass: 'gpu.h100', units: 1, computeCapability: '9.0' })
  })

  it('refuses a product larger than the GPU memory before sending it', async () => {
    // The fake fails any job it is sent, so a refusal must come from the check before sending.
    const backend = await openCudaBackend({
      python: fakeWorker('small-gpu', 'process.exit(1)', { memoryBytes: 1000 }),
    })
    opened.push(backend)
    const { a, b } = seededInputs(1, 10)
    await expect(backend.matmul(a, b)).rejects.toMatchObject({
      code: 'GPU_TOO_LARGE',
      type: { bytes: 1200, limit: 1000 },
    })
  })

  it('stops the worker when a running job is aborted; later calls say so', async () => {
    const backend = await openCudaBackend({ python: fakeWorker('mute', '') })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    const controller = new AbortController()
    const job = backend.matmul(a, b, controller.signal)
    await new Promise((resolve) => setTimeout(resolve, 50))
    controller.abort(new Error('buyer cancelled'))
    await expect(job).rejects.toThrow('buyer cancelled')
    await until(() => !alive(backend.workerPid))
    await expect(backend.matmul(a, b)).rejects.toThrow(
      /stopped when a job was aborted; open the cuda backend again/,
    )
  })

  it('fails a running job with GPU_DEVICE_FAILED when its worker is killed', async () => {
    const backend = await openCudaBackend({ python: fakeWorker('mute-killed', '') })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    const job = backend.matmul(a, b)
    await new Promise((resolve) => setTimeout(resolve, 50))
    process.kill(backend.workerPid as number, 'SIGKILL')
    await expect(job).rejects.toMatchObject({ code: 'GPU_DEVICE_FAILED' })
    await expect(job).rejects.toThrow(/was ended by SIGKILL/)
  })

  it('fails a job with GPU_DEVICE_FAILED and the tail of its stderr when the worker dies', async () => {
    const crash = fakeWorker(
      'crash',
      "process.stderr.write('Traceback (most recent call last):\\nRuntimeError: CUDA error: an illegal memory access was encountered\\n'); process.exit(1)",
    )
    const backend = await openCudaBackend({ python: crash })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    const job = backend.matmul(a, b)
    await expect(job).rejects.toMatchObject({ code: 'GPU_DEVICE_FAILED', type: { backend: 'cuda' } })
    await expect(job).rejects.toThrow(/exited with status 1: .*illegal memory access/)
  })

  it('fails a job whose reply is not n*m float32 values', async () => {
    const short = fakeWorker('short', 'send({ ok: true, deviceMs: 1, peakMemoryBytes: 0 }, Buffer.alloc(4))')
    const backend = await openCudaBackend({ python: short })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    await expect(backend.matmul(a, b)).rejects.toThrow(/returned 4 bytes for a 4x4 product, not 64/)
  })

  it('fails a job whose reply is larger than the product before reading it', async () => {
    const long = fakeWorker('long', 'send({ ok: true, deviceMs: 1, peakMemoryBytes: 0 }, Buffer.alloc(68))')
    const backend = await openCudaBackend({ python: long })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    await expect(backend.matmul(a, b)).rejects.toThrow(
      /malformed reply: a frame payload of 68 bytes exceeds the limit of 64/,
    )
  })

  it('reports a device out of memory as GPU_TOO_LARGE', async () => {
    const oom = fakeWorker(
      'oom',
      "send({ ok: false, kind: 'oom', error: 'torch failed the product: OutOfMemoryError: CUDA out of memory' })",
    )
    const backend = await openCudaBackend({ python: oom })
    opened.push(backend)
    const { a, b } = seededInputs(1, 4)
    await expect(backend.matmul(a, b)).rejects.toMatchObject({
      code: 'GPU_TOO_LARGE',
      type: { bytes: 4 * 48, limit: 85520809984 },
    })
  })
})
