import { HcxError } from '../../errors/hcx-error.ts'

export const CHAIN_ERROR_CODES = [
  'CONTRACTS_NOT_BUILT',
  'CONTRACTS_FILE_INVALID',
  'CHAIN_UNREACHABLE',
  'CHAIN_CONTRACT_MISSING',
  'CHAIN_REVERTED',
  'CHAIN_REPLAY_FAILED',
  'CHAIN_NOT_DEVNET',
] as const
export type ChainErrorType =
  | { code: 'CONTRACTS_NOT_BUILT' }
  | { code: 'CONTRACTS_FILE_INVALID'; path: string }
  | { code: 'CHAIN_UNREACHABLE'; rpcUrl: string }
  | { code: 'CHAIN_CONTRACT_MISSING'; contract: string; address: string }
  /** `reason` is the contract's custom error name where it could be decoded. */
  | { code: 'CHAIN_REVERTED'; reason: string }
  | { code: 'CHAIN_REPLAY_FAILED'; index: number }
  | { code: 'CHAIN_NOT_DEVNET' }

export class ChainError extends HcxError<ChainErrorType> {}
