// Refusals of instrument ids, prices and quantities: each names the field and the input so the
// edge that received it can tell the user what to correct.
import { HcxError } from '../../errors/hcx-error.ts'

export const INSTRUMENT_ERROR_CODES = ['INSTRUMENT_INVALID', 'PRICE_INVALID', 'QUANTITY_INVALID'] as const
export type InstrumentErrorType =
  | { code: 'INSTRUMENT_INVALID'; field: string; input: string }
  | { code: 'PRICE_INVALID'; capacityClass: string; input: string }
  | { code: 'QUANTITY_INVALID'; capacityClass: string; input: string }

export class InstrumentError extends HcxError<InstrumentErrorType> {}

const QUOTE_MAX = 64

/** Quotes untrusted input for a message, clipped so a hostile string cannot flood a log line. */
export function quoteInput(input: string): string {
  return JSON.stringify(clipInput(input))
}

/** The input as kept on the error type: bounded, because errors travel to logs and metrics. */
export function clipInput(input: string): string {
  return input.length > QUOTE_MAX ? `${input.slice(0, QUOTE_MAX)}…` : input
}
