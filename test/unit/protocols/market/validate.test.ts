import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { checkInstrument } from '../../../../actors/market/market.ts'
import { MARKET_LIMITS } from '../../../../protocols/market/limits.ts'
import {
  type CancelBody,
  type CapacityBody,
  encodeCancelBody,
  encodeCapacityBody,
  encodeOrderBody,
  encodeTradeBody,
  type OrderBody,
  SIGNING_DOMAINS,
  type TradeBody,
} from '../../../../protocols/market/messages.ts'
import { MarketValidator, type MarketValidatorInit } from '../../../../protocols/market/validate.ts'
import type { ValidationCode } from '../../../../protocols/market/validation-codes.ts'
import type { RawSignedTrade } from '../../../../protocols/market/wire.ts'
import { SignatureVerifier, type Signer, signerFromPeerKey } from '../../../../protocols/signing/ed25519.ts'

const NETWORK = 'testnet'
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
const INSTRUMENT = 'SPOT:gpu.h100'
const { freshnessMs, clockSkewMs } = MARKET_LIMITS
const REPLAY_AGE_MS = freshnessMs + 2 * clockSkewMs

const alice = signerFromPeerKey(await generateKeyPair('Ed25519'))
const bob = signerFromPeerKey(await generateKeyPair('Ed25519'))
const mallory = signerFromPeerKey(await generateKeyPair('Ed25519'))

interface RawSigned {
  bodyBytes: Uint8Array
  signature: Uint8Array
}

/** A verifier that counts the signatures it is asked to check. */
class CountingVerifier extends SignatureVerifier {
  calls = 0

  override verify(
    publicKey: Uint8Array,
    domain: Uint8Array,
    body: Uint8Array,
    signature: Uint8Array,
  ): boolean {
    this.calls++
    return super.verify(publicKey, domain, body, signature)
  }
}

function harness(init: Partial<MarketValidatorInit> = {}) {
  const clock = { now: NOW }
  const verifier = new CountingVerifier()
  const validator = new MarketValidator({
    network: NETWORK,
    now: () => clock.now,
    checkInstrument,
    verifier,
    ...init,
  })
  return { clock, verifier, validator }
}

function orderBody(overrides: Partial<OrderBody> = {}, owner: Signer = alice): OrderBody {
  return {
    v: 1,
    net: NETWORK,
    inst: INSTRUMENT,
    side: 'sell',
    px: 2_500n,
    qty: 10n,
    tif: 'gtc',
    exp: NOW + 60_000,
    ts: NOW - 1_000,
    nonce: 1,
    owner: owner.publicKey,
    acct: new Uint8Array(20).fill(7),
    minRep: 5_000,
    ...overrides,
  }
}

