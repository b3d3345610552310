// `/hcx/settle/1.0.0`: an epoch's proposer asks each counterparty to sign its net lines. The
// request names the counterparty's trades in the epoch and proves them members of the
// epoch's trade root (an OpenZeppelin multiproof), so the counterparty signs only lines it
// recomputes from trades it holds itself.

import { z } from 'zod'
import { decodeCbor, encodeCbor } from '../codec/cbor.ts'
import { ProtocolError } from '../errors.ts'

export const SETTLE_PROTOCOL = '/hcx/settle/1.0.0'

/** Trades of one counterparty in one epoch; more roll into the next epoch. */
export const MAX_TRADES_PER_REQUEST = 4_000

export const SETTLE_LIMITS = {
  maxRequestBytes: 512 * 1024,
  maxResponseBytes: 1_024,
} as const

export const SETTLE_REFUSALS = [
  'SETTLE_MALFORMED',
  'SETTLE_WRONG_CHAIN',
  'SETTLE_STALE_EPOCH',
  'SETTLE_UNKNOWN_TRADE',
  'SETTLE_NOT_COUNTERPARTY',
  'SETTLE_TRADE_SETTLED',
  'SETTLE_TRADE_PENDING',
  'SETTLE_BAD_PROOF',
  'SETTLE_UNAVAILABLE',
] as const
export type SettleRefusal = (typeof SETTLE_REFUSALS)[number]

const bytes = (length: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength === length, `expected ${length} bytes`)

const requestSchema = z.strictObject({
  v: z.literal(1),
  net: z.string().min(1).max(64),
  chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  house: bytes(20),
  epoch: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  root: bytes(32),
  /** Trade ids in the multiproof's leaf order. */
  trades: z.array(bytes(32)).min(1).max(MAX_TRADES_PER_REQUEST),
  proof: z.array(bytes(32)).max(2 * MAX_TRADES_PER_REQUEST),
  flags: z.array(z.boolean()).max(3 * MAX_TRADES_PER_REQUEST),
})
const responseSchema = z.union([
  z.strictObject({ ok: z.literal(true), sig: bytes(65) }),
  z.strictObject({ ok: z.literal(false), code: z.enum(SETTLE_REFUSALS), reason: z.string().max(256) }),
])

export type SignRequest = z.infer<typeof requestSchema>
export type SignResponse = z.infer<typeof responseSchema>

export const encodeSettleMessage = (message: SignRequest | SignResponse) => encodeCbor(message)
export const decodeSignRequest = (data: Uint8Array) =>
  decode(requestSchema, data, SETTLE_LIMITS.maxRequestBytes)
export const decodeSignResponse = (data: Uint8Array) =>
  decode(responseSchema, data, SETTLE_LIMITS.maxResponseBytes)

function decode<T>(schema: z.ZodType<T>, data: Uint8Array, maxBytes: number): T {
  const parsed = schema.safeParse(decodeCbor(data, maxBytes))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ProtocolError(
      {
        code: 'PROTOCOL_MALFORMED',
        reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      },
      `${SETTLE_PROTOCOL}: malformed message at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`,
    )
  }
  return parsed.data
}
