// The WebGPU adapters this machine offers, for device discovery. Each power preference may
// pick a different adapter (an integrated and a discrete GPU), so all three are asked and the
// answers merged. Discovery never fails: no `webgpu` module, no driver or no adapter is an
// empty list.
import { adapterIdentity } from '../backends/webgpu/adapter-identity.ts'
import { loadDawn } from '../backends/webgpu/dawn.ts'
import { maxMatrixBytes } from '../backends/webgpu/job-buffers.ts'

export interface WebgpuAdapterInfo {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  /** True when the adapter runs on the CPU (lavapipe, SwiftShader, WARP). */
  readonly fallback: boolean
  readonly capacityClass: string
  /** The largest matrix, in bytes, one buffer binding can hold: the biggest side of a job. */
  readonly maxBufferBytes: number
}

const PREFERENCES: readonly (GPUPowerPreference | undefined)[] = ['high-performance', 'low-power', undefined]

export async function listWebgpuAdapters(): Promise<WebgpuAdapterInfo[]> {
  try {
    const dawn = await loadDawn()
    // One instance for every request, referenced until the last adapter has been read.
    const gpu = dawn.createGpu()
    const found = new Map<string, WebgpuAdapterInfo>()
    for (const powerPreference of PREFERENCES) {
      const adapter = await requestQuietly(gpu, powerPreference)
      if (adapter === null) continue
      const entry = describe(adapter)
      const key = [entry.vendor, entry.architecture, entry.device, entry.description, entry.fallback].join(
        '\u0000',
      )
      if (!found.has(key)) found.set(key, entry)
    }
    return [...found.values()]
  } catch {
    return []
  }
}

async function requestQuietly(
  gpu: GPU,
  powerPreference: GPUPowerPreference | undefined,
): Promise<GPUAdapter | null> {
  try {
    return await gpu.requestAdapter(powerPreference === undefined ? {} : { powerPreference })
  } catch {
    return null
  }
}

function describe(adapter: GPUAdapter): WebgpuAdapterInfo {
  const { info, limits } = adapter
  const identity = adapterIdentity(info)
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    fallback: identity.fallback,
    capacityClass: identity.capacityClass,
    maxBufferBytes: maxMatrixBytes(limits),
  }
}
