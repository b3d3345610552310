// The Ethereum address of a secp256k1 key: the last 20 bytes of keccak256 of the uncompressed
// public key, written with the EIP-55 mixed-case checksum.

import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'

export function ethereumAddress(privateKey: Uint8Array): string {
  const publicKey = secp256k1.getPublicKey(privateKey, false)
  const hex = Buffer.from(keccak_256(publicKey.subarray(1)).subarray(12)).toString('hex')
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(hex))).toString('hex')
  let out = '0x'
  for (let i = 0; i < hex.length; i++) {
    out += Number.parseInt(hash[i] as string, 16) >= 8 ? (hex[i] as string).toUpperCase() : hex[i]
  }
  return out
}

export function isValidSecp256k1Key(privateKey: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(privateKey)
}

export function randomSecp256k1Key(): Uint8Array {
  return secp256k1.utils.randomSecretKey()
}
