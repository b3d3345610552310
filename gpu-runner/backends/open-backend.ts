// Opens a backend by id, enforcing the operator's permissions: the CUDA worker starts only with
// `--allow-gpu`. Each backend's module is loaded on demand, so a missing native engine affects
// only the backend that needs it.
import { existsSync, readdirSync } from 'node:fs'
import { platform } from 'node:os'
import { GpuError } from '../errors.ts'
import type { BackendId, MatmulBackend } from './backend.ts'

export interface BackendOptions {
  /** The operator's `--allow-gpu`: without it the CUDA worker is never started. */
  readonly allowGpu: boolean
  /** Threads for the cpu backend; defaults to every core. */
  readonly threads?: number
  /** The Python interpreter for the CUDA worker; defaults to `python3`. */
  readonly python?: string
}

export async function openBackend(id: BackendId, options: BackendOptions): Promise<MatmulBackend> {
  switch (id) {
    case 'cpu': {
      const { openCpuBackend } = await import('./cpu/cpu-backend.ts')
      return openCpuBackend(options.threads === undefined ? {} : { threads: options.threads })
    }
    case 'webgpu': {
      const { openWebgpuBackend } = await import('./webgpu/webgpu-backend.ts')
      return openWebgpuBackend()
    }
    case 'cuda': {
      if (!options.allowGpu) {
        throw new GpuError(
          { code: 'GPU_NOT_ALLOWED', backend: 'cuda' },
          'the cuda backend starts a GPU worker, which this node has not been allowed to do: pass --allow-gpu',
        )
      }
      const { openCudaBackend } = await import('./cuda/cuda-backend.ts')
      return openCudaBackend(options.python === undefined ? {} : { python: options.python })
    }
  }
}

/**
 * The fastest backend this machine may use: CUDA when allowed and present, then WebGPU on a
 * real GPU, then the cpu backend. WebGPU on a software adapter (lavapipe) is skipped: the cpu
 * backend is faster on the same cores.
 */
export async function openPreferredBackend(options: BackendOptions): Promise<MatmulBackend> {
  const gpus: BackendId[] = options.allowGpu ? ['cuda', 'webgpu'] : ['webgpu']
  const candidates = mayHaveGpu() ? gpus : []
  for (const id of candidates) {
    const backend = await openBackend(id, options).catch(() => undefined)
    if (backend === undefined) continue
    if (!backend.device.capacityClass.startsWith('cpu.')) return backend
    await backend.close()
  }
  return openBackend('cpu', options)
}

/**
 * False on a Linux machine with no GPU device node (no DRM render node, no /dev/nvidia0), where
 * only a software adapter could answer: probing for it would cost Dawn's start-up and warnings
 * for nothing. Elsewhere nothing is known, so the probe runs.
 */
function mayHaveGpu(): boolean {
  if (platform() !== 'linux') return true
  if (existsSync('/dev/nvidia0')) return true
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'))
  } catch {
    return false
  }
}
