import { HcxError } from '../../errors/hcx-error.ts'

export const MARKET_ERROR_CODES = [
  'ORDER_INVALID',
  'ORDER_NOT_FOUND',
  'MARKET_NO_GATEWAY',
  'MARKET_GATEWAY_UNREACHABLE',
  'MARKET_GATEWAY_REFUSED',
] as const
export type MarketErrorType =
  | { code: 'ORDER_INVALID'; reason: string }
  | { code: 'ORDER_NOT_FOUND'; orderId: string }
  | { code: 'MARKET_NO_GATEWAY' }
  | { code: 'MARKET_GATEWAY_UNREACHABLE' }
  | { code: 'MARKET_GATEWAY_REFUSED'; reason: string }

export class MarketError extends HcxError<MarketErrorType> {}
