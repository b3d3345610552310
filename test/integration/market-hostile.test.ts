// A node facing a hostile peer: malformed bytes, bad signatures, replayed, reused and
// expired orders and oversized messages on gossip, and garbage on the fill and book
// streams, are refused without a crash, REJECTs lower the sender's gossipsub score, and the
// node still trades with honest peers afterwards. Each hostile order differs from a valid
// one in exactly one way, and the valid one is shown to be accepted.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { encodeCbor } from '../../protocols/codec/cbor.ts'
import {
  decodeFillResponse,
  encodeExchange,
  MARKET_PROTOCOLS,
} from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import {
  encodeTradeBody,
  messageId,
  type OrderBody,
  SIGNING_DOMAINS,
  type SignedOrder,
  type SignedTrade,
  type TradeBody,
} from '../../protocols/market/messages.ts'
import { signOrder } from '../../protocols/market/sign.ts'
import { marketTopics } from '../../protocols/market/topics.ts'
import { encodeOrderTopicMessage, encodeTradeTopicMessage } from '../../protocols/market/wire.ts'
import { type Signer, signerFromPeerKey } from '../../protocols/signing/ed25519.ts'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { gossipScore, type RawPeer, startRawPeer } from '../helpers/raw-peer.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const NETWORK = 'main'
const TOPICS = marketTopics(NETWORK)
const INSTRUMENT = 'SPOT:gpu.h100'
/** Past this age a gossiped message can only be a replay (see validate.ts). */
const REPLAY_AGE_MS = MARKET_LIMITS.freshnessMs + 2 * MARKET_LIMITS.clockSkewMs
const SCORE_WAIT_MS = 4_000

// ---------------------------------------------------------------- factories

let nextNonce = 1
/** Hostile orders are asks far above any honest bid, each at its own price level. */
let nextPrice = 9_000_000n

function orderBody(owner: Signer, overrides: Partial<OrderBody> = {}): OrderBody {
  nextPrice += 100n
  return {
    v: 1,
    net: NETWORK,
    inst: INSTRUMENT,
    side: 'sell',
    px: nextPrice,
    qty: 5n,
    tif: 'gtc',
    exp: 0,
    ts: Date.now(),
    nonce: nextNonce++,
    owner: owner.publicKey,
    acct: new Uint8Array(20).fill(7),
    minRep: 0,
    ...overrides,
  }
}

function flipBit(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[index] = (copy[index] as number) ^ 0x01
  return copy
}

/** Fixed bytes that are not CBOR (a lone integer followed by trailing junk). */
function garbage(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 73 + 41) & 0xff)
}

async function freshSigner(): Promise<Signer> {
  return signerFromPeerKey(await generateKeyPair('Ed25519'))
}

// ---------------------------------------------------------------- the node under attack

