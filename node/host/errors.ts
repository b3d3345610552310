import { HcxError } from '../../errors/hcx-error.ts'

export const HOST_ERROR_CODES = [
  'SWARM_KEY_UNREADABLE',
  'SWARM_KEY_INVALID',
  'ALLOW_LIST_UNREADABLE',
  'ALLOW_LIST_INVALID',
  'LISTEN_ADDRESS_IN_USE',
  'LISTEN_FAILED',
] as const
export type HostErrorType =
  | { code: 'SWARM_KEY_UNREADABLE'; path: string }
  | { code: 'SWARM_KEY_INVALID'; path: string }
  | { code: 'ALLOW_LIST_UNREADABLE'; path: string }
  | { code: 'ALLOW_LIST_INVALID'; path: string; line: number }
  | { code: 'LISTEN_ADDRESS_IN_USE'; addrs: string[] }
  | { code: 'LISTEN_FAILED'; addrs: string[] }

export class HostError extends HcxError<HostErrorType> {}
