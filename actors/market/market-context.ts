// What the parts of the market share: its dependencies, its state, its trade ledger and
// taker, and the ways out (gossip, events). The Market is the one implementation.

import type { PeerId } from '@libp2p/interface'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import type { SignedCancel, SignedOrder, SignedTrade } from '../../protocols/market/messages.ts'
import type { MarketValidator } from '../../protocols/market/validate.ts'
import type { ExchangeLimits } from '../../protocols/streams/request-response.ts'
import type { FillHolds } from './fill-holds.ts'
import type { MarketState, OrderEntry } from './market-state.ts'
import type { MarketEvent, MarketInit } from './market-types.ts'
import type { Taker } from './taker.ts'
import type { TradeLedger } from './trade-ledger.ts'

export interface MarketContext {
  readonly init: MarketInit
  readonly state: MarketState
  readonly validator: MarketValidator
  readonly ledger: TradeLedger
  readonly taker: Taker
  /** Fill-or-kill holds on this node's own orders. */
  readonly holds: FillHolds
  readonly peerId: string
  /** A light client's gateway; undefined on a full node. */
  readonly gatewayPeer: PeerId | undefined
  /** Light clients whose fill requests this node forwards. */
  readonly clients: Set<string>
  publishOrder(item: SignedOrder | SignedCancel): void
  publishTrade(trade: SignedTrade): void
  emit(event: MarketEvent): void
}

export function exchangeLimits(init: MarketInit): ExchangeLimits {
  return {
    timeoutMs: init.fillTimeoutMs ?? 5_000,
    maxRequestBytes: MARKET_LIMITS.maxRequestBytes,
    maxResponseBytes: MARKET_LIMITS.maxRequestBytes,
  }
}

/** Who owns an order and which node answers fill requests for it. */
export function orderPeers(
  ctx: MarketContext,
  order: SignedOrder,
): { ownerPeerId: string; viaPeerId: string } {
  const { verifier } = ctx.validator
  const ownerPeerId = verifier.peerId(order.body.owner)
  return {
    ownerPeerId,
    viaPeerId: order.body.via === undefined ? ownerPeerId : verifier.peerId(order.body.via),
  }
}

/** Adds an order learnt from another node (gossip, snapshot, a light client) to the book. */
export function addForeignOrder(ctx: MarketContext, order: SignedOrder, now: number): OrderEntry {
  return ctx.state.addOrder(order, { ...orderPeers(ctx, order), own: false, resting: true }, now)
}
