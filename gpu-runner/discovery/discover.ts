// What this machine can sell, measured rather than guessed: the CPU, the NVIDIA GPUs the driver
// lists, the WebGPU adapters, then each backend opened for real (and, when asked, timed on a
// short product). The CUDA worker is started only with the operator's --allow-gpu.
import { describeError } from '../../errors/hcx-error.ts'
import { classSpec } from '../../ledger/instruments/class-spec.ts'
import { BACKEND_IDS, type BackendId, type ComputeDevice } from '../backends/backend.ts'
import { openBackend } from '../backends/open-backend.ts'
import { type Calibration, calibrate } from './calibrate.ts'
import { type CpuInfo, describeCpu } from './cpu.ts'
import { type NvidiaSmiReport, queryNvidiaSmi } from './nvidia-smi.ts'
import type { WebgpuAdapterInfo } from './webgpu-adapters.ts'

export type { WebgpuAdapterInfo }

export interface DiscoverOptions {
  /** The operator's --allow-gpu: without it the CUDA worker is not started, only reported. */
  readonly allowGpu: boolean
  /** Time a short product on each backend that opens. */
  readonly calibrate: boolean
  readonly signal?: AbortSignal
  /** The Python interpreter for the CUDA worker. */
  readonly python?: string
  /** The nvidia-smi to ask; found on PATH by default. */
  readonly nvidiaSmi?: string
}

export interface BackendReport {
  readonly id: BackendId
  readonly available: boolean
  /** Why it is not available. */
  readonly reason?: string
  readonly device?: ComputeDevice
  readonly calibration?: Calibration
}

export interface CapacityOffer {
  readonly capacityClass: string
  /** The class's metering unit: `gpu-second` or `core-second`. */
  readonly unit: string
  /** How many of the unit this machine has: GPUs of the class, or logical cores. */
  readonly units: number
  /** Float32 GFLOP/s the calibration measured on the backend's device; null without calibration. */
  readonly gflops: number | null
  /** Float32 TFLOP the whole offer (every unit at once) performs per second; null without calibration. */
  readonly tflopSecondsPerSecond: number | null
  /** The backend whose device and calibration the offer is based on. */
  readonly measuredBy: BackendId
}

export interface DiscoveryReport {
  readonly cpu: CpuInfo
  readonly nvidia: NvidiaSmiReport
  readonly webgpu: WebgpuAdapterInfo[]
  readonly backends: BackendReport[]
  readonly capacity: CapacityOffer[]
}

export async function discover(options: DiscoverOptions): Promise<DiscoveryReport> {
  const { signal } = options
  const [nvidia, webgpu] = await Promise.all([
    queryNvidiaSmi({
      ...(options.nvidiaSmi === undefined ? {} : { binary: options.nvidiaSmi }),
      ...(signal === undefined ? {} : { signal }),
    }),
    webgpuAdapters(),
  ])
  const backends: BackendReport[] = []
  // One at a time: calibrations running side by side would compete for the same cores.
  for (const id of BACKEND_IDS) {
    signal?.throwIfAborted()
    backends.push(await probe(id, options))
  }
  return { cpu: describeCpu(), nvidia, webgpu, backends, capacity: capacityOffers(backends, nvidia) }
}

async function webgpuAdapters(): Promise<WebgpuAdapterInfo[]> {
  try {
    // Loaded on demand: WebGPU's native engine failing to load must not stop the rest of discovery.
    const { listWebgpuAdapters } = await import('./webgpu-adapters.ts')
    return await listWebgpuAdapters()
  } catch {
    // The webgpu backend's own entry says why it cannot run.
    return []
  }
}

async function probe(id: BackendId, options: DiscoverOptions): Promise<BackendReport> {
  if (id === 'cuda' && !options.allowGpu) return { id, available: false, reason: 'start with --allow-gpu' }
  let backend: Awaited<ReturnType<typeof openBackend>>
  try {
    backend = await openBackend(id, {
      allowGpu: options.allowGpu,
      ...(options.python === undefined ? {} : { python: options.python }),
    })
  } catch (err) {
    return { id, available: false, reason: describeError(err) }
  }
  const { name, capacityClass, units } = backend.device
  const device = { name, capacityClass, units }
  try {
    if (!options.calibrate) return { id, available: true, device }
    const calibration = await calibrate(
      backend,
      options.signal === undefined ? {} : { signal: options.signal },
    )
    return { id, available: true, device, calibration }
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason
    return { id, available: false, reason: `its calibration product failed: ${describeError(err)}`, device }
  } finally {
    await backend.close()
  }
}

/**
 * One offer per capacity class, from the available backends: where several backends reach the
 * same class (WebGPU and CUDA on one GPU), the fastest measurement stands for it.
 */
export function capacityOffers(backends: readonly BackendReport[], nvidia: NvidiaSmiReport): CapacityOffer[] {
  const best = new Map<string, { id: BackendId; device: ComputeDevice; gflops: number | null }>()
  for (const report of backends) {
    if (!report.available || report.device === undefined) continue
    const gflops = report.calibration?.gflops ?? null
    const current = best.get(report.device.capacityClass)
    if (current === undefined || (gflops ?? -1) > (current.gflops ?? -1)) {
      best.set(report.device.capacityClass, { id: report.id, device: report.device, gflops })
    }
  }
  return [...best.entries()].map(([capacityClass, { id, device, gflops }]) => {
    // A backend drives one GPU; the driver says how many of that model the machine holds.
    const sameModel = nvidia.gpus.filter((gpu) => gpu.capacityClass === capacityClass).length
    const units = capacityClass.startsWith('gpu.') ? Math.max(sameModel, device.units) : device.units
    return {
      capacityClass,
      unit: classSpec(capacityClass).unit,
      units,
      gflops,
      tflopSecondsPerSecond: gflops === null ? null : ((gflops / device.units) * units) / 1000,
      measuredBy: id,
    }
  })
}
