// `/hcx/settle/1.0.0` messages: a request or a response survives encode/decode unchanged,
// and whatever else arrives (oversized, mis-sized bytes, too many trades, unknown fields,
// garbage) is a ProtocolError, never any other exception.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../../../protocols/codec/cbor.ts'
import { ProtocolError } from '../../../../protocols/errors.ts'
import {
  decodeSignRequest,
  decodeSignResponse,
  encodeSettleMessage,
  MAX_TRADES_PER_REQUEST,
  SETTLE_LIMITS,
  SETTLE_REFUSALS,
  type SignRequest,
  type SignResponse,
} from '../../../../protocols/settlement/sign-messages.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte)

function request(overrides: Record<string, unknown> = {}): SignRequest {
  return {
    v: 1,
    net: 'main',
    chainId: 31337,
    house: filled(20, 0xc1),
    epoch: 7,
    root: filled(32, 0x52),
    trades: [filled(32, 1), filled(32, 2), filled(32, 3)],
    proof: [filled(32, 4)],
    flags: [true, false, true],
    ...overrides,
  } as SignRequest
}

/** Encodes `value` as it is, bypassing the types, as a hostile peer would. */
const raw = (value: unknown) => encodeCbor(value)

function refusedRequest(data: Uint8Array): ProtocolError {
  return expectRefusal(() => decodeSignRequest(data), ProtocolError)
}

function refusedResponse(data: Uint8Array): ProtocolError {
  return expectRefusal(() => decodeSignResponse(data), ProtocolError)
}

/** The request with one field replaced must be refused as malformed, at that field. */
function refusedField(field: string, value: unknown): ProtocolError {
  const err = refusedRequest(raw({ ...request(), [field]: value }))
  expect(err.type.code).toBe('PROTOCOL_MALFORMED')
  expect(err.message).toContain(`/hcx/settle/1.0.0: malformed message at ${field}`)
  return err
}

describe('settle request', () => {
  it('survives encode and decode unchanged', () => {
    const sent = request()
    const received = decodeSignRequest(encodeSettleMessage(sent))
    expect(received).toEqual(sent)
    expect(received.house).toBeInstanceOf(Uint8Array)
    // Deterministic: the same request is the same bytes.
    expect(encodeSettleMessage(received)).toEqual(encodeSettleMessage(sent))
  })

  it('survives encode and decode unchanged, for any well-formed request', () => {
    const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })
    const requests = fc.record({
      v: fc.constant(1 as const),
      net: fc.string({ minLength: 1, maxLength: 64 }),
      chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      house: bytes(20),
      epoch: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      root: bytes(32),
      trades: fc.array(bytes(32), { minLength: 1, maxLength: 20 }),
      proof: fc.array(bytes(32), { maxLength: 20 }),
      flags: fc.array(fc.boolean(), { maxLength: 40 }),
    })
    fc.assert(
      fc.property(requests, (sent) => {
        expect(decodeSignRequest(encodeSettleMessage(sent))).toEqual(sent)
      }),
      { numRuns: 200 },
    )
  })

  it(`takes ${MAX_TRADES_PER_REQUEST} trades, and refuses one more`, () => {
    const trades = Array.from({ length: MAX_TRADES_PER_REQUEST }, (_, i) => filled(32, i & 0xff))
    const full = request({ trades, proof: trades.slice(0, 100), flags: [] })
    expect(decodeSignRequest(encodeSettleMessage(full)).trades).toHaveLength(MAX_TRADES_PER_REQUEST)
    refusedField('trades', [...trades, filled(32, 9)])
  })

  it('refuses more proof hashes or flags than any multiproof over the cap needs', () => {
    refusedField(
      'proof',
      Array.from({ length: 2 * MAX_TRADES_PER_REQUEST + 1 }, () => filled(32, 7)),
    )
    refusedField(
      'flags',
      Array.from({ length: 3 * MAX_TRADES_PER_REQUEST + 1 }, () => true),
    )
  })

  it('refuses data over the size cap before decoding it', () => {
    const err = refusedRequest(new Uint8Array(SETTLE_LIMITS.maxRequestBytes + 1))
    expect(err.type).toEqual({
      code: 'PROTOCOL_TOO_LARGE',
      size: SETTLE_LIMITS.maxRequestBytes + 1,
      limit: SETTLE_LIMITS.maxRequestBytes,
    })
    // Well-formed CBOR over the cap is refused for its size, not parsed.
    const bloated = raw({ ...request(), net: 'n'.repeat(SETTLE_LIMITS.maxRequestBytes) })
    expect(refusedRequest(bloated).type.code).toBe('PROTOCOL_TOO_LARGE')
    // The largest request the limits allow fits under the cap.
    const largest = request({
      net: 'n'.repeat(64),
      trades: Array.from({ length: MAX_TRADES_PER_REQUEST }, () => filled(32, 1)),
      proof: Array.from({ length: 2 * MAX_TRADES_PER_REQUEST }, () => filled(32, 2)),
      flags: Array.from({ length: 3 * MAX_TRADES_PER_REQUEST }, () => true),
    })
    const data = encodeSettleMessage(largest)
    expect(data.byteLength).toBeLessThanOrEqual(SETTLE_LIMITS.maxRequestBytes)
    expect(decodeSignRequest(data).proof).toHaveLength(2 * MAX_TRADES_PER_REQUEST)
  })

  it('refuses byte strings of the wrong length, naming the field', () => {
    refusedField('house', filled(19, 1))
    refusedField('house', filled(21, 1))
    refusedField('root', filled(31, 1))
    refusedField('root', filled(33, 1))
    expect(refusedField('trades', [filled(32, 1), filled(31, 1)]).message).toContain('trades.1')
    expect(refusedField('proof', [filled(64, 1)]).message).toContain('proof.0')
    // Hex in a string is not bytes.
    refusedField('root', `0x${'52'.repeat(32)}`)
  })

  it('refuses every other field out of its range or type', () => {
    refusedField('v', 2)
    refusedField('net', '')
    refusedField('net', 'n'.repeat(65))
    refusedField('chainId', 0)
    refusedField('chainId', -1)
    refusedField('chainId', 1.5)
    refusedField('chainId', 2n ** 60n)
    refusedField('epoch', 0)
    refusedField('epoch', 2 ** 53)
    refusedField('trades', [])
    refusedField('flags', [1, 0])
  })

  it('refuses a missing field, and a field it does not know', () => {
    const { root: _, ...rootless } = request()
    expect(refusedRequest(raw(rootless)).message).toContain('malformed message at root')
    const err = refusedRequest(raw({ ...request(), sig: filled(65, 1) }))
    expect(err.type.code).toBe('PROTOCOL_MALFORMED')
    expect(err.message).toContain('Unrecognized key: "sig"')
  })

  it('refuses a response where a request belongs', () => {
    refusedRequest(encodeSettleMessage({ ok: true, sig: filled(65, 1) }))
  })

  it('refuses garbage, CBOR that is not deterministic, and trailing bytes', () => {
    for (const data of [
      new Uint8Array(0),
      Uint8Array.of(0xff),
      Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff),
      // An indefinite-length map: not deterministic CBOR.
      Uint8Array.of(0xbf, 0x61, 0x76, 0x01, 0xff),
      // A valid request with a byte after it.
      Uint8Array.of(...encodeSettleMessage(request()), 0x00),
    ]) {
      expect(refusedRequest(data).type.code).toBe('PROTOCOL_MALFORMED')
    }
  })

  it('throws nothing but ProtocolError for any bytes, or any CBOR value', () => {
    const check = (data: Uint8Array) => {
      for (const decode of [decodeSignRequest, decodeSignResponse]) {
        try {
          decode(data)
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
        }
      }
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 500 })
    // Values that CBOR can carry, including near-misses of a real request.
    const values = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom('v', 'net', 'ok', 'sig', 'trades', '__proto__', 'constructor'),
        fc.jsonValue(),
      ),
      fc
        .record({ key: fc.constantFrom(...Object.keys(request())), value: fc.jsonValue() })
        .map(({ key, value }) => ({ ...request(), [key]: value })),
    )
    fc.assert(
      fc.property(values, (value) => check(encodeCbor(value))),
      { numRuns: 500 },
    )
  })
})

