// The on-chain key of an instrument: keccak256 of its canonical id's UTF-8 bytes, as
// ClearingHouse.position(account, instrument) takes it.

import { keccak_256 } from '@noble/hashes/sha3.js'

export function instrumentKey(instrument: string): string {
  return `0x${Buffer.from(keccak_256(new TextEncoder().encode(instrument))).toString('hex')}`
}
