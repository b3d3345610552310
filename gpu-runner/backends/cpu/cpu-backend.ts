// The cpu backend: onnxruntime's CPU engine (MLAS: blocked, packed, AVX2/AVX-512 kernels over
// its own thread pool) running a one-node MatMul model. It is always available: the engine
// ships inside the npm package.
import { availableParallelism } from 'node:os'
import type { InferenceSession as OrtSession } from 'onnxruntime-node'
import { cpuCapacityClass } from '../../discovery/capacity-class.ts'
import { describeCpu } from '../../discovery/cpu.ts'
import { backendClosed, GpuError } from '../../errors.ts'
import { checkProductShapes, type Matrix, matrix, productBytes } from '../../matrix/matrix.ts'
import type { MatmulBackend, MatmulRun } from '../backend.ts'
import { jobQueue } from '../job-queue.ts'
import { MATMUL_OUTPUT, matmulModel } from './matmul-model.ts'

export interface CpuBackendOptions {
  /** Worker threads for one product; defaults to every core. */
  readonly threads?: number
}

export async function openCpuBackend(options: CpuBackendOptions = {}): Promise<MatmulBackend> {
  const threads = options.threads ?? availableParallelism()
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'threads' },
      `threads must be a whole number from 1 to 1024, got ${threads}`,
    )
  }
  const ort = await loadEngine()
  const session = await ort.InferenceSession.create(matmulModel(), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Threads that spin briefly between the parallel steps of one product keep up with it:
    // 150 GFLOP/s at n = 1024 on 2 cores here, against 100-115 with spinning off. The spin is
    // bounded: measured over 2 s, one second after a product, the idle pool used 6 ms of CPU.
    extra: { session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '0' } } },
  })
  let closed = false
  // The session runs one product at a time: concurrent runs would share its thread pool.
  const queue = jobQueue()

  async function run(a: Matrix, b: Matrix): Promise<MatmulRun> {
    if (closed) throw backendClosed('cpu')
    const started = performance.now()
    const output = new Float32Array(a.rows * b.cols)
    const feeds = {
      A: new ort.Tensor('float32', a.data, [a.rows, a.cols]),
      B: new ort.Tensor('float32', b.data, [b.rows, b.cols]),
    }
    const fetches = { [MATMUL_OUTPUT]: new ort.Tensor('float32', output, [a.rows, b.cols]) }
    try {
      await session.run(feeds, fetches as OrtSession.FetchesType)
    } catch (err) {
      throw new GpuError(
        { code: 'GPU_DEVICE_FAILED', backend: 'cpu' },
        `onnxruntime failed: ${String(err)}`,
        {
          cause: err,
        },
      )
    }
    return {
      c: matrix(a.rows, b.cols, output),
      deviceMs: performance.now() - started,
      peakMemoryBytes: productBytes(a.rows, a.cols, b.cols),
    }
  }

  return {
    id: 'cpu',
    device: {
      name: describeCpu().model,
      capacityClass: cpuCapacityClass(),
      units: threads,
    },
    async matmul(a, b, signal) {
      checkProductShapes(a, b)
      return queue.run(() => run(a, b), signal)
    },
    async close() {
      if (closed) return
      closed = true
      await queue.idle()
      await session.release()
    },
  }
}

type OrtModule = typeof import('onnxruntime-node')

async function loadEngine(): Promise<OrtModule> {
  try {
    return await import('onnxruntime-node')
  } catch (err) {
    throw new GpuError(
      { code: 'GPU_BACKEND_UNAVAILABLE', backend: 'cpu', reason: 'onnxruntime-node did not load' },
      `the cpu backend's engine (onnxruntime-node) did not load: ${String(err)}; reinstall with npm ci`,
      { cause: err },
    )
  }
}
