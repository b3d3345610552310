// What a WebGPU adapter is, for the market: a readable name, whether it is really the CPU
// (lavapipe, llvmpipe, SwiftShader, WARP) and the capacity class its time sells as. A
// software adapter sells CPU core-seconds like the cpu backend, not GPU time.
import { availableParallelism } from 'node:os'
import { cpuCapacityClass, gpuCapacityClass } from '../../discovery/capacity-class.ts'
import type { ComputeDevice } from '../backend.ts'

/** The fields of GPUAdapterInfo that identify an adapter; Dawn leaves some empty. */
export interface AdapterInfoFields {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  /** Dawn sets this for a CPU adapter (Vulkan's VK_PHYSICAL_DEVICE_TYPE_CPU, SwiftShader, WARP). */
  readonly isFallbackAdapter?: boolean
}

export interface AdapterIdentity extends ComputeDevice {
  /** True for an adapter that runs on the CPU. */
  readonly fallback: boolean
}

// Names of the software rasterizers, for drivers that do not flag themselves as fallback.
const SOFTWARE_ADAPTER =
  /\b(llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render driver|warp)\b/i

export function isSoftwareAdapter(info: AdapterInfoFields): boolean {
  if (info.isFallbackAdapter === true) return true
  return [info.vendor, info.architecture, info.device, info.description].some((field) =>
    SOFTWARE_ADAPTER.test(field),
  )
}

/**
 * The driver's description when there is one (`NVIDIA H100 80GB HBM3`, `llvmpipe: Mesa 25.0.7
 * (LLVM 15.0.6)`), else the vendor, architecture and device fields that are set.
 */
export function adapterName(info: AdapterInfoFields): string {
  const description = info.description.trim()
  const vendor = info.vendor.trim()
  if (description !== '') {
    return vendor === '' || description.toLowerCase().includes(vendor.toLowerCase())
      ? description
      : `${vendor} ${description}`
  }
  const parts = [vendor, info.architecture.trim(), info.device.trim()].filter((part) => part !== '')
  return parts.length > 0 ? parts.join(' ') : 'unnamed WebGPU adapter'
}

export function adapterIdentity(info: AdapterInfoFields): AdapterIdentity {
  const name = adapterName(info)
  if (isSoftwareAdapter(info)) {
    return { name, capacityClass: cpuCapacityClass(), units: availableParallelism(), fallback: true }
  }
  return { name, capacityClass: gpuCapacityClass(name), units: 1, fallback: false }
}
