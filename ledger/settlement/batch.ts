// An epoch's net lines in the shape ClearingHouse.settleEpoch takes: grouped per account,
// accounts in increasing address order, each account's lines in increasing instrument-key
// order, and each account's EIP-712 signature over its own lines.

import { type Signer, type TypedDataDomain, TypedDataEncoder, verifyTypedData } from 'ethers'
import { instrumentKey } from '../netting/instrument-key.ts'
import type { NetLine } from '../netting/net-lines.ts'

export interface ChainLine {
  /** keccak256 of the canonical instrument id. */
  instrument: string
  position: bigint
  cash: bigint
}

export interface AccountLines {
  /** Lowercase 0x-prefixed address. */
  account: string
  lines: ChainLine[]
}

export interface SignedAccountLines extends AccountLines {
  signature: string
}

/** What each account signs; the contract hashes the same structure. */
export const NET_LINES_TYPES = {
  NetLines: [
    { name: 'epoch', type: 'uint64' },
    { name: 'tradesRoot', type: 'bytes32' },
    { name: 'account', type: 'address' },
    { name: 'lines', type: 'Line[]' },
  ],
  Line: [
    { name: 'instrument', type: 'bytes32' },
    { name: 'position', type: 'int256' },
    { name: 'cash', type: 'int256' },
  ],
}

export function clearingDomain(chainId: bigint, clearingHouse: string): TypedDataDomain {
  return { name: 'hcx ClearingHouse', version: '1', chainId, verifyingContract: clearingHouse }
}

/** Groups lines per account; `accounts` adds accounts whose trades netted to nothing. */
export function accountLines(lines: readonly NetLine[], accounts: Iterable<string> = []): AccountLines[] {
  const byAccount = new Map<string, ChainLine[]>()
  for (const account of accounts) byAccount.set(account.toLowerCase(), [])
  for (const line of lines) {
    const account = line.account.toLowerCase()
    let list = byAccount.get(account)
    if (list === undefined) {
      list = []
      byAccount.set(account, list)
    }
    list.push({ instrument: instrumentKey(line.instrument), position: line.position, cash: line.cash })
  }
  return [...byAccount.entries()]
    .sort(([a], [b]) => compareHex(a, b))
    .map(([account, list]) => ({
      account,
      lines: list.sort((a, b) => compareHex(a.instrument, b.instrument)),
    }))
}

export interface NetLinesMessage {
  epoch: bigint
  tradesRoot: string
  entry: AccountLines
}

function typedValue({ epoch, tradesRoot, entry }: NetLinesMessage) {
  return { epoch, tradesRoot, account: entry.account, lines: entry.lines }
}

export async function signNetLines(
  signer: Pick<Signer, 'signTypedData'>,
  domain: TypedDataDomain,
  message: NetLinesMessage,
): Promise<string> {
  return signer.signTypedData(domain, NET_LINES_TYPES, typedValue(message))
}

/** Whether `signature` is the entry account's signature over its lines. */
export function netLinesSigned(
  domain: TypedDataDomain,
  message: NetLinesMessage,
  signature: string,
): boolean {
  try {
    return (
      verifyTypedData(domain, NET_LINES_TYPES, typedValue(message), signature).toLowerCase() ===
      message.entry.account
    )
  } catch {
    return false
  }
}

export function netLinesDigest(domain: TypedDataDomain, message: NetLinesMessage): string {
  return TypedDataEncoder.hash(domain, NET_LINES_TYPES, typedValue(message))
}

/** Equal-length lowercase hex compares as numbers do. */
function compareHex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
