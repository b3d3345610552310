// /hcx/book/1.0.0: a snapshot of the live orders (and the trades that shrank them, so the
// receiver can check every remaining quantity) for a late joiner or a light client. Every
// item is validated like gossip except for freshness: live orders may be old.

import type { PeerId } from '@libp2p/interface'
import { describeError } from '../../errors/hcx-error.ts'
import type { StoreOperation } from '../../ledger/store/store.ts'
import {
  type BookFrame,
  decodeBookFrame,
  decodeBookRequest,
  encodeExchange,
  MARKET_PROTOCOLS,
} from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import { decodeTradeBody, messageId } from '../../protocols/market/messages.ts'
import { decodeTradeItem, encodeOrderItem, encodeTradeItem } from '../../protocols/market/wire.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { MarketError } from './errors.ts'
import { addForeignOrder, exchangeLimits, type MarketContext, orderPeers } from './market-context.ts'
import { orderStatusOp } from './market-records.ts'
import { MarketState } from './market-state.ts'

const ORDERS_PER_FRAME = 1_000
const TRADES_PER_FRAME = 3_000
const SNAPSHOT_TIMEOUT_MS = 15_000

export function answerBook(ctx: MarketContext, requestBytes: Uint8Array, requester: string): Uint8Array[] {
  const request = decodeBookRequest(requestBytes)
  if (request.client === true) ctx.clients.add(requester)
  const frames: Uint8Array[] = []
  let frame: BookFrame = { orders: [], trades: [] }
  for (const entry of ctx.state.orders.values()) {
    if (!entry.resting || entry.status !== 'open') continue
    if (request.inst !== undefined && entry.order.body.inst !== request.inst) continue
    frame.orders.push(encodeOrderItem(entry.order) as [Uint8Array, Uint8Array])
    for (const trade of ctx.ledger.tradesOf(entry.order.id)) {
      frame.trades.push(encodeTradeItem(trade) as [Uint8Array, Uint8Array, Uint8Array])
    }
    if (frame.orders.length >= ORDERS_PER_FRAME || frame.trades.length >= TRADES_PER_FRAME) {
      frames.push(encodeExchange(frame))
      frame = { orders: [], trades: [] }
    }
  }
  frames.push(encodeExchange(frame))
  return frames
}

/** Takes the whole book from a peer into this node's state; gossip keeps it current after. */
export async function syncBookFrom(ctx: MarketContext, peer: PeerId): Promise<void> {
  const frames = await requestSnapshot(ctx, peer)
  const { state, validator, init } = ctx
  const now = init.now()
  const ops: StoreOperation[] = []
  for (const frame of frames) {
    for (const [bodyBytes, signature] of frame.orders) {
      const outcome = validator.validateOrder({ bodyBytes, signature }, { fresh: false })
      if (outcome.result !== 'accept' || state.isCancelled(outcome.value.id)) continue
      ops.push(orderStatusOp(addForeignOrder(ctx, outcome.value, now), now))
    }
    for (const item of frame.trades) {
      const outcome = validator.validateTrade(decodeTradeItem(item), { fresh: false })
      if (outcome.result === 'accept') await ctx.ledger.record(outcome.value)
    }
  }
  await init.store.batch(ops)
  for (const instrument of state.books.keys()) ctx.emit({ type: 'book', instrument })
}

/** A light client's view of one instrument: its gateway's snapshot, checked like gossip. */
export async function fetchSnapshotView(ctx: MarketContext, instrument: string): Promise<MarketState> {
  const gateway = ctx.gatewayPeer
  if (gateway === undefined) throw new Error('only a light client fetches its book from a gateway')
  const frames = await requestSnapshot(ctx, gateway, instrument).catch((err: unknown) => {
    throw new MarketError(
      { code: 'MARKET_GATEWAY_UNREACHABLE' },
      `cannot fetch the book from the gateway ${gateway}: ${describeError(err)}; check that it runs and --bootstrap points at it`,
    )
  })
  const view = new MarketState()
  const now = ctx.init.now()
  const { validator } = ctx
  for (const frame of frames) {
    for (const item of frame.trades) {
      const raw = decodeTradeItem(item)
      const outcome = validator.validateTrade(raw, { fresh: false })
      // A duplicate was verified when first seen.
      if (outcome.result === 'accept' || outcome.code === 'MESSAGE_DUPLICATE') {
        view.applyTrade({ id: messageId(raw.bodyBytes), body: decodeTradeBody(raw.bodyBytes), ...raw })
      }
    }
    for (const [bodyBytes, signature] of frame.orders) {
      const outcome = validator.validateOrder({ bodyBytes, signature }, { fresh: false, record: false })
      if (outcome.result !== 'accept') continue
      view.addOrder(outcome.value, { ...orderPeers(ctx, outcome.value), own: false, resting: true }, now)
    }
  }
  return view
}

async function requestSnapshot(ctx: MarketContext, peer: PeerId, inst?: string): Promise<BookFrame[]> {
  const request = encodeExchange({
    ...(inst === undefined ? {} : { inst }),
    ...(ctx.gatewayPeer === undefined ? {} : { client: true }),
  })
  const frames = await sendRequest(ctx.init.host, peer, MARKET_PROTOCOLS.book, request, {
    ...exchangeLimits(ctx.init),
    timeoutMs: SNAPSHOT_TIMEOUT_MS,
    maxResponseBytes: MARKET_LIMITS.maxSnapshotFrameBytes,
  })
  return frames.map(decodeBookFrame)
}
