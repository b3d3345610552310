// Versioned schemas of the market's signed messages (orders, cancels, trades) and their
// deterministic CBOR encodings. Signatures are checked elsewhere (validate.ts).

import { hash } from 'node:crypto'
import { z } from 'zod'
import { decodeCbor, encodeCbor } from '../codec/cbor.ts'
import { ProtocolError } from '../errors.ts'
import { MARKET_LIMITS } from './limits.ts'

const bytes = (length: number) =>
  z.custom<Uint8Array>(
    (value) => value instanceof Uint8Array && value.byteLength === length,
    `must be ${length} bytes`,
  )
const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const millis = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const side = z.enum(['buy', 'sell'])

const orderSchema = z.strictObject({
  v: z.literal(1),
  net: z.string().min(1).max(64),
  inst: z.string().min(1).max(128),
  side,
  px: amount,
  qty: amount,
  tif: z.enum(['gtc', 'ioc', 'fok']),
  /** Unix ms after which the order is void; 0 for none. */
  exp: millis,
  ts: millis,
  nonce: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  owner: bytes(32),
  acct: bytes(20),
  /** Minimum counterparty reputation, 0..10000 (5000 neutral). */
  minRep: z.number().int().min(0).max(10_000),
  /** Public key of the full node that answers fills for a light client's order. */
  via: bytes(32).optional(),
})

const cancelSchema = z.strictObject({
  v: z.literal(1),
  net: z.string().min(1).max(64),
  order: bytes(32),
  ts: millis,
  owner: bytes(32),
})

const tradeSchema = z.strictObject({
  v: z.literal(1),
  net: z.string().min(1).max(64),
  inst: z.string().min(1).max(128),
  px: amount,
  qty: amount,
  maker: bytes(32),
  taker: bytes(32),
  makerOwner: bytes(32),
  takerOwner: bytes(32),
  makerAcct: bytes(20),
  takerAcct: bytes(20),
  takerSide: side,
  ts: millis,
  /** The taker's sequence number for this order's fills, so each trade id is unique. */
  seq: z.number().int().nonnegative().max(1_000_000),
})

const capacitySchema = z.strictObject({
  v: z.literal(1),
  net: z.string().min(1).max(64),
  owner: bytes(32),
  /** Capacity classes the provider sells, e.g. gpu.h100. */
  classes: z.array(z.string().min(1).max(64)).min(1).max(16),
  ts: millis,
})

type Wire<T> = Omit<T, 'px' | 'qty'> & { px: number; qty: number }
export type OrderBody = Omit<z.infer<typeof orderSchema>, 'px' | 'qty'> & { px: bigint; qty: bigint }
export type CancelBody = z.infer<typeof cancelSchema>
export type TradeBody = Omit<z.infer<typeof tradeSchema>, 'px' | 'qty'> & { px: bigint; qty: bigint }
export type CapacityBody = z.infer<typeof capacitySchema>
export type Side = OrderBody['side']
export type TimeInForce = OrderBody['tif']

export interface SignedOrder {
  /** sha256 of the body bytes, hex. */
  readonly id: string
  readonly body: OrderBody
  readonly bodyBytes: Uint8Array
  readonly signature: Uint8Array
}

export interface SignedCancel {
  readonly body: CancelBody
  readonly bodyBytes: Uint8Array
  readonly signature: Uint8Array
}

export interface SignedTrade {
  readonly id: string
  readonly body: TradeBody
  readonly bodyBytes: Uint8Array
  readonly makerSignature: Uint8Array
  readonly takerSignature: Uint8Array
}

/** Signature domains keep a signature over one kind of message from verifying as another. */
export const SIGNING_DOMAINS = {
  order: new TextEncoder().encode('hcx/order/1\0'),
  cancel: new TextEncoder().encode('hcx/cancel/1\0'),
  trade: new TextEncoder().encode('hcx/trade/1\0'),
  capacity: new TextEncoder().encode('hcx/capacity/1\0'),
} as const

export function messageId(bodyBytes: Uint8Array): string {
  return hash('sha256', bodyBytes, 'hex')
}

export function encodeOrderBody(body: OrderBody): Uint8Array {
  const { via, ...rest } = body
  return encodeCbor({
    ...rest,
    ...(via === undefined ? {} : { via }),
    px: Number(body.px),
    qty: Number(body.qty),
  })
}

export function encodeCancelBody(body: CancelBody): Uint8Array {
  return encodeCbor(body)
}

export function encodeTradeBody(body: TradeBody): Uint8Array {
  return encodeCbor({ ...body, px: Number(body.px), qty: Number(body.qty) })
}

export function encodeCapacityBody(body: CapacityBody): Uint8Array {
  return encodeCbor(body)
}

export function decodeCapacityBody(bodyBytes: Uint8Array): CapacityBody {
  return parse(capacitySchema, decodeCbor(bodyBytes, MARKET_LIMITS.maxBodyBytes * 2), 'capacity advert')
}

export function decodeOrderBody(bodyBytes: Uint8Array): OrderBody {
  const wire = parse(orderSchema, decodeCbor(bodyBytes, MARKET_LIMITS.maxBodyBytes), 'order')
  return withAmounts(wire)
}

export function decodeCancelBody(bodyBytes: Uint8Array): CancelBody {
  return parse(cancelSchema, decodeCbor(bodyBytes, MARKET_LIMITS.maxBodyBytes), 'cancel')
}

export function decodeTradeBody(bodyBytes: Uint8Array): TradeBody {
  return withAmounts(parse(tradeSchema, decodeCbor(bodyBytes, MARKET_LIMITS.maxBodyBytes), 'trade'))
}

function withAmounts<T extends Wire<{ px: bigint; qty: bigint }>>(
  wire: T,
): Omit<T, 'px' | 'qty'> & { px: bigint; qty: bigint } {
  return { ...wire, px: BigInt(wire.px), qty: BigInt(wire.qty) }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ProtocolError(
      { code: 'PROTOCOL_MALFORMED', reason: what },
      `malformed ${what}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    )
  }
  return result.data
}
