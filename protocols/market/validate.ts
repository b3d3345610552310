// Validation of market messages, cheapest checks first: size, CBOR, schema, network,
// instrument, freshness, seen-cache and nonce, and only then the Ed25519 signature.

import { isCapacityClass } from '../../ledger/instruments/capacity-class.ts'
import { ProtocolError } from '../errors.ts'
import { SignatureVerifier } from '../signing/ed25519.ts'
import { MARKET_LIMITS } from './limits.ts'
import {
  type CapacityBody,
  decodeCancelBody,
  decodeCapacityBody,
  decodeOrderBody,
  decodeTradeBody,
  messageId,
  type OrderBody,
  SIGNING_DOMAINS,
  type SignedCancel,
  type SignedOrder,
  type SignedTrade,
} from './messages.ts'
import { SeenCache } from './seen-cache.ts'
import { refuse, type Validated, type ValidationCode } from './validation-codes.ts'
import type { RawSignedTrade } from './wire.ts'

export interface MarketValidatorInit {
  network: string
  now: () => number
  /** Domain check of an order's instrument and price (parseable id, price on the tick). */
  checkInstrument: (instrument: string, price: bigint) => ValidationCode | undefined
  /** An order this node already holds, to check trades against it. */
  lookupOrder?: (orderId: string) => OrderBody | undefined
  verifier?: SignatureVerifier
}

/** Gossip checks freshness; a book snapshot carries old but live orders and does not. */
export interface ValidateOptions {
  fresh: boolean
  /** False for an order checked only as evidence (a fill request's taker order): not marked seen. */
  record?: boolean
}

const GOSSIP = { fresh: true, record: true }
/** Past this age an honest peer cannot have forwarded the message: it is a replay. */
const REPLAY_AGE_MS = MARKET_LIMITS.freshnessMs + 2 * MARKET_LIMITS.clockSkewMs
const SEEN_TTL_MS = REPLAY_AGE_MS

export class MarketValidator {
  readonly verifier: SignatureVerifier
  private readonly init: MarketValidatorInit
  private readonly seen: SeenCache
  private readonly nonces: SeenCache<string>

  constructor(init: MarketValidatorInit) {
    this.init = init
    this.verifier = init.verifier ?? new SignatureVerifier()
    this.seen = new SeenCache(SEEN_TTL_MS, init.now())
    this.nonces = new SeenCache<string>(SEEN_TTL_MS, init.now())
  }

  validateOrder(
    raw: { bodyBytes: Uint8Array; signature: Uint8Array },
    options: ValidateOptions = GOSSIP,
  ): Validated<SignedOrder> {
    const body = decoded(() => decodeOrderBody(raw.bodyBytes))
    if ('code' in body) return body
    if (body.net !== this.init.network) return refuse('MESSAGE_WRONG_NETWORK')
    if (body.exp !== 0 && body.exp <= body.ts) return refuse('MESSAGE_MALFORMED')
    const instrumentCode = this.init.checkInstrument(body.inst, body.px)
    if (instrumentCode !== undefined) return refuse(instrumentCode)
    const now = this.init.now()
    if (options.fresh) {
      const freshness = this.freshness(body.ts, now)
      if (freshness !== undefined) return refuse(freshness)
    }
    if (body.exp !== 0 && body.exp <= now) {
      return refuse(body.exp <= now - 2 * MARKET_LIMITS.clockSkewMs ? 'ORDER_LONG_EXPIRED' : 'ORDER_EXPIRED')
    }
    const id = messageId(raw.bodyBytes)
    const record = options.record !== false
    if (record && this.seen.has(id, now)) return refuse('MESSAGE_DUPLICATE')
    const nonceKey = `${Buffer.from(body.owner).toString('hex')}:${body.nonce}`
    const nonceOwner = this.nonces.get(nonceKey, now)
    if (nonceOwner !== undefined && nonceOwner !== id) return refuse('ORDER_NONCE_REUSED')
    if (!this.verifier.verify(body.owner, SIGNING_DOMAINS.order, raw.bodyBytes, raw.signature)) {
      return refuse('MESSAGE_BAD_SIGNATURE')
    }
    if (record) {
      this.seen.set(id, true, now)
      this.nonces.set(nonceKey, id, now)
    }
    return { result: 'accept', value: { id, body, bodyBytes: raw.bodyBytes, signature: raw.signature } }
  }