describe('a node receiving hostile market traffic', () => {
  const cluster = new TestCluster()
  const rawPeers: RawPeer[] = []
  let victim: HcxNode

  beforeAll(async () => {
    victim = await cluster.start({ flags: { discovery: MARKET_TEST_DISCOVERY } })
  })
  afterEach(async () => {
    await Promise.allSettled(rawPeers.splice(0).map((peer) => peer.stop()))
  })
  afterAll(async () => {
    await Promise.allSettled(rawPeers.splice(0).map((peer) => peer.stop()))
    await cluster.stopAll()
  })

  async function hostilePeer(): Promise<RawPeer> {
    const peer = await startRawPeer(victim, [TOPICS.orders, TOPICS.fills])
    rawPeers.push(peer)
    return peer
  }

  const scoreOf = (peer: RawPeer) => gossipScore(victim, peer.peerId)
  const counts = () => ({ ...victim.market.validationCounts() })

  /** Validation outcomes counted since `before`, by `topic:result:code`. */
  function countsSince(before: Record<string, number>): Record<string, number> {
    const changed: Record<string, number> = {}
    for (const [label, count] of Object.entries(victim.market.validationCounts())) {
      const delta = count - (before[label] ?? 0)
      if (delta !== 0) changed[label] = delta
    }
    return changed
  }

  /** Publishes `data` from `peer` and resolves to the validation outcomes it caused. */
  async function publishAndTally(
    peer: RawPeer,
    topic: string,
    data: Uint8Array,
  ): Promise<Record<string, number>> {
    const before = counts()
    expect(await peer.publish(topic, data)).toBe(1)
    await waitFor(() => Object.keys(countsSince(before)).length > 0, 3_000, 20)
    return countsSince(before)
  }

  async function expectScoreBelowZero(peer: RawPeer): Promise<void> {
    await waitFor(() => scoreOf(peer) < 0, SCORE_WAIT_MS)
    expect(scoreOf(peer)).toBeLessThan(0)
  }

  function expectNotInBook(order: SignedOrder): void {
    expect(victim.market.orderStatus(order.id)).toBeUndefined()
    expect(victim.market.depth(INSTRUMENT).asks.map(([price]) => price)).not.toContain(order.body.px)
  }

  async function expectAccepted(peer: RawPeer, order: SignedOrder): Promise<void> {
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:accept': 1,
    })
    expect(victim.market.orderStatus(order.id)).toMatchObject({ status: 'open', qty: order.body.qty })
  }

  // ------------------------------------------------------------ the valid reference

  it('accepts a well-formed order from the same kind of peer, so each hostile case below fails only on its defect', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer), peer.signer)
    await expectAccepted(peer, order)
    expect(victim.market.depth(INSTRUMENT).asks).toContainEqual([order.body.px, order.body.qty])
    expect(scoreOf(peer)).toBeGreaterThanOrEqual(0)
  })

  // ------------------------------------------------------------ malformed bytes

  it('rejects gossip bytes that are not CBOR and lowers the sender score', async () => {
    const peer = await hostilePeer()
    expect(await publishAndTally(peer, TOPICS.orders, garbage(200))).toEqual({
      'orders:reject:MESSAGE_MALFORMED': 1,
    })
    await expectScoreBelowZero(peer)
  })

  it('rejects valid CBOR that is not a batch of signed items and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer), peer.signer)
    // The right parts, framed as a map instead of [[kind, body, signature]].
    const wrongShape = encodeCbor({ kind: 'o', body: order.bodyBytes, signature: order.signature })
    expect(await publishAndTally(peer, TOPICS.orders, wrongShape)).toEqual({
      'orders:reject:MESSAGE_MALFORMED': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('rejects a signed item whose body is CBOR of the wrong shape and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const body = orderBody(peer.signer)
    // Prices travel as integers; a decimal string is not an order body.
    const bodyBytes = encodeCbor({ ...body, px: body.px.toString(), qty: Number(body.qty) })
    const item = ['o', bodyBytes, peer.signer.sign(SIGNING_DOMAINS.order, bodyBytes)]
    expect(await publishAndTally(peer, TOPICS.orders, encodeCbor([item]))).toEqual({
      'orders:reject:MESSAGE_MALFORMED': 1,
    })
    expect(victim.market.orderStatus(messageId(bodyBytes))).toBeUndefined()
    await expectScoreBelowZero(peer)
  })

  it('rejects garbage on the fills topic and lowers the sender score', async () => {
    const peer = await hostilePeer()
    expect(await publishAndTally(peer, TOPICS.fills, garbage(120))).toEqual({
      'fills:reject:MESSAGE_MALFORMED': 1,
    })
    await expectScoreBelowZero(peer)
  })

  // ------------------------------------------------------------ signatures

  it('rejects an order whose signature has one bit flipped and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const valid = signOrder(orderBody(peer.signer), peer.signer)
    const order = { ...valid, signature: flipBit(valid.signature, 17) }
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:reject:MESSAGE_BAD_SIGNATURE': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('rejects an order signed by a key other than its owner and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer), await freshSigner())
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:reject:MESSAGE_BAD_SIGNATURE': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('rejects a trade whose maker signature does not verify and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const taker = await freshSigner()
    const body: TradeBody = {
      v: 1,
      net: NETWORK,
      inst: INSTRUMENT,
      px: 9_000_000n,
      qty: 1n,
      maker: new Uint8Array(32).fill(1),
      taker: new Uint8Array(32).fill(2),
      makerOwner: peer.signer.publicKey,
      takerOwner: taker.publicKey,
      makerAcct: new Uint8Array(20).fill(3),
      takerAcct: new Uint8Array(20).fill(4),
      takerSide: 'buy',
      ts: Date.now(),
      seq: 0,
    }
    const bodyBytes = encodeTradeBody(body)
    const trade: SignedTrade = {
      id: messageId(bodyBytes),
      body,
      bodyBytes,
      makerSignature: flipBit(peer.signer.sign(SIGNING_DOMAINS.trade, bodyBytes), 5),
      takerSignature: taker.sign(SIGNING_DOMAINS.trade, bodyBytes),
    }
    expect(await publishAndTally(peer, TOPICS.fills, encodeTradeTopicMessage([trade]))).toEqual({
      'fills:reject:MESSAGE_BAD_SIGNATURE': 1,
    })
    expect(victim.market.tradeList().map((view) => view.tradeId)).not.toContain(trade.id)
    await expectScoreBelowZero(peer)
  })

  // ------------------------------------------------------------ replays and reuse

  it('rejects a correctly signed order older than the replay window and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer, { ts: Date.now() - REPLAY_AGE_MS - 5_000 }), peer.signer)
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:reject:MESSAGE_REPLAYED': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('keeps an exactly replayed order in the book once, without punishing the peer that repeats it', async () => {
    const first = await hostilePeer()
    const order = signOrder(orderBody(first.signer), first.signer)
    const message = encodeOrderTopicMessage([order])
    await expectAccepted(first, order)

    // The same bytes from another peer: gossipsub drops a message id it has seen, on the
    // sending side when that peer has already heard of it, else on the receiving side.
    const second = await hostilePeer()
    const before = counts()
    await second.publish(TOPICS.orders, message, { allowSeen: true })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(countsSince(before)).toEqual({})
    // The same order in a new message: the market's validator has seen it.
    expect(await publishAndTally(second, TOPICS.orders, encodeOrderTopicMessage([order, order]))).toEqual({
      'orders:ignore:MESSAGE_DUPLICATE': 1,
    })
    expect(countsSince(before)).toEqual({ 'orders:ignore:MESSAGE_DUPLICATE': 1 })
    expect(victim.market.orderStatus(order.id)).toMatchObject({ status: 'open', filled: 0n, qty: 5n })
    expect(victim.market.depth(INSTRUMENT).asks).toContainEqual([order.body.px, order.body.qty])
    expect(scoreOf(second)).toBeGreaterThanOrEqual(0)
  })

  it('rejects a second order that reuses an owner nonce and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const first = signOrder(orderBody(peer.signer), peer.signer)
    await expectAccepted(peer, first)
    const reused = signOrder(orderBody(peer.signer, { nonce: first.body.nonce }), peer.signer)
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([reused]))).toEqual({
      'orders:reject:ORDER_NONCE_REUSED': 1,
    })
    expectNotInBook(reused)
    expect(victim.market.orderStatus(first.id)?.status).toBe('open')
    await expectScoreBelowZero(peer)
  })

  // ------------------------------------------------------------ expiry

  it('rejects a fresh order that expired long ago and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const now = Date.now()
    // Still fresh by its timestamp, but void well beyond any clock skew.
    const order = signOrder(orderBody(peer.signer, { ts: now - 20_000, exp: now - 15_000 }), peer.signer)
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:reject:ORDER_LONG_EXPIRED': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('rejects an order that claims to expire before it was made and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer, { exp: Date.now() - 3_600_000 }), peer.signer)
    expect(await publishAndTally(peer, TOPICS.orders, encodeOrderTopicMessage([order]))).toEqual({
      'orders:reject:MESSAGE_MALFORMED': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  // ------------------------------------------------------------ size caps

  it('rejects a gossip message over the size cap and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const order = signOrder(orderBody(peer.signer), peer.signer)
    // A valid batch carrying filler past the cap.
    const filler = new Uint8Array(MARKET_LIMITS.maxGossipBytes)
    const oversized = encodeCbor([['o', order.bodyBytes, order.signature], filler])
    expect(oversized.byteLength).toBeGreaterThan(MARKET_LIMITS.maxGossipBytes)
    expect(await publishAndTally(peer, TOPICS.orders, oversized)).toEqual({
      'orders:reject:MESSAGE_TOO_LARGE': 1,
    })
    expectNotInBook(order)
    await expectScoreBelowZero(peer)
  })

  it('rejects a batch holding a signed body over the body cap and lowers the sender score', async () => {
    const peer = await hostilePeer()
    const body = orderBody(peer.signer)
    const bodyBytes = encodeCbor({
      ...body,
      px: Number(body.px),
      qty: Number(body.qty),
      memo: 'x'.repeat(MARKET_LIMITS.maxBodyBytes),
    })
    expect(bodyBytes.byteLength).toBeGreaterThan(MARKET_LIMITS.maxBodyBytes)
    const item = ['o', bodyBytes, peer.signer.sign(SIGNING_DOMAINS.order, bodyBytes)]
    const tally = await publishAndTally(peer, TOPICS.orders, encodeCbor([item]))
    // Over the cap is refused before the body is read: as too large, or as malformed.
    expect(Object.values(tally)).toEqual([1])
    expect(Object.keys(tally)).toEqual([
      expect.stringMatching(/^orders:reject:MESSAGE_(TOO_LARGE|MALFORMED)$/),
    ])
    expect(victim.market.orderStatus(messageId(bodyBytes))).toBeUndefined()
    await expectScoreBelowZero(peer)
  })

  // ------------------------------------------------------------ streams

  it('refuses garbage fill requests and resets oversized ones', async () => {
    const peer = await hostilePeer()
    const fill = MARKET_PROTOCOLS.fill
    for (const request of [garbage(64), encodeCbor({ trade: 'not bytes', takerSig: 1 })]) {
      const answer = decodeFillResponse(await peer.exchange(victim, fill, [request]))
      expect(answer).toEqual({ ok: false, code: 'FILL_MALFORMED', available: 0 })
    }
    const oversized = new Uint8Array(MARKET_LIMITS.maxRequestBytes + 1)
    await expect(peer.exchange(victim, fill, [oversized])).rejects.toThrow()
  })

  it('closes book streams that carry garbage or oversized requests, and still serves a valid one', async () => {
    const peer = await hostilePeer()
    const book = MARKET_PROTOCOLS.book
    await expect(peer.exchange(victim, book, [garbage(64)])).rejects.toThrow()
    // Over the request cap, and over the largest frame the stream reads at all.
    await expect(
      peer.exchange(victim, book, [new Uint8Array(MARKET_LIMITS.maxRequestBytes + 1)]),
    ).rejects.toThrow()
    await expect(
      peer.exchange(victim, book, [new Uint8Array(MARKET_LIMITS.maxSnapshotFrameBytes + 1)]),
    ).rejects.toThrow()
    const snapshot = await peer.exchange(victim, book, [encodeExchange({ inst: INSTRUMENT })])
    expect(snapshot.byteLength).toBeGreaterThan(0)
  })

  // ------------------------------------------------------------ still serving honest peers

  it('still takes an honest peer’s resting order into its book after all of the above', async () => {
    expect(victim.libp2p.status).toBe('started')
    const honest = await cluster.start({
      flags: { discovery: MARKET_TEST_DISCOVERY, bootstrap: [victim.multiaddrs()[0] as string] },
    })
    expect(
      await waitFor(
        () =>
          honest.libp2p.services.pubsub
            .getSubscribers(TOPICS.orders)
            .some((id) => id.toString() === victim.peerId),
        5_000,
      ),
    ).toBe(true)
    const bid = await honest.market.place({
      instrument: INSTRUMENT,
      side: 'buy',
      price: 1_000_000n,
      qty: 3n,
      tif: 'gtc',
    })
    expect(bid.status).toBe('open')
    expect(await waitFor(() => victim.market.orderStatus(bid.orderId)?.status === 'open', 5_000)).toBe(true)
    expect(victim.market.depth(INSTRUMENT).bids).toContainEqual([1_000_000n, 3n])
  })
})
