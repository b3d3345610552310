import { HcxError } from '../../errors/hcx-error.ts'

export const CLI_ERROR_CODES = ['CLI_USAGE', 'CLI_OUTPUT_EXISTS', 'INTERNAL_ERROR'] as const
export type CliErrorType =
  | { code: 'CLI_USAGE' }
  | { code: 'CLI_OUTPUT_EXISTS'; path: string }
  | { code: 'INTERNAL_ERROR' }

export class CliError extends HcxError<CliErrorType> {}

/** A command line that cannot work as written (exit 2). */
export function usageError(message: string): CliError {
  return new CliError({ code: 'CLI_USAGE' }, message)
}
