// The cuda backend: products run in a Python worker (worker.py) that uses PyTorch or CuPy,
// whichever the provider has installed, so hcx needs no native CUDA bindings of its own. The
// worker is one long-lived child process spoken to in frames over stdin/stdout.
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { describeError } from '../../../errors/hcx-error.ts'
import { cpuCapacityClass, gpuCapacityClass } from '../../discovery/capacity-class.ts'
import { backendClosed, GpuError } from '../../errors.ts'
import { checkProductShapes, type Matrix, matrix, matrixBytes, productBytes } from '../../matrix/matrix.ts'
import type { ComputeDevice, MatmulBackend, MatmulRun } from '../backend.ts'
import { jobQueue } from '../job-queue.ts'
import type { FrameHeader } from './frames.ts'
import { startWorker, WorkerGoneError, type WorkerProcess, WorkerProtocolError } from './worker-process.ts'
import {
  MalformedReplyError,
  parseHelloReply,
  parseMatmulReply,
  type WorkerEngine,
} from './worker-replies.ts'

export const CUDA_ENGINES = ['auto', 'torch', 'cupy', 'numpy'] as const
/** `numpy` runs on the CPU and exists to check the protocol without a GPU; `auto` never picks it. */
export type CudaEngine = (typeof CUDA_ENGINES)[number]

export interface CudaBackendOptions {
  /** The interpreter that has PyTorch or CuPy; `python3` by default. */
  readonly python?: string
  readonly engine?: CudaEngine
  /** How long the worker may take to import its engine and answer hello. */
  readonly startTimeoutMs?: number
}

export interface CudaDevice extends ComputeDevice {
  readonly engine: WorkerEngine
  readonly memoryBytes: number
  readonly computeCapability: string | null
  readonly driver: string | null
}

export interface CudaBackend extends MatmulBackend {
  readonly device: CudaDevice
  /** The worker's process id, for operators matching it in process lists. */
  readonly workerPid: number | undefined
}

// Importing torch and creating a CUDA context takes seconds, and longer on a cold disk.
const DEFAULT_START_TIMEOUT_MS = 60_000
/** How long close() lets the worker quit on its own before it is killed. */
const QUIT_GRACE_MS = 2_000
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.py', import.meta.url))
const ENGINES_HINT =
  'PyTorch with CUDA support (https://pytorch.org/get-started/locally/) or CuPy (pip install cupy-cuda12x)'
const INSTALL_HINT = `install ${ENGINES_HINT} for that interpreter, on a machine with an NVIDIA driver`

export async function openCudaBackend(options: CudaBackendOptions = {}): Promise<CudaBackend> {
  const python = options.python ?? 'python3'
  const engine = options.engine ?? 'auto'
  if (!CUDA_ENGINES.includes(engine)) {
    throw unavailable(`unknown engine ${engine}`, `the cuda engine must be one of ${CUDA_ENGINES.join(', ')}`)
  }
  const worker = startWorker({ python, script: WORKER_SCRIPT, args: ['--engine', engine] })
  const device = await hello(worker, python, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS)
  const queue = jobQueue()
  // Set once the worker is gone (aborted job, crash, close); every later call reports it.
  let stopped: GpuError | undefined
  let closing: Promise<void> | undefined

  async function run(a: Matrix, b: Matrix, signal: AbortSignal | undefined): Promise<MatmulRun> {
    if (stopped !== undefined) throw stopped
    const n = a.rows
    const k = a.cols
    const m = b.cols
    const onAbort = (): void => {
      stopped = unavailable(
        'worker stopped',
        'the cuda worker was stopped when a job was aborted; open the cuda backend again',
      )
      worker.kill('the job was aborted')
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const reply = await worker.request({
        header: { op: 'matmul', n, k, m },
        payloads: [matrixBytes(a), matrixBytes(b)],
        replyLimit: (header) => (header.ok === true ? n * m * 4 : 0),
      })
      return matmulResult(reply.header, reply.payload, n, k, m, device)
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      // A refusal (out of memory, an engine error) leaves the worker able to take the next job.
      if (err instanceof GpuError) throw err
      // Anything else (the worker died, or broke the protocol) leaves it unusable.
      const failed = deviceFailed(
        `the cuda worker failed during a ${n}x${k} by ${k}x${m} product: ${describeError(err)}`,
      )
      stopped ??= unavailable('worker stopped', `${failed.message}; open the cuda backend again`)
      worker.kill(failed.message)
      throw failed
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  return {
    id: 'cuda',
    device,
    get workerPid() {
      return worker.pid
    },
    matmul(a, b, signal) {
      try {
        checkProductShapes(a, b)
        checkFits(a.rows, a.cols, b.cols, device)
      } catch (err) {
        return Promise.reject(err)
      }
      if (closing !== undefined) return Promise.reject(backendClosed('cuda'))
      return queue.run(() => run(a, b, signal), signal)
    },
    close() {
      closing ??= (async () => {
        stopped ??= backendClosed('cuda')
        await queue.idle()
        const quit = worker.request({ header: { op: 'quit' }, replyLimit: () => 0 }).catch(() => undefined)
        worker.endInput()
        const timer = setTimeout(() => worker.kill('closed'), QUIT_GRACE_MS)
        try {
          await quit
          await worker.ended
        } finally {
          clearTimeout(timer)
        }
      })()
      return closing
    },
  }
}

async function hello(worker: WorkerProcess, python: string, timeoutMs: number): Promise<CudaDevice> {
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    worker.kill('hello timed out')
  }, timeoutMs)
  try {
    const reply = parseHelloReply(
      (await worker.request({ header: { op: 'hello' }, replyLimit: () => 0 })).header,
    )
    if (!reply.ok) {
      throw unavailable(
        reply.error,
        `the cuda backend cannot run with ${python}: ${reply.error}; ${INSTALL_HINT}`,
      )
    }
    const { name, memoryBytes, computeCapability, driver } = reply.device
    const cpuEngine = reply.engine === 'numpy'
    return {
      name,
      capacityClass: cpuEngine ? cpuCapacityClass() : gpuCapacityClass(name),
      units: cpuEngine ? availableParallelism() : 1,
      engine: reply.engine,
      memoryBytes,
      computeCapability,
      driver,
    }
  } catch (err) {
    worker.kill('hello failed')
    throw helloError(err, python, timedOut ? timeoutMs : undefined)
  } finally {
    clearTimeout(timer)
  }
}

