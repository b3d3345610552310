import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../../../protocols/codec/cbor.ts'
import { ProtocolError } from '../../../../protocols/errors.ts'
import { MARKET_LIMITS } from '../../../../protocols/market/limits.ts'
import {
  type CancelBody,
  encodeCancelBody,
  encodeOrderBody,
  encodeTradeBody,
  messageId,
  type OrderBody,
  type SignedCancel,
  type SignedOrder,
  type SignedTrade,
  type TradeBody,
} from '../../../../protocols/market/messages.ts'
import {
  decodeCapacityMessage,
  decodeOrderTopicMessage,
  decodeTradeTopicMessage,
  encodeCapacityMessage,
  encodeOrderTopicMessage,
  encodeTradeTopicMessage,
  type RawSignedTrade,
} from '../../../../protocols/market/wire.ts'

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)

/** 64 bytes standing in for a signature: the wire layer frames it without checking it. */
const signature = (fill: number) => new Uint8Array(64).fill(fill)

function order(nonce: number): SignedOrder {
  const body: OrderBody = {
    v: 1,
    net: 'testnet',
    inst: 'SPOT:gpu.h100',
    side: 'buy',
    px: 2_500n,
    qty: 3n,
    tif: 'gtc',
    exp: 0,
    ts: NOW,
    nonce,
    owner: new Uint8Array(32).fill(1),
    acct: new Uint8Array(20).fill(2),
    minRep: 5_000,
  }
  const bodyBytes = encodeOrderBody(body)
  return { id: messageId(bodyBytes), body, bodyBytes, signature: signature(nonce) }
}

function cancel(of: SignedOrder): SignedCancel {
  const body: CancelBody = {
    v: 1,
    net: 'testnet',
    order: Uint8Array.from(Buffer.from(of.id, 'hex')),
    ts: NOW + 1,
    owner: of.body.owner,
  }
  return { body, bodyBytes: encodeCancelBody(body), signature: signature(0xcc) }
}

function trade(seq: number): SignedTrade {
  const maker = order(1)
  const taker = order(2)
  const body: TradeBody = {
    v: 1,
    net: 'testnet',
    inst: maker.body.inst,
    px: maker.body.px,
    qty: 1n,
    maker: Uint8Array.from(Buffer.from(maker.id, 'hex')),
    taker: Uint8Array.from(Buffer.from(taker.id, 'hex')),
    makerOwner: maker.body.owner,
    takerOwner: taker.body.owner,
    makerAcct: maker.body.acct,
    takerAcct: taker.body.acct,
    takerSide: 'sell',
    ts: NOW + 2,
    seq,
  }
  const bodyBytes = encodeTradeBody(body)
  return {
    id: messageId(bodyBytes),
    body,
    bodyBytes,
    makerSignature: signature(1),
    takerSignature: signature(2),
  }
}