  validateCancel(
    raw: { bodyBytes: Uint8Array; signature: Uint8Array },
    options: ValidateOptions = GOSSIP,
  ): Validated<SignedCancel> {
    const body = decoded(() => decodeCancelBody(raw.bodyBytes))
    if ('code' in body) return body
    if (body.net !== this.init.network) return refuse('MESSAGE_WRONG_NETWORK')
    const now = this.init.now()
    if (options.fresh) {
      const freshness = this.freshness(body.ts, now)
      if (freshness !== undefined) return refuse(freshness)
    }
    const id = `cancel:${messageId(raw.bodyBytes)}`
    if (this.seen.has(id, now)) return refuse('MESSAGE_DUPLICATE')
    const order = this.init.lookupOrder?.(Buffer.from(body.order).toString('hex'))
    if (order !== undefined && !sameBytes(order.owner, body.owner)) return refuse('CANCEL_NOT_OWNER')
    if (!this.verifier.verify(body.owner, SIGNING_DOMAINS.cancel, raw.bodyBytes, raw.signature)) {
      return refuse('MESSAGE_BAD_SIGNATURE')
    }
    this.seen.set(id, true, now)
    return { result: 'accept', value: { body, bodyBytes: raw.bodyBytes, signature: raw.signature } }
  }

  validateTrade(raw: RawSignedTrade, options: ValidateOptions = GOSSIP): Validated<SignedTrade> {
    const body = decoded(() => decodeTradeBody(raw.bodyBytes))
    if ('code' in body) return body
    if (body.net !== this.init.network) return refuse('MESSAGE_WRONG_NETWORK')
    if (sameBytes(body.maker, body.taker)) return refuse('TRADE_INCONSISTENT')
    const now = this.init.now()
    if (options.fresh) {
      const freshness = this.freshness(body.ts, now)
      if (freshness !== undefined) return refuse(freshness)
    }
    const id = messageId(raw.bodyBytes)
    if (this.seen.has(`trade:${id}`, now)) return refuse('MESSAGE_DUPLICATE')
    if (!this.consistent(body)) return refuse('TRADE_INCONSISTENT')
    const { verifier } = this
    if (
      !verifier.verify(body.makerOwner, SIGNING_DOMAINS.trade, raw.bodyBytes, raw.makerSignature) ||
      !verifier.verify(body.takerOwner, SIGNING_DOMAINS.trade, raw.bodyBytes, raw.takerSignature)
    ) {
      return refuse('MESSAGE_BAD_SIGNATURE')
    }
    this.seen.set(`trade:${id}`, true, now)
    return { result: 'accept', value: { id, body, ...raw } }
  }

  validateCapacity(raw: { bodyBytes: Uint8Array; signature: Uint8Array }): Validated<CapacityBody> {
    const body = decoded(() => decodeCapacityBody(raw.bodyBytes))
    if ('code' in body) return body
    if (body.net !== this.init.network) return refuse('MESSAGE_WRONG_NETWORK')
    if (!body.classes.every(isCapacityClass)) return refuse('CAPACITY_BAD_CLASS')
    const now = this.init.now()
    const freshness = this.freshness(body.ts, now)
    if (freshness !== undefined) return refuse(freshness)
    const id = `capacity:${messageId(raw.bodyBytes)}`
    if (this.seen.has(id, now)) return refuse('MESSAGE_DUPLICATE')
    if (!this.verifier.verify(body.owner, SIGNING_DOMAINS.capacity, raw.bodyBytes, raw.signature)) {
      return refuse('MESSAGE_BAD_SIGNATURE')
    }
    this.seen.set(id, true, now)
    return { result: 'accept', value: body }
  }

  private freshness(ts: number, now: number): ValidationCode | undefined {
    if (ts > now + MARKET_LIMITS.clockSkewMs) return 'MESSAGE_FROM_FUTURE'
    if (ts < now - REPLAY_AGE_MS) return 'MESSAGE_REPLAYED'
    if (ts < now - MARKET_LIMITS.freshnessMs) return 'MESSAGE_STALE'
    return undefined
  }

  /** A trade must agree with the orders it names, where this node holds them. */
  private consistent(trade: SignedTrade['body']): boolean {
    const lookup = this.init.lookupOrder
    if (lookup === undefined) return true
    const maker = lookup(Buffer.from(trade.maker).toString('hex'))
    if (maker !== undefined) {
      if (maker.inst !== trade.inst || maker.side === trade.takerSide || maker.px !== trade.px) return false
      if (!sameBytes(maker.owner, trade.makerOwner) || trade.qty > maker.qty) return false
    }
    const taker = lookup(Buffer.from(trade.taker).toString('hex'))
    if (taker !== undefined) {
      if (taker.inst !== trade.inst || taker.side !== trade.takerSide) return false
      if (!sameBytes(taker.owner, trade.takerOwner) || trade.qty > taker.qty) return false
      if (taker.side === 'buy' ? trade.px > taker.px : trade.px < taker.px) return false
    }
    return true
  }
}

function decoded<T>(decode: () => T): T | { result: 'reject'; code: ValidationCode } {
  try {
    return decode()
  } catch (err) {
    if (err instanceof ProtocolError) {
      return refuse(err.code === 'PROTOCOL_TOO_LARGE' ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_MALFORMED') as {
        result: 'reject'
        code: ValidationCode
      }
    }
    throw err
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}