function signedOrder(overrides: Partial<OrderBody> = {}, signer: Signer = alice): RawSigned {
  const bodyBytes = encodeOrderBody(orderBody(overrides, signer))
  return { bodyBytes, signature: signer.sign(SIGNING_DOMAINS.order, bodyBytes) }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function idBytes(raw: RawSigned): Uint8Array {
  return Uint8Array.from(Buffer.from(sha256Hex(raw.bodyBytes), 'hex'))
}

function flipBit(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[index] = (copy[index] as number) ^ 1
  return copy
}

interface Refusal {
  what: string
  code: ValidationCode
  result: 'ignore' | 'reject'
  /** Builds the refused message, first feeding the validator whatever the case needs. */
  make: (h: ReturnType<typeof harness>) => RawSigned
}

const ORDER_REFUSALS: Refusal[] = [
  {
    what: 'for another network',
    code: 'MESSAGE_WRONG_NETWORK',
    result: 'reject',
    make: () => signedOrder({ net: 'othernet' }),
  },
  {
    what: 'on an instrument that does not parse',
    code: 'ORDER_BAD_INSTRUMENT',
    result: 'reject',
    make: () => signedOrder({ inst: 'BOGUS:gpu.h100' }),
  },
  {
    what: 'priced off the tick of its instrument',
    code: 'ORDER_OFF_TICK',
    result: 'reject',
    make: () => signedOrder({ px: 2_550n }),
  },
  {
    what: 'older than the freshness window',
    code: 'MESSAGE_STALE',
    result: 'ignore',
    make: () => signedOrder({ ts: NOW - freshnessMs - 1 }),
  },
  {
    what: 'older than any honest peer could still forward',
    code: 'MESSAGE_REPLAYED',
    result: 'reject',
    make: () => signedOrder({ ts: NOW - REPLAY_AGE_MS - 1 }),
  },
  {
    what: 'stamped further ahead than the clock skew allows',
    code: 'MESSAGE_FROM_FUTURE',
    result: 'ignore',
    make: () => signedOrder({ ts: NOW + clockSkewMs + 1, exp: NOW + 60_000 }),
  },
  {
    what: 'that expired just now',
    code: 'ORDER_EXPIRED',
    result: 'ignore',
    make: () => signedOrder({ exp: NOW }),
  },
  {
    what: 'that expired long ago',
    code: 'ORDER_LONG_EXPIRED',
    result: 'reject',
    make: () => signedOrder({ ts: NOW - 2 * clockSkewMs - 1_000, exp: NOW - 2 * clockSkewMs }),
  },
  {
    what: 'that expires no later than it was made',
    code: 'MESSAGE_MALFORMED',
    result: 'reject',
    make: () => signedOrder({ ts: NOW - 1_000, exp: NOW - 1_000 }),
  },
  {
    what: 'already accepted once',
    code: 'MESSAGE_DUPLICATE',
    result: 'ignore',
    make: ({ validator }) => {
      const raw = signedOrder()
      expect(validator.validateOrder(raw).result).toBe('accept')
      return raw
    },
  },
  {
    what: 'reusing its owner’s nonce for a different order',
    code: 'ORDER_NONCE_REUSED',
    result: 'reject',
    make: ({ validator }) => {
      expect(validator.validateOrder(signedOrder({ nonce: 9 })).result).toBe('accept')
      return signedOrder({ nonce: 9, qty: 11n })
    },
  },
  {
    what: 'whose signature has one bit flipped',
    code: 'MESSAGE_BAD_SIGNATURE',
    result: 'reject',
    make: () => {
      const raw = signedOrder()
      return { ...raw, signature: flipBit(raw.signature, 17) }
    },
  },
  {
    what: 'whose body exceeds the size cap',
    code: 'MESSAGE_TOO_LARGE',
    result: 'reject',
    make: () => {
      const bodyBytes = new Uint8Array(MARKET_LIMITS.maxBodyBytes + 1).fill(0x61)
      return { bodyBytes, signature: alice.sign(SIGNING_DOMAINS.order, bodyBytes) }
    },
  },
]

describe('order validation', () => {
  it('accepts a valid signed order and identifies it by the sha256 of its body', () => {
    const { validator } = harness()
    const raw = signedOrder()
    const outcome = validator.validateOrder(raw)
    expect(outcome).toEqual({
      result: 'accept',
      value: {
        id: sha256Hex(raw.bodyBytes),
        body: orderBody(),
        bodyBytes: raw.bodyBytes,
        signature: raw.signature,
      },
    })
  })

  it('accepts orders at the very edges of the freshness and skew windows', () => {
    const { validator } = harness()
    expect(validator.validateOrder(signedOrder({ ts: NOW - freshnessMs, nonce: 1 })).result).toBe('accept')
    expect(validator.validateOrder(signedOrder({ ts: NOW + clockSkewMs, nonce: 2 })).result).toBe('accept')
    expect(validator.validateOrder(signedOrder({ exp: NOW + 1, nonce: 3 })).result).toBe('accept')
  })

  it.each(ORDER_REFUSALS)('refuses an order $what with $code ($result)', ({ code, result, make }) => {
    const h = harness()
    expect(h.validator.validateOrder(make(h))).toEqual({ result, code })
  })

  it.each(ORDER_REFUSALS.filter((c) => c.code !== 'MESSAGE_BAD_SIGNATURE'))(
    'spends no signature verification on an order $what',
    ({ code, make }) => {
      const h = harness()
      const raw = make(h)
      const before = h.verifier.calls
      expect(h.validator.validateOrder(raw)).toMatchObject({ code })
      expect(h.verifier.calls - before).toBe(0)
    },
  )

  it('spends exactly one verification on an order whose signature is bad', () => {
    const h = harness()
    const raw = signedOrder()
    expect(h.validator.validateOrder({ ...raw, signature: flipBit(raw.signature) })).toMatchObject({
      code: 'MESSAGE_BAD_SIGNATURE',
    })
    expect(h.verifier.calls).toBe(1)
  })

  it('accepts an old but live order from a snapshot, which gossip refuses as a replay', () => {
    const raw = signedOrder({ ts: NOW - 10 * 60_000, exp: NOW + 60_000 })
    expect(harness().validator.validateOrder(raw)).toMatchObject({ code: 'MESSAGE_REPLAYED' })
    expect(harness().validator.validateOrder(raw, { fresh: false }).result).toBe('accept')
  })

  it('still refuses an expired order from a snapshot', () => {
    const raw = signedOrder({ ts: NOW - 10 * 60_000, exp: NOW - 60_000 })
    expect(harness().validator.validateOrder(raw, { fresh: false })).toEqual({
      result: 'reject',
      code: 'ORDER_LONG_EXPIRED',
    })
  })

  it('does not mark an order seen when asked not to record it, so its gossip copy is accepted', () => {
    const { validator } = harness()
    const raw = signedOrder()
    expect(validator.validateOrder(raw, { fresh: true, record: false }).result).toBe('accept')
    expect(validator.validateOrder(raw, { fresh: true, record: false }).result).toBe('accept')
    expect(validator.validateOrder(raw).result).toBe('accept')
    expect(validator.validateOrder(raw)).toEqual({ result: 'ignore', code: 'MESSAGE_DUPLICATE' })
  })

  it('lets two owners use the same nonce', () => {
    const { validator } = harness()
    expect(validator.validateOrder(signedOrder({ nonce: 4 }, alice)).result).toBe('accept')
    expect(validator.validateOrder(signedOrder({ nonce: 4 }, bob)).result).toBe('accept')
  })

  it('refuses an order signed by someone other than its owner', () => {
    const bodyBytes = encodeOrderBody(orderBody({}, alice))
    const forged = { bodyBytes, signature: mallory.sign(SIGNING_DOMAINS.order, bodyBytes) }
    expect(harness().validator.validateOrder(forged)).toEqual({
      result: 'reject',
      code: 'MESSAGE_BAD_SIGNATURE',
    })
  })

  it('refuses an order signature made for another kind of message', () => {
    const bodyBytes = encodeOrderBody(orderBody())
    const crossDomain = { bodyBytes, signature: alice.sign(SIGNING_DOMAINS.cancel, bodyBytes) }
    expect(harness().validator.validateOrder(crossDomain)).toEqual({
      result: 'reject',
      code: 'MESSAGE_BAD_SIGNATURE',
    })
  })

  it('refuses bytes that are not an order as malformed', () => {
    const bodyBytes = new Uint8Array([0xff, 0x00, 0x13])
    expect(harness().validator.validateOrder({ bodyBytes, signature: new Uint8Array(64) })).toEqual({
      result: 'reject',
      code: 'MESSAGE_MALFORMED',
    })
  })
})

function cancelBody(
  order: RawSigned,
  overrides: Partial<CancelBody> = {},
  owner: Signer = alice,
): CancelBody {
  return { v: 1, net: NETWORK, order: idBytes(order), ts: NOW - 500, owner: owner.publicKey, ...overrides }
}

function signedCancel(body: CancelBody, signer: Signer): RawSigned {
  const bodyBytes = encodeCancelBody(body)
  return { bodyBytes, signature: signer.sign(SIGNING_DOMAINS.cancel, bodyBytes) }
}

describe('cancel validation', () => {
  const order = signedOrder()
  const known = (id: string) => (id === sha256Hex(order.bodyBytes) ? orderBody() : undefined)

  it('accepts a cancel signed by the order’s owner', () => {
    const { validator } = harness({ lookupOrder: known })
    const raw = signedCancel(cancelBody(order), alice)
    expect(validator.validateCancel(raw)).toEqual({
      result: 'accept',
      value: { body: cancelBody(order), bodyBytes: raw.bodyBytes, signature: raw.signature },
    })
    expect(validator.validateCancel(raw)).toEqual({ result: 'ignore', code: 'MESSAGE_DUPLICATE' })
  })

  it('refuses a cancel of a known order by someone else, without verifying it', () => {
    const h = harness({ lookupOrder: known })
    const raw = signedCancel(cancelBody(order, {}, mallory), mallory)
    expect(h.validator.validateCancel(raw)).toEqual({ result: 'reject', code: 'CANCEL_NOT_OWNER' })
    expect(h.verifier.calls).toBe(0)
  })

  it('refuses a cancel whose signature is not its owner’s', () => {
    const raw = signedCancel(cancelBody(order, {}, alice), mallory)
    expect(harness({ lookupOrder: known }).validator.validateCancel(raw)).toEqual({
      result: 'reject',
      code: 'MESSAGE_BAD_SIGNATURE',
    })
  })

  it('refuses a stale cancel', () => {
    const raw = signedCancel(cancelBody(order, { ts: NOW - freshnessMs - 1 }), alice)
    expect(harness().validator.validateCancel(raw)).toEqual({ result: 'ignore', code: 'MESSAGE_STALE' })
  })
})

const makerOrder = signedOrder({ side: 'sell', px: 2_500n, qty: 10n, nonce: 1 }, alice)
const takerOrder = signedOrder({ side: 'buy', px: 2_600n, qty: 4n, nonce: 1 }, bob)
const ORDERS_BY_ID = new Map<string, OrderBody>([
  [sha256Hex(makerOrder.bodyBytes), orderBody({ side: 'sell', px: 2_500n, qty: 10n, nonce: 1 }, alice)],
  [sha256Hex(takerOrder.bodyBytes), orderBody({ side: 'buy', px: 2_600n, qty: 4n, nonce: 1 }, bob)],
])
const lookupOrder = (id: string) => ORDERS_BY_ID.get(id)

function tradeBody(overrides: Partial<TradeBody> = {}): TradeBody {
  return {
    v: 1,
    net: NETWORK,
    inst: INSTRUMENT,
    px: 2_500n,
    qty: 4n,
    maker: idBytes(makerOrder),
    taker: idBytes(takerOrder),
    makerOwner: alice.publicKey,
    takerOwner: bob.publicKey,
    makerAcct: new Uint8Array(20).fill(7),
    takerAcct: new Uint8Array(20).fill(7),
    takerSide: 'buy',
    ts: NOW - 500,
    seq: 0,
    ...overrides,
  }
}

function signedTrade(
  body: TradeBody,
  makerSigner: Signer = alice,
  takerSigner: Signer = bob,
): RawSignedTrade {
  const bodyBytes = encodeTradeBody(body)
  return {
    bodyBytes,
    makerSignature: makerSigner.sign(SIGNING_DOMAINS.trade, bodyBytes),
    takerSignature: takerSigner.sign(SIGNING_DOMAINS.trade, bodyBytes),
  }
}

describe('trade validation', () => {
  it('accepts a trade co-signed by maker and taker that agrees with both orders', () => {
    const raw = signedTrade(tradeBody())
    expect(harness({ lookupOrder }).validator.validateTrade(raw)).toEqual({
      result: 'accept',
      value: { id: sha256Hex(raw.bodyBytes), body: tradeBody(), ...raw },
    })
  })

  it('refuses a trade signed by the maker only', () => {
    const raw = signedTrade(tradeBody(), alice, alice)
    expect(harness({ lookupOrder }).validator.validateTrade(raw)).toEqual({
      result: 'reject',
      code: 'MESSAGE_BAD_SIGNATURE',
    })
  })

  it('refuses a trade at a price other than the known maker order’s, without verifying it', () => {
    const h = harness({ lookupOrder })
    const raw = signedTrade(tradeBody({ px: 2_600n }))
    expect(h.validator.validateTrade(raw)).toEqual({ result: 'reject', code: 'TRADE_INCONSISTENT' })
    expect(h.verifier.calls).toBe(0)
  })

  it('refuses a trade for more than the known maker order holds', () => {
    const raw = signedTrade(tradeBody({ qty: 11n }))
    expect(harness({ lookupOrder }).validator.validateTrade(raw)).toMatchObject({
      code: 'TRADE_INCONSISTENT',
    })
  })

  it('refuses a trade whose maker order is its taker order', () => {
    const raw = signedTrade(tradeBody({ taker: idBytes(makerOrder) }))
    expect(harness().validator.validateTrade(raw)).toEqual({ result: 'reject', code: 'TRADE_INCONSISTENT' })
  })

  it('ignores a second copy of an accepted trade', () => {
    const { validator } = harness({ lookupOrder })
    const raw = signedTrade(tradeBody())
    expect(validator.validateTrade(raw).result).toBe('accept')
    expect(validator.validateTrade(raw)).toEqual({ result: 'ignore', code: 'MESSAGE_DUPLICATE' })
  })
})

function capacityBody(overrides: Partial<CapacityBody> = {}): CapacityBody {
  return {
    v: 1,
    net: NETWORK,
    owner: alice.publicKey,
    classes: ['gpu.h100', 'qpu.sim'],
    ts: NOW - 1_000,
    ...overrides,
  }
}

function signedCapacity(body: CapacityBody, signer: Signer = alice): RawSigned {
  const bodyBytes = encodeCapacityBody(body)
  return { bodyBytes, signature: signer.sign(SIGNING_DOMAINS.capacity, bodyBytes) }
}

describe('capacity advert validation', () => {
  it('accepts a signed advert of well-formed capacity classes', () => {
    expect(harness().validator.validateCapacity(signedCapacity(capacityBody()))).toEqual({
      result: 'accept',
      value: capacityBody(),
    })
  })

  it.each(['GPU.H100', 'tpu.v5', 'gpu'])('refuses an advert of the class %s', (capacityClass) => {
    const h = harness()
    const raw = signedCapacity(capacityBody({ classes: ['gpu.h100', capacityClass] }))
    expect(h.validator.validateCapacity(raw)).toEqual({ result: 'reject', code: 'CAPACITY_BAD_CLASS' })
    expect(h.verifier.calls).toBe(0)
  })

  it('refuses an advert signed by someone other than its owner', () => {
    const raw = signedCapacity(capacityBody(), mallory)
    expect(harness().validator.validateCapacity(raw)).toEqual({
      result: 'reject',
      code: 'MESSAGE_BAD_SIGNATURE',
    })
  })
})