/** A batch of `count` raw order items with bodies of `bodySize` bytes. */
function rawBatch(count: number, bodySize = 16, tag = 'o'): Uint8Array {
  return encodeCbor(Array.from({ length: count }, () => [tag, new Uint8Array(bodySize), signature(9)]))
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

function expectProtocolError(fn: () => unknown, code: ProtocolError['code']): void {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(ProtocolError)
  expect((err as ProtocolError).code).toBe(code)
}

describe('order topic framing', () => {
  it('round-trips a batch of orders and cancels, in order and with their kinds', () => {
    const first = order(1)
    const second = order(2)
    const withdrawn = cancel(first)
    const decoded = decodeOrderTopicMessage(encodeOrderTopicMessage([first, withdrawn, second]))
    expect(decoded.map(({ kind, bodyBytes, signature }) => [kind, hex(bodyBytes), hex(signature)])).toEqual([
      ['order', hex(first.bodyBytes), hex(first.signature)],
      ['cancel', hex(withdrawn.bodyBytes), hex(withdrawn.signature)],
      ['order', hex(second.bodyBytes), hex(second.signature)],
    ])
  })

  it('accepts a batch of exactly maxBatchItems items', () => {
    expect(decodeOrderTopicMessage(rawBatch(MARKET_LIMITS.maxBatchItems))).toHaveLength(
      MARKET_LIMITS.maxBatchItems,
    )
  })

  it('refuses an empty batch as malformed', () => {
    expectProtocolError(() => decodeOrderTopicMessage(encodeCbor([])), 'PROTOCOL_MALFORMED')
  })

  it('refuses a batch of more than maxBatchItems items as malformed', () => {
    expectProtocolError(
      () => decodeOrderTopicMessage(rawBatch(MARKET_LIMITS.maxBatchItems + 1)),
      'PROTOCOL_MALFORMED',
    )
  })

  it('refuses an item of an unknown kind as malformed', () => {
    expectProtocolError(() => decodeOrderTopicMessage(rawBatch(1, 16, 't')), 'PROTOCOL_MALFORMED')
  })

  it('refuses an item that is not [kind, body, signature] as malformed', () => {
    expectProtocolError(
      () => decodeOrderTopicMessage(encodeCbor([['o', new Uint8Array(4)]])),
      'PROTOCOL_MALFORMED',
    )
    expectProtocolError(
      () => decodeOrderTopicMessage(encodeCbor([['o', 'text', signature(1)]])),
      'PROTOCOL_MALFORMED',
    )
  })

  it('refuses a body over maxBodyBytes as too large', () => {
    expectProtocolError(
      () => decodeOrderTopicMessage(rawBatch(1, MARKET_LIMITS.maxBodyBytes + 1)),
      'PROTOCOL_TOO_LARGE',
    )
  })

  it('refuses a message over maxGossipBytes as too large, though each item is within its caps', () => {
    const data = rawBatch(MARKET_LIMITS.maxBatchItems, MARKET_LIMITS.maxBodyBytes)
    expect(data.byteLength).toBeGreaterThan(MARKET_LIMITS.maxGossipBytes)
    expectProtocolError(() => decodeOrderTopicMessage(data), 'PROTOCOL_TOO_LARGE')
  })

  it('refuses bytes that are not CBOR as malformed', () => {
    expectProtocolError(
      () => decodeOrderTopicMessage(new Uint8Array([0xff, 0xfe, 0x00])),
      'PROTOCOL_MALFORMED',
    )
    expectProtocolError(
      () => decodeOrderTopicMessage(new TextEncoder().encode('hello')),
      'PROTOCOL_MALFORMED',
    )
  })

  it('refuses a batch cut short as malformed', () => {
    const data = encodeOrderTopicMessage([order(1)])
    expectProtocolError(
      () => decodeOrderTopicMessage(data.subarray(0, data.byteLength - 1)),
      'PROTOCOL_MALFORMED',
    )
  })
})

describe('trade topic framing', () => {
  it('round-trips a batch of co-signed trades', () => {
    const trades = [trade(0), trade(1)]
    const decoded = decodeTradeTopicMessage(encodeTradeTopicMessage(trades))
    const asHex = (t: RawSignedTrade) => [hex(t.bodyBytes), hex(t.makerSignature), hex(t.takerSignature)]
    expect(decoded.map(asHex)).toEqual(trades.map(asHex))
  })

  it('refuses a trade item missing its taker signature as malformed', () => {
    const data = encodeCbor([[new Uint8Array(3), signature(1)]])
    expectProtocolError(() => decodeTradeTopicMessage(data), 'PROTOCOL_MALFORMED')
  })
})

describe('capacity advert framing', () => {
  it('round-trips a body and its signature', () => {
    const bodyBytes = new Uint8Array([5, 6, 7])
    const decoded = decodeCapacityMessage(encodeCapacityMessage(bodyBytes, signature(3)))
    expect([hex(decoded.bodyBytes), hex(decoded.signature)]).toEqual([hex(bodyBytes), hex(signature(3))])
  })

  it('refuses an advert that is not [body, signature] as malformed', () => {
    expectProtocolError(() => decodeCapacityMessage(encodeCbor([new Uint8Array(3)])), 'PROTOCOL_MALFORMED')
  })
})
