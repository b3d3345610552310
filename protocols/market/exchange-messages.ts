// Requests and responses of the market's stream protocols: fill (a taker asks a maker's
// node to fill), book (a snapshot for a late joiner or a light client) and submit (a light
// client hands a signed order or cancel to its full node).

import { z } from 'zod'
import { decodeCbor, encodeCbor } from '../codec/cbor.ts'
import { ProtocolError } from '../errors.ts'
import { MARKET_LIMITS } from './limits.ts'

export const MARKET_PROTOCOLS = {
  fill: '/hcx/fill/1.0.0',
  book: '/hcx/book/1.0.0',
  submit: '/hcx/submit/1.0.0',
} as const

const byteString = z.custom<Uint8Array>(
  (value) => value instanceof Uint8Array && value.byteLength <= MARKET_LIMITS.maxBodyBytes,
  'expected a byte string within the body size limit',
)
const signedPair = z.tuple([byteString, byteString])
const signedTriple = z.tuple([byteString, byteString, byteString])

export const FILL_REFUSALS = [
  'FILL_MALFORMED',
  'FILL_UNKNOWN_ORDER',
  'FILL_UNAVAILABLE',
  'FILL_BAD_TERMS',
  'FILL_BAD_SIGNATURE',
  'FILL_REPUTATION',
  'FILL_NOT_ROUTABLE',
  'FILL_BUSY',
] as const
export type FillRefusal = (typeof FILL_REFUSALS)[number]

/**
 * A fill is one request, or for fill-or-kill across several makers two: `hold` reserves the
 * quantity for a few seconds without signing, then `commit` signs it (or `release` frees it).
 */
export const FILL_STAGES = ['hold', 'commit', 'release'] as const
export type FillStage = (typeof FILL_STAGES)[number]

const fillRequestSchema = z.strictObject({
  trade: byteString,
  takerSig: byteString,
  takerOrder: signedPair,
  stage: z.enum(FILL_STAGES).optional(),
})
const fillResponseSchema = z.union([
  z.strictObject({ ok: z.literal(true), makerSig: byteString }),
  z.strictObject({ ok: z.literal(true), held: z.boolean() }),
  z.strictObject({
    ok: z.literal(false),
    code: z.enum(FILL_REFUSALS),
    available: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
])

export type FillRequest = z.infer<typeof fillRequestSchema>
export type FillResponse = z.infer<typeof fillResponseSchema>

const bookRequestSchema = z.strictObject({
  inst: z.string().max(128).optional(),
  /** A light client asks its gateway to forward its fill requests from now on. */
  client: z.boolean().optional(),
})
const bookFrameSchema = z.strictObject({
  orders: z.array(signedPair).max(2_000),
  trades: z.array(signedTriple).max(4_000),
})
export type BookRequest = z.infer<typeof bookRequestSchema>
export type BookFrame = z.infer<typeof bookFrameSchema>

const submitRequestSchema = z.union([
  z.strictObject({ order: signedPair }),
  z.strictObject({ cancel: signedPair }),
])
const submitResponseSchema = z.strictObject({ ok: z.boolean(), code: z.string().max(64).optional() })
export type SubmitRequest = z.infer<typeof submitRequestSchema>
export type SubmitResponse = z.infer<typeof submitResponseSchema>

export const encodeExchange = (
  value: FillRequest | FillResponse | BookRequest | BookFrame | SubmitRequest | SubmitResponse,
) => encodeCbor(value)

export const decodeFillRequest = (bytes: Uint8Array) =>
  decodeWith(fillRequestSchema, bytes, MARKET_LIMITS.maxRequestBytes)
export const decodeFillResponse = (bytes: Uint8Array) =>
  decodeWith(fillResponseSchema, bytes, MARKET_LIMITS.maxRequestBytes)
export const decodeBookRequest = (bytes: Uint8Array) =>
  decodeWith(bookRequestSchema, bytes, MARKET_LIMITS.maxRequestBytes)
export const decodeBookFrame = (bytes: Uint8Array) =>
  decodeWith(bookFrameSchema, bytes, MARKET_LIMITS.maxSnapshotFrameBytes)
export const decodeSubmitRequest = (bytes: Uint8Array) =>
  decodeWith(submitRequestSchema, bytes, MARKET_LIMITS.maxRequestBytes)
export const decodeSubmitResponse = (bytes: Uint8Array) =>
  decodeWith(submitResponseSchema, bytes, MARKET_LIMITS.maxRequestBytes)

function decodeWith<T>(schema: z.ZodType<T>, bytes: Uint8Array, maxBytes: number): T {
  const result = schema.safeParse(decodeCbor(bytes, maxBytes))
  if (!result.success) {
    throw new ProtocolError(
      { code: 'PROTOCOL_MALFORMED', reason: 'schema' },
      `malformed market exchange message: ${result.error.issues[0]?.message ?? 'schema mismatch'}`,
    )
  }
  return result.data
}
