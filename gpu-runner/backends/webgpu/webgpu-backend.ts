// The WebGPU backend: a tiled WGSL kernel on whatever adapter Dawn finds, a GPU through its
// Vulkan, Metal or D3D12 driver, or the CPU through Mesa's lavapipe. Runs are serialised,
// because error scopes are a stack shared by the whole device and two interleaved runs would
// read each other's errors.
import { performance } from 'node:perf_hooks'
import { describeError } from '../../../errors/hcx-error.ts'
import { backendClosed, GpuError } from '../../errors.ts'
import { checkProductShapes, type Matrix, matrix } from '../../matrix/matrix.ts'
import type { MatmulBackend, MatmulRun } from '../backend.ts'
import { jobQueue } from '../job-queue.ts'
import { adapterIdentity } from './adapter-identity.ts'
import { type Dawn, loadDawn } from './dawn.ts'
import { checkJobFits, type JobBuffers, SHAPE_BYTES } from './job-buffers.ts'
import {
  checkKernelVariant,
  defaultKernel,
  dispatchSize,
  type KernelVariant,
  kernelKey,
  matmulKernel,
} from './matmul-kernel.ts'

export interface WebgpuBackendOptions {
  /** The kernel's tiling; by default one suited to the adapter (see matmul-kernel.ts). */
  readonly kernel?: KernelVariant
}

