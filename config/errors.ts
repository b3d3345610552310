import { HcxError } from '../errors/hcx-error.ts'

export const CONFIG_ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_FILE_UNREADABLE',
  'CONFIG_FILE_MALFORMED',
] as const
export type ConfigErrorType =
  | { code: 'CONFIG_INVALID'; key: string; value: unknown; source: string }
  | { code: 'CONFIG_FILE_UNREADABLE'; path: string }
  | { code: 'CONFIG_FILE_MALFORMED'; path: string }

export class ConfigError extends HcxError<ConfigErrorType> {}
