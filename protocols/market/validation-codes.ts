// Every outcome of validating a market message, each tagged IGNORE (seen, stale, not for
// us: an honest peer may send it) or REJECT (malformed or lying: only a faulty or hostile
// peer sends it, and gossipsub lowers its score).

export const VALIDATION_CODES = {
  MESSAGE_TOO_LARGE: 'reject',
  MESSAGE_MALFORMED: 'reject',
  MESSAGE_WRONG_NETWORK: 'reject',
  MESSAGE_FROM_FUTURE: 'ignore',
  MESSAGE_STALE: 'ignore',
  MESSAGE_REPLAYED: 'reject',
  MESSAGE_DUPLICATE: 'ignore',
  MESSAGE_BAD_SIGNATURE: 'reject',
  ORDER_BAD_INSTRUMENT: 'reject',
  ORDER_OFF_TICK: 'reject',
  ORDER_EXPIRED: 'ignore',
  ORDER_LONG_EXPIRED: 'reject',
  ORDER_NONCE_REUSED: 'reject',
  TRADE_INCONSISTENT: 'reject',
  CANCEL_NOT_OWNER: 'reject',
  CAPACITY_BAD_CLASS: 'reject',
  VALIDATOR_INTERNAL: 'ignore',
} as const

export type ValidationCode = keyof typeof VALIDATION_CODES
export type ValidationResult = 'accept' | 'ignore' | 'reject'
export const VALIDATION_CODE_LIST = Object.keys(VALIDATION_CODES) as ValidationCode[]

export type Validated<T> =
  | { result: 'accept'; value: T }
  | { result: 'ignore' | 'reject'; code: ValidationCode }

export function refuse(code: ValidationCode): { result: 'ignore' | 'reject'; code: ValidationCode } {
  return { result: VALIDATION_CODES[code], code }
}
