import { HcxError } from '../errors/hcx-error.ts'

export const GPU_ERROR_CODES = [
  'GPU_BACKEND_UNAVAILABLE',
  'GPU_NOT_ALLOWED',
  'GPU_BAD_SHAPE',
  'GPU_BAD_MATRIX_FILE',
  'GPU_TOO_LARGE',
  'GPU_DEVICE_FAILED',
  'GPU_RESULT_INVALID',
] as const

export type GpuErrorType =
  /** The backend cannot run here: no device, no driver, no engine; `reason` says which. */
  | { code: 'GPU_BACKEND_UNAVAILABLE'; backend: string; reason: string }
  /** The backend exists but the operator has not allowed it (`--allow-gpu`). */
  | { code: 'GPU_NOT_ALLOWED'; backend: string }
  /** Matrix dimensions that do not fit together or are out of range. */
  | { code: 'GPU_BAD_SHAPE'; what: string }
  | { code: 'GPU_BAD_MATRIX_FILE'; file: string }
  /** The job would need more memory than the backend may use. */
  | { code: 'GPU_TOO_LARGE'; bytes: number; limit: number }
  /** The device or its worker failed while running a job. */
  | { code: 'GPU_DEVICE_FAILED'; backend: string }
  /** A claimed result failed its check. */
  | { code: 'GPU_RESULT_INVALID'; file: string }

export class GpuError extends HcxError<GpuErrorType> {}

/** A backend used after its close(). */
export function backendClosed(backend: string): GpuError {
  return new GpuError(
    { code: 'GPU_BACKEND_UNAVAILABLE', backend, reason: 'closed' },
    `the ${backend} backend was closed; open it again to run more products`,
  )
}
