// Deterministic CBOR (RFC 8949 core deterministic encoding) for everything hcx signs or
// sends. Decoding is strict and checks the length first, so hostile bytes cost little.

import { decode, encode, rfc8949EncodeOptions } from 'cborg'
import { ProtocolError } from '../errors.ts'

const STRICT_DECODE = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  rejectDuplicateMapKeys: true,
  allowBigInt: true,
} as const

export function encodeCbor(value: unknown): Uint8Array {
  return encode(value, rfc8949EncodeOptions)
}

/** Decodes one CBOR item of at most `maxBytes`; any other input is a ProtocolError. */
export function decodeCbor(bytes: Uint8Array, maxBytes: number): unknown {
  if (bytes.byteLength > maxBytes) {
    throw new ProtocolError(
      { code: 'PROTOCOL_TOO_LARGE', size: bytes.byteLength, limit: maxBytes },
      `message of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`,
    )
  }
  try {
    return decode(bytes, STRICT_DECODE)
  } catch (err) {
    throw new ProtocolError(
      { code: 'PROTOCOL_MALFORMED', reason: 'cbor' },
      `not strict deterministic CBOR: ${(err as Error).message}`,
    )
  }
}