export const NO_ADAPTER_HELP =
  'WebGPU found no adapter: install the GPU driver (Vulkan on Linux), or on a machine without a GPU ' +
  "Mesa 25's lavapipe, which runs WebGPU on the CPU (Debian 12: " +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers`; its own Mesa 22 gives no adapter)'

// The adapter's own limits, requested in full: a device gets the spec's small defaults
// (128 MiB bindings, 256 MiB buffers) unless it asks for more.
const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const

export async function openWebgpuBackend(options: WebgpuBackendOptions = {}): Promise<MatmulBackend> {
  if (options.kernel !== undefined) checkKernelVariant(options.kernel)
  const dawn = await loadOrExplain()
  // Held until close(). Dawn's instance (the GPU object in it) must stay referenced while its
  // device is in use: once it is collected nothing processes the device's events, and a pending
  // mapAsync never settles or the process crashes. Dropping it after destroying the device
  // leaves nothing that keeps Node's event loop alive.
  let open: OpenDevice | undefined = await openDevice(dawn)
  const { device } = open
  const identity = adapterIdentity(open.adapter.info)
  const kernel = options.kernel ?? defaultKernel(identity.fallback)
  const limits = {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  }

  let lost: GPUDeviceLostInfo | undefined
  void device.lost.then((info) => {
    lost = info
  })
  let closing: Promise<void> | undefined
  // Compiled on first use and kept for the device's life.
  const pipelines = new Map<string, Promise<GPUComputePipeline>>()
  const queue = jobQueue()

  const pipelineFor = (variant: KernelVariant): Promise<GPUComputePipeline> => {
    const key = kernelKey(variant)
    let pipeline = pipelines.get(key)
    if (pipeline === undefined) {
      pipeline = device.createComputePipelineAsync({
        label: `matmul ${key}`,
        layout: 'auto',
        compute: {
          module: device.createShaderModule({ label: `matmul ${key}`, code: matmulKernel(variant) }),
          entryPoint: 'main',
        },
      })
      pipeline.catch(() => pipelines.delete(key))
      pipelines.set(key, pipeline)
    }
    return pipeline
  }

  const runOne = async (a: Matrix, b: Matrix, job: JobBuffers, signal?: AbortSignal): Promise<MatmulRun> => {
    signal?.throwIfAborted()
    if (open === undefined || closing !== undefined) throw backendClosed('webgpu')
    if (lost !== undefined) throw deviceFailed(`the WebGPU device was lost: ${lost.message}`)
    let pipeline: GPUComputePipeline
    try {
      pipeline = await pipelineFor(kernel)
    } catch (err) {
      throw deviceFailed(`the matmul kernel did not compile: ${describeError(err)}`)
    }
    signal?.throwIfAborted()
    return dispatch({ dawn, device, pipeline, kernel, lostInfo: () => lost }, a, b, job)
  }

  return {
    id: 'webgpu',
    device: { name: identity.name, capacityClass: identity.capacityClass, units: identity.units },
    async matmul(a, b, signal) {
      checkProductShapes(a, b)
      signal?.throwIfAborted()
      if (closing !== undefined) throw backendClosed('webgpu')
      const job = checkJobFits(a.rows, a.cols, b.cols, limits)
      return queue.run(() => runOne(a, b, job, signal), signal)
    },
    close() {
      // Runs already queued finish first; destroying the device releases its memory.
      closing ??= queue.idle().then(() => {
        pipelines.clear()
        open?.device.destroy()
        open = undefined
      })
      return closing
    },
  }
}

async function loadOrExplain(): Promise<Dawn> {
  try {
    return await loadDawn()
  } catch (err) {
    throw unavailable(
      'webgpu module did not load',
      `the webgpu module (Dawn) did not load on this platform: ${describeError(err)}`,
    )
  }
}

interface OpenDevice {
  readonly gpu: GPU
  readonly adapter: GPUAdapter
  readonly device: GPUDevice
}

async function openDevice(dawn: Dawn): Promise<OpenDevice> {
  const gpu = dawn.createGpu()
  let adapter: GPUAdapter | null
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (err) {
    throw unavailable('no adapter', `${NO_ADAPTER_HELP} (${describeError(err)})`)
  }
  if (adapter === null) throw unavailable('no adapter', NO_ADAPTER_HELP)
  const requiredLimits: Record<string, number> = {}
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name]
  try {
    const device = await adapter.requestDevice({ label: 'hcx matmul', requiredLimits })
    return { gpu, adapter, device }
  } catch (err) {
    throw unavailable('no device', `the WebGPU adapter refused a device: ${describeError(err)}`)
  }
}

const ERROR_SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal']

/** What a run needs of its backend. */
interface RunContext {
  readonly dawn: Dawn
  readonly device: GPUDevice
  readonly pipeline: GPUComputePipeline
  readonly kernel: KernelVariant
  /** Set once the device is lost; read after a failure to explain it. */
  readonly lostInfo: () => GPUDeviceLostInfo | undefined
}

/** Upload, one dispatch, readback; every buffer it creates is destroyed before it returns. */
async function dispatch(context: RunContext, a: Matrix, b: Matrix, job: JobBuffers): Promise<MatmulRun> {
  const { dawn, device, pipeline, kernel, lostInfo } = context
  const { bufferUsage: usage, mapMode } = dawn
  const [n, k, m] = [a.rows, a.cols, b.cols]
  const buffers: GPUBuffer[] = []
  const allocate = (label: string, size: number, flags: number): GPUBuffer => {
    const buffer = device.createBuffer({ label, size, usage: flags })
    buffers.push(buffer)
    return buffer
  }

  for (const filter of ERROR_SCOPES) device.pushErrorScope(filter)
  const started = performance.now()
  let staging: GPUBuffer | undefined
  let thrown: unknown
  try {
    const shape = allocate('shape', SHAPE_BYTES, usage.UNIFORM | usage.COPY_DST)
    const bufferA = allocate('A', job.a, usage.STORAGE | usage.COPY_DST)
    const bufferB = allocate('B', job.b, usage.STORAGE | usage.COPY_DST)
    const bufferC = allocate('C', job.c, usage.STORAGE | usage.COPY_SRC)
    staging = allocate('C staging', job.c, usage.MAP_READ | usage.COPY_DST)
    device.queue.writeBuffer(shape, 0, new Uint32Array([n, k, m, 0]))
    device.queue.writeBuffer(bufferA, 0, a.data)
    device.queue.writeBuffer(bufferB, 0, b.data)

    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [shape, bufferA, bufferB, bufferC].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    })
    const encoder = device.createCommandEncoder()
    const pass = encoder.beginComputePass()
    pass.setPipeline(pipeline)
    pass.setBindGroup(0, bindGroup)
    const groups = dispatchSize(kernel, n, m)
    pass.dispatchWorkgroups(groups.x, groups.y)
    pass.end()
    encoder.copyBufferToBuffer(bufferC, 0, staging, 0, job.c)
    device.queue.submit([encoder.finish()])
  } catch (err) {
    thrown = err
  }

  try {
    // Every scope is popped, even after a throw, so the device's scope stack stays balanced.
    const scoped = Promise.all(ERROR_SCOPES.map(() => device.popErrorScope()))
    const mapped = thrown === undefined && staging !== undefined ? staging.mapAsync(mapMode.READ) : undefined
    const [errors, mapFailure] = await Promise.all([
      scoped,
      mapped?.then(
        () => undefined,
        (err: unknown) => err,
      ),
    ])
    const gpuError = errors.find((error): error is GPUError => error !== null)
    if (gpuError !== undefined)
      throw deviceFailed(`WebGPU reported an error running the matmul: ${gpuError.message}`)
    if (thrown !== undefined) throw deviceFailed(`WebGPU refused the matmul: ${describeError(thrown)}`)
    if (mapFailure !== undefined || staging === undefined) {
      const lost = lostInfo()
      throw deviceFailed(
        lost === undefined
          ? `reading the product back failed: ${describeError(mapFailure)}`
          : `the WebGPU device was lost: ${lost.message}`,
      )
    }
    const c = new Float32Array(n * m)
    c.set(new Float32Array(staging.getMappedRange()))
    staging.unmap()
    const deviceMs = performance.now() - started
    return { c: matrix(n, m, c), deviceMs, peakMemoryBytes: job.total }
  } finally {
    for (const buffer of buffers) buffer.destroy()
  }
}

/** `reason` is the short label in the error's type; `message` what the operator reads. */
function unavailable(reason: string, message: string): GpuError {
  return new GpuError({ code: 'GPU_BACKEND_UNAVAILABLE', backend: 'webgpu', reason }, message)
}

function deviceFailed(message: string): GpuError {
  return new GpuError({ code: 'GPU_DEVICE_FAILED', backend: 'webgpu' }, message)
}
