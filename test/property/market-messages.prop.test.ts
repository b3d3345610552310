// The market's signed messages on the wire: any valid order, cancel or trade body survives
// encode/decode unchanged, its encoding is deterministic (the signature covers those exact
// bytes), and no single corrupted byte turns a signed order into another accepted order.
import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../protocols/errors.ts'
import {
  type CancelBody,
  decodeCancelBody,
  decodeOrderBody,
  decodeTradeBody,
  encodeCancelBody,
  encodeOrderBody,
  encodeTradeBody,
  type OrderBody,
  SIGNING_DOMAINS,
  type TradeBody,
} from '../../protocols/market/messages.ts'
import { MarketValidator } from '../../protocols/market/validate.ts'
import { SignatureVerifier, signerFromPeerKey } from '../../protocols/signing/ed25519.ts'

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })
const text = (maxLength: number) => fc.string({ minLength: 1, maxLength })
const amount = fc.bigInt({ min: 1n, max: BigInt(Number.MAX_SAFE_INTEGER) })
const millis = fc.maxSafeNat()
const side = fc.constantFrom('buy' as const, 'sell' as const)

const orderBodies: fc.Arbitrary<OrderBody> = fc.record(
  {
    v: fc.constant(1 as const),
    net: text(64),
    inst: text(128),
    side,
    px: amount,
    qty: amount,
    tif: fc.constantFrom('gtc' as const, 'ioc' as const, 'fok' as const),
    exp: millis,
    ts: millis,
    nonce: fc.maxSafeNat(),
    owner: bytes(32),
    acct: bytes(20),
    minRep: fc.integer({ min: 0, max: 10_000 }),
    via: bytes(32),
  },
  {
    requiredKeys: [
      'v',
      'net',
      'inst',
      'side',
      'px',
      'qty',
      'tif',
      'exp',
      'ts',
      'nonce',
      'owner',
      'acct',
      'minRep',
    ],
  },
)

const cancelBodies: fc.Arbitrary<CancelBody> = fc.record({
  v: fc.constant(1 as const),
  net: text(64),
  order: bytes(32),
  ts: millis,
  owner: bytes(32),
})

const tradeBodies: fc.Arbitrary<TradeBody> = fc.record({
  v: fc.constant(1 as const),
  net: text(64),
  inst: text(128),
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
  seq: fc.integer({ min: 0, max: 1_000_000 }),
})

/** The same value with its keys in the opposite order: the encoding must not depend on it. */
function reversed<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T
}

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex')

const kinds = [
  { kind: 'order', bodies: orderBodies, encode: encodeOrderBody, decode: decodeOrderBody },
  { kind: 'cancel', bodies: cancelBodies, encode: encodeCancelBody, decode: decodeCancelBody },
  { kind: 'trade', bodies: tradeBodies, encode: encodeTradeBody, decode: decodeTradeBody },
] as Array<{
  kind: string
  bodies: fc.Arbitrary<object>
  encode: (body: object) => Uint8Array
  decode: (bytes: Uint8Array) => object
}>

describe.each(kinds)('$kind bodies', ({ bodies, encode, decode }) => {
  it('decode to the value that was encoded', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        expect(decode(encode(body))).toEqual(body)
      }),
      { numRuns: 300 },
    )
  })

  it('encode deterministically: the same value gives the same bytes, whatever its key order', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const encoded = hex(encode(body))
        expect(hex(encode(body))).toBe(encoded)
        expect(hex(encode(reversed(body)))).toBe(encoded)
      }),
      { numRuns: 300 },
    )
  })

  it('re-encode their decoded bytes to identical bytes', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const encoded = encode(body)
        expect(hex(encode(decode(encoded)))).toBe(hex(encoded))
      }),
      { numRuns: 300 },
    )
  })
})

const signer = signerFromPeerKey(await generateKeyPair('Ed25519'))

/** Orders a validator on the order's own network and clock would accept: live and signed by `signer`. */
const liveOrders = fc
  .tuple(orderBodies, fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }))
  .map(([body, lifetime]): OrderBody => {
    const ts = Math.min(body.ts, Number.MAX_SAFE_INTEGER - 1_000_000)
    return { ...body, ts, exp: lifetime === undefined ? 0 : ts + lifetime, owner: signer.publicKey }
  })

describe('signed orders', () => {
  it('never accept a single corrupted byte: it fails to decode or fails its signature', () => {
    const verifier = new SignatureVerifier()
    fc.assert(
      fc.property(liveOrders, fc.nat(), fc.integer({ min: 1, max: 255 }), (body, position, mask) => {
        const bodyBytes = encodeOrderBody(body)
        const signature = signer.sign(SIGNING_DOMAINS.order, bodyBytes)
        const validator = new MarketValidator({
          network: body.net,
          now: () => body.ts,
          checkInstrument: () => undefined,
          verifier,
        })
        const options = { fresh: false, record: false }
        expect(validator.validateOrder({ bodyBytes, signature }, options).result).toBe('accept')

        const signed = Buffer.concat([bodyBytes, signature])
        const at = position % signed.byteLength
        signed[at] = (signed[at] as number) ^ mask
        const corrupted = {
          bodyBytes: Uint8Array.from(signed.subarray(0, bodyBytes.byteLength)),
          signature: Uint8Array.from(signed.subarray(bodyBytes.byteLength)),
        }

        expect(validator.validateOrder(corrupted, options).result).not.toBe('accept')
        let decoded: OrderBody
        try {
          decoded = decodeOrderBody(corrupted.bodyBytes)
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
          return
        }
        expect(
          verifier.verify(decoded.owner, SIGNING_DOMAINS.order, corrupted.bodyBytes, corrupted.signature),
        ).toBe(false)
      }),
      { numRuns: 400 },
    )
  })
})
