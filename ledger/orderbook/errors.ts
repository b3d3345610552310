// Errors of the limit-order-book engine: a caller handed it an order it cannot hold, or asked it to
// change an order that is not there or to fill more than rests.
import { HcxError } from '../../errors/hcx-error.ts'

export const ORDER_BOOK_ERROR_CODES = [
  'ORDER_BOOK_OVERFILL',
  'ORDER_BOOK_UNKNOWN_ORDER',
  'ORDER_BOOK_DUPLICATE_KEY',
  'ORDER_BOOK_INVALID_ORDER',
] as const
export type OrderBookErrorType =
  | { code: 'ORDER_BOOK_OVERFILL'; key: number; qty: number; remaining: number }
  | { code: 'ORDER_BOOK_UNKNOWN_ORDER'; key: number }
  | { code: 'ORDER_BOOK_DUPLICATE_KEY'; key: number }
  | { code: 'ORDER_BOOK_INVALID_ORDER'; key: number; field: string }

export class OrderBookError extends HcxError<OrderBookErrorType> {}