describe('settle response', () => {
  it('survives encode and decode unchanged: a signature or a refusal', () => {
    const signed: SignResponse = { ok: true, sig: filled(65, 0x1b) }
    expect(decodeSignResponse(encodeSettleMessage(signed))).toEqual(signed)
    for (const code of SETTLE_REFUSALS) {
      const refused: SignResponse = { ok: false, code, reason: `refused with ${code}` }
      expect(decodeSignResponse(encodeSettleMessage(refused))).toEqual(refused)
    }
    const longest: SignResponse = { ok: false, code: 'SETTLE_BAD_PROOF', reason: 'r'.repeat(256) }
    expect(decodeSignResponse(encodeSettleMessage(longest))).toEqual(longest)
  })

  it('refuses data over its size cap', () => {
    const err = refusedResponse(new Uint8Array(SETTLE_LIMITS.maxResponseBytes + 1))
    expect(err.type.code).toBe('PROTOCOL_TOO_LARGE')
  })

  it('refuses a signature of the wrong length, an unknown code, a long reason, or a mixed shape', () => {
    for (const value of [
      { ok: true, sig: filled(64, 1) },
      { ok: true, sig: filled(66, 1) },
      { ok: true, sig: `0x${'1b'.repeat(65)}` },
      { ok: false, code: 'SETTLE_WHATEVER', reason: 'no' },
      { ok: false, code: 'SETTLE_MALFORMED', reason: 'r'.repeat(257) },
      { ok: false, code: 'SETTLE_MALFORMED' },
      { ok: true, sig: filled(65, 1), code: 'SETTLE_MALFORMED' },
      { ok: false, code: 'SETTLE_MALFORMED', reason: 'no', sig: filled(65, 1) },
      { ok: 1, sig: filled(65, 1) },
      { sig: filled(65, 1) },
    ]) {
      expect(refusedResponse(raw(value)).type.code).toBe('PROTOCOL_MALFORMED')
    }
  })

  it('refuses a request where a response belongs, and garbage', () => {
    refusedResponse(encodeSettleMessage(request({ trades: [filled(32, 1)], proof: [], flags: [] })))
    refusedResponse(Uint8Array.of(0xa1, 0x61))
  })
})
