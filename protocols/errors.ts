import { HcxError } from '../errors/hcx-error.ts'

export const PROTOCOL_ERROR_CODES = [
  'PROTOCOL_TOO_LARGE',
  'PROTOCOL_MALFORMED',
  'PROTOCOL_TIMEOUT',
  'PROTOCOL_STREAM_FAILED',
] as const
export type ProtocolErrorType =
  | { code: 'PROTOCOL_TOO_LARGE'; size: number; limit: number }
  | { code: 'PROTOCOL_MALFORMED'; reason: string }
  | { code: 'PROTOCOL_TIMEOUT'; protocol: string; timeoutMs: number }
  | { code: 'PROTOCOL_STREAM_FAILED'; protocol: string }

export class ProtocolError extends HcxError<ProtocolErrorType> {}