function helloError(err: unknown, python: string, timedOutAfterMs: number | undefined): GpuError {
  if (err instanceof GpuError) return err
  if (timedOutAfterMs !== undefined) {
    return unavailable(
      'hello timed out',
      `the cuda worker (${python}) did not answer within ${timedOutAfterMs} ms; a first import of PyTorch can be ` +
        'slow, so try again with a longer start timeout',
    )
  }
  if (err instanceof MalformedReplyError || err instanceof WorkerProtocolError) {
    return unavailable('malformed hello', `${err.message}; is ${python} running hcx's own worker.py?`)
  }
  if (err instanceof WorkerGoneError && err.spawnCode === 'ENOENT') {
    return unavailable(
      `${python} not found`,
      `the cuda backend needs Python 3, and ${python} was not found; install Python 3 with ${ENGINES_HINT}, ` +
        'or name the interpreter that has them',
    )
  }
  return unavailable(
    'worker did not start',
    `the cuda worker did not start: ${describeError(err)}; ${INSTALL_HINT}`,
  )
}

function matmulResult(
  header: FrameHeader,
  payload: Uint8Array,
  n: number,
  k: number,
  m: number,
  device: CudaDevice,
): MatmulRun {
  const reply = parseMatmulReply(header)
  if (!reply.ok) {
    if (reply.kind === 'oom') throw tooLarge(n, k, m, device, `it ran out of memory (${reply.error})`)
    throw deviceFailed(`the cuda worker refused a ${n}x${k} by ${k}x${m} product: ${reply.error}`)
  }
  if (payload.byteLength !== n * m * 4 || payload.byteOffset !== 0) {
    throw new MalformedReplyError(
      `it returned ${payload.byteLength} bytes for a ${n}x${m} product, not ${n * m * 4}`,
    )
  }
  return {
    c: matrix(n, m, new Float32Array(payload.buffer, 0, n * m)),
    deviceMs: reply.deviceMs,
    peakMemoryBytes: reply.peakMemoryBytes,
  }
}

/** A, B and C must all be on the device at once: refuse a product that cannot fit before sending it. */
function checkFits(n: number, k: number, m: number, device: CudaDevice): void {
  // The numpy engine's "device" is host memory, which the operating system manages itself.
  if (device.engine === 'numpy') return
  if (productBytes(n, k, m) > device.memoryBytes) throw tooLarge(n, k, m, device, 'that is more than it has')
}

function tooLarge(n: number, k: number, m: number, device: CudaDevice, why: string): GpuError {
  const bytes = productBytes(n, k, m)
  return new GpuError(
    { code: 'GPU_TOO_LARGE', bytes, limit: device.memoryBytes },
    `a ${n}x${k} by ${k}x${m} product needs at least ${bytes} bytes on the ${device.name} ` +
      `(${device.memoryBytes} bytes in all), and ${why}: split the job into smaller blocks`,
  )
}

function unavailable(reason: string, message: string): GpuError {
  return new GpuError({ code: 'GPU_BACKEND_UNAVAILABLE', backend: 'cuda', reason }, message)
}

function deviceFailed(message: string): GpuError {
  return new GpuError({ code: 'GPU_DEVICE_FAILED', backend: 'cuda' }, message)
}
