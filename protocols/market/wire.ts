// Framing of signed items on gossip topics and stream protocols: a gossip message is a
// publisher's batch, a CBOR array of signed items, so several orders can share one message.

import { decodeCbor, encodeCbor } from '../codec/cbor.ts'
import { ProtocolError } from '../errors.ts'
import { MARKET_LIMITS } from './limits.ts'
import type { SignedCancel, SignedOrder, SignedTrade } from './messages.ts'

/** A signed order or cancel as framed on the wire, before its body is decoded. */
export interface RawSignedItem {
  kind: 'order' | 'cancel'
  bodyBytes: Uint8Array
  signature: Uint8Array
}

export interface RawSignedTrade {
  bodyBytes: Uint8Array
  makerSignature: Uint8Array
  takerSignature: Uint8Array
}

const KIND_TAGS = { order: 'o', cancel: 'c' } as const

export function encodeOrderTopicMessage(items: Array<SignedOrder | SignedCancel>): Uint8Array {
  return encodeCbor(items.map((item) => ['id' in item ? 'o' : 'c', item.bodyBytes, item.signature]))
}

export function decodeOrderTopicMessage(data: Uint8Array): RawSignedItem[] {
  return batch(data).map((item) => {
    if (!Array.isArray(item) || item.length !== 3) throw malformed('an item is not [kind, body, signature]')
    const [tag, bodyBytes, signature] = item as unknown[]
    const kind = tag === KIND_TAGS.order ? 'order' : tag === KIND_TAGS.cancel ? 'cancel' : undefined
    if (kind === undefined) throw malformed(`unknown item kind ${JSON.stringify(tag)}`)
    return { kind, bodyBytes: byteString(bodyBytes), signature: byteString(signature) }
  })
}

export function encodeTradeTopicMessage(trades: SignedTrade[]): Uint8Array {
  return encodeCbor(trades.map(encodeTradeItem))
}

export function decodeTradeTopicMessage(data: Uint8Array): RawSignedTrade[] {
  return batch(data).map(decodeTradeItem)
}

export function encodeTradeItem(trade: SignedTrade | RawSignedTrade): Uint8Array[] {
  return [trade.bodyBytes, trade.makerSignature, trade.takerSignature]
}

export function decodeTradeItem(item: unknown): RawSignedTrade {
  if (!Array.isArray(item) || item.length !== 3) throw malformed('a trade is not [body, makerSig, takerSig]')
  const [bodyBytes, makerSignature, takerSignature] = item as unknown[]
  return {
    bodyBytes: byteString(bodyBytes),
    makerSignature: byteString(makerSignature),
    takerSignature: byteString(takerSignature),
  }
}

/** A capacity advert travels alone: one provider, one message. */
export function encodeCapacityMessage(bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCbor([bodyBytes, signature])
}

export function decodeCapacityMessage(data: Uint8Array): { bodyBytes: Uint8Array; signature: Uint8Array } {
  const decoded = decodeCbor(data, 4 * MARKET_LIMITS.maxBodyBytes)
  if (!Array.isArray(decoded) || decoded.length !== 2)
    throw malformed('a capacity advert is not [body, signature]')
  const [bodyBytes, signature] = decoded as unknown[]
  if (!(bodyBytes instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw malformed('a capacity advert is not [body, signature]')
  }
  return { bodyBytes, signature }
}

export function encodeOrderItem(order: SignedOrder): Uint8Array[] {
  return [order.bodyBytes, order.signature]
}

export function decodeOrderItem(item: unknown): { bodyBytes: Uint8Array; signature: Uint8Array } {
  if (!Array.isArray(item) || item.length !== 2) throw malformed('an order is not [body, signature]')
  return { bodyBytes: byteString(item[0]), signature: byteString(item[1]) }
}

function batch(data: Uint8Array): unknown[] {
  const decoded = decodeCbor(data, MARKET_LIMITS.maxGossipBytes)
  if (!Array.isArray(decoded) || decoded.length === 0)
    throw malformed('a gossip message is not a non-empty array')
  if (decoded.length > MARKET_LIMITS.maxBatchItems) {
    throw malformed(`a batch of ${decoded.length} items exceeds ${MARKET_LIMITS.maxBatchItems}`)
  }
  return decoded
}

function byteString(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed('expected a byte string')
  if (value.byteLength > MARKET_LIMITS.maxBodyBytes) {
    throw new ProtocolError(
      { code: 'PROTOCOL_TOO_LARGE', size: value.byteLength, limit: MARKET_LIMITS.maxBodyBytes },
      `a signed body of ${value.byteLength} bytes exceeds the limit of ${MARKET_LIMITS.maxBodyBytes}`,
    )
  }
  return value
}

function malformed(reason: string): ProtocolError {
  return new ProtocolError({ code: 'PROTOCOL_MALFORMED', reason }, `malformed market message: ${reason}`)
}
