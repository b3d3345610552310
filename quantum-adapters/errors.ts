import { HcxError } from '../errors/hcx-error.ts'

export const QPU_ERROR_CODES = [
  'QPU_TOO_MANY_QUBITS',
  'QPU_BAD_SHOTS',
  'QPU_UNKNOWN_BACKEND',
  'QPU_CREDENTIALS_MISSING',
  'QPU_PROVIDER_UNREACHABLE',
  'QPU_PROVIDER_REFUSED',
  'QPU_PROVIDER_MALFORMED',
  'QPU_UNKNOWN_JOB',
  'QPU_JOB_NOT_DONE',
  'QPU_JOB_FAILED',
  'QPU_JOB_CANCELLED',
  'QPU_UNSUPPORTED_CIRCUIT',
] as const

export type QpuErrorType =
  /** The state would not fit in the memory the simulator may use. */
  | { code: 'QPU_TOO_MANY_QUBITS'; qubits: number; limit: number }
  | { code: 'QPU_BAD_SHOTS'; shots: number; maxShots: number }
  | { code: 'QPU_UNKNOWN_BACKEND'; backend: string }
  /** A real-QPU adapter has no key, token or account to use. */
  | { code: 'QPU_CREDENTIALS_MISSING'; backend: string; variables: readonly string[] }
  | { code: 'QPU_PROVIDER_UNREACHABLE'; backend: string; url: string }
  /** The provider answered with an HTTP error or an error document. */
  | { code: 'QPU_PROVIDER_REFUSED'; backend: string; status: number }
  /** The provider answered something that is not in its published format. */
  | { code: 'QPU_PROVIDER_MALFORMED'; backend: string }
  | { code: 'QPU_UNKNOWN_JOB'; backend: string; jobId: string }
  | { code: 'QPU_JOB_NOT_DONE'; backend: string; jobId: string; status: string }
  | { code: 'QPU_JOB_FAILED'; backend: string; jobId: string }
  | { code: 'QPU_JOB_CANCELLED'; backend: string; jobId: string }
  /** The circuit uses something this backend cannot run (too wide, a gate it cannot express). */
  | { code: 'QPU_UNSUPPORTED_CIRCUIT'; backend: string }

export class QpuError extends HcxError<QpuErrorType> {}
