import { HcxError } from '../../errors/hcx-error.ts'

export const STORE_ERROR_CODES = ['STORE_LOCKED', 'STORE_OPEN_FAILED', 'STORE_WRONG_NODE'] as const
export type StoreErrorType =
  | { code: 'STORE_LOCKED'; path: string }
  | { code: 'STORE_OPEN_FAILED'; path: string }
  | { code: 'STORE_WRONG_NODE'; path: string; expected: string; found: string }

export class StoreError extends HcxError<StoreErrorType> {}
