// One interface over every engine that multiplies matrices: the CPU engine (always there),
// WebGPU (Dawn; a real GPU or Mesa's lavapipe) and CUDA (a Python worker with PyTorch or CuPy).
import type { Matrix } from '../matrix/matrix.ts'

export const BACKEND_IDS = ['cpu', 'webgpu', 'cuda'] as const
export type BackendId = (typeof BACKEND_IDS)[number]

export interface ComputeDevice {
  /** What the backend reports it runs on, e.g. `NVIDIA H100 80GB HBM3` or the CPU model. */
  readonly name: string
  /** The class its time sells as (`gpu.h100`, `cpu.x86`). */
  readonly capacityClass: string
  /** Devices a run occupies in the class unit: cores for a CPU class, 1 for a GPU. */
  readonly units: number
}

export interface MatmulRun {
  /** C = A x B. */
  readonly c: Matrix
  /** Time on the device including transfers to and from it, excluding input generation. */
  readonly deviceMs: number
  readonly peakMemoryBytes: number
}

export interface MatmulBackend {
  readonly id: BackendId
  readonly device: ComputeDevice
  /** A (n x k) times B (k x m), in float32. Integer-valued inputs whose partial sums stay below 2^24 give exact results. */
  matmul(a: Matrix, b: Matrix, signal?: AbortSignal): Promise<MatmulRun>
  /** Releases the device; idempotent. */
  close(): Promise<void>
}
