import { HcxError } from '../../errors/hcx-error.ts'

export const IDENTITY_ERROR_CODES = [
  'KEYS_EXIST',
  'KEYS_MISSING',
  'KEY_FILE_INVALID',
  'KEY_FILE_UNSAFE',
] as const
export type IdentityErrorType =
  | { code: 'KEYS_EXIST'; path: string }
  | { code: 'KEYS_MISSING'; path: string }
  | { code: 'KEY_FILE_INVALID'; path: string }
  | { code: 'KEY_FILE_UNSAFE'; path: string; mode: number }

export class IdentityError extends HcxError<IdentityErrorType> {}
