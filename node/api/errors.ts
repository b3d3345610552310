import { HcxError } from '../../errors/hcx-error.ts'

export const API_ERROR_CODES = [
  'API_PORT_IN_USE',
  'API_NOT_RUNNING',
  'API_UNAUTHORIZED',
  'API_REQUEST_FAILED',
  'API_BAD_CAPACITY_CLASS',
  'API_BAD_ORDER',
  'API_BAD_DEPTH',
  'API_BAD_AMOUNT',
] as const
export type ApiErrorType =
  | { code: 'API_PORT_IN_USE'; port: number }
  | { code: 'API_NOT_RUNNING'; dataDir: string }
  | { code: 'API_UNAUTHORIZED' }
  | { code: 'API_REQUEST_FAILED'; status: number }
  | { code: 'API_BAD_CAPACITY_CLASS' | 'API_BAD_ORDER' | 'API_BAD_DEPTH' | 'API_BAD_AMOUNT' }

export class ApiError extends HcxError<ApiErrorType> {}
