// Taking liquidity for this node's own orders: asks the makers of crossing orders, best
// price first, to fill, each over /hcx/fill/1.0.0. The quantity asked is reserved on the
// own order before the request leaves and written down as a `matched` trade, so neither
// racing requests nor a crash can fill the order past its quantity.

import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../../errors/hcx-error.ts'
import {
  decodeFillResponse,
  encodeExchange,
  type FillResponse,
  type FillStage,
  MARKET_PROTOCOLS,
} from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import {
  encodeTradeBody,
  messageId,
  SIGNING_DOMAINS,
  type SignedOrder,
  type SignedTrade,
  type TradeBody,
} from '../../protocols/market/messages.ts'
import { encodeOrderItem } from '../../protocols/market/wire.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { fetchSnapshotView } from './book-sync.ts'
import { exchangeLimits, type MarketContext } from './market-context.ts'
import { tradeRecord } from './market-records.ts'
import type { OrderEntry } from './market-state.ts'
import type { TradeView } from './market-types.ts'

/** A matched trade whose maker never answered is given up after this long. */
export const MATCHED_RESOLVE_MS = MARKET_LIMITS.freshnessMs + 2 * MARKET_LIMITS.clockSkewMs
const OFFLINE_BACKOFF_MS = 10_000
const ATTEMPTS_PER_MAKER = 3

type AskOutcome =
  | { kind: 'filled'; trade: TradeView }
  | { kind: 'short'; available: bigint }
  | { kind: 'failed' }

export class Taker {
  private readonly ctx: MarketContext
  private readonly passes = new Map<string, Promise<void>>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  /** Nodes that did not answer a fill request lately: their orders are not matched for a while. */
  private readonly offlineUntil = new Map<string, number>()

  constructor(ctx: MarketContext) {
    this.ctx = ctx
  }

  /** Fills an own order from the book (a light client's: its gateway's snapshot) as far as it can. */
  async take(entry: OrderEntry): Promise<TradeView[]> {
    const { ctx } = this
    const view =
      ctx.gatewayPeer === undefined ? ctx.state : await fetchSnapshotView(ctx, entry.order.body.inst)
    const { body } = entry.order
    const selfReputation = ctx.init.reputation(ctx.peerId)
    const now = ctx.init.now()
    const candidates: OrderEntry[] = []
    let liquidity = 0n
    view.book(body.inst).forEachCrossing(body.side, Number(body.px), (resting) => {
      const maker = view.entryByKey(resting.key)
      if (maker === undefined || maker.ownerPeerId === ctx.peerId) return true
      if ((this.offlineUntil.get(maker.viaPeerId) ?? 0) > now) return true
      if (maker.order.body.minRep > selfReputation) return true
      if (body.minRep > ctx.init.reputation(maker.ownerPeerId)) return true
      candidates.push(maker)
      liquidity += BigInt(resting.qty)
      return liquidity < body.qty
    })
    const fills: TradeView[] = []
    if (body.tif === 'fok')
      return liquidity < body.qty - entry.filled ? fills : this.takeAllOrNothing(entry, candidates)

    for (const maker of candidates) {
      let asked = maker.order.body.qty - maker.filled
      for (let attempt = 0; attempt < ATTEMPTS_PER_MAKER && asked > 0n; attempt++) {
        const outcome = await this.ask(entry, maker, asked)
        if (outcome.kind === 'filled') fills.push(outcome.trade)
        if (outcome.kind !== 'short') break
        asked = outcome.available
      }
      if (ctx.state.available(entry, ctx.init.now()) === 0n) break
    }
    return fills
  }

  /**
   * When an order crosses one of this node's resting orders, the later of the two takes:
   * orders placed at the same moment on two nodes would otherwise both rest, crossed.
   */
  onCrossingOrder(order: SignedOrder): void {
    const { body } = order
    this.ctx.state.book(body.inst).forEachCrossing(body.side, Number(body.px), (resting) => {
      const mine = this.ctx.state.entryByKey(resting.key)
      if (mine === undefined || !mine.own) return true
      const later =
        mine.order.body.ts > body.ts || (mine.order.body.ts === body.ts && mine.order.id > order.id)
      if (later) this.rematch(mine)
      return true
    })
  }

  /** Runs a taker pass for a resting own order, one at a time per order. */
  rematch(entry: OrderEntry): void {
    if (!entry.own || entry.status !== 'open' || this.passes.has(entry.order.id)) return
    const pass = this.take(entry)
      .then(() => undefined)
      .catch((err: unknown) => this.ctx.init.logger.warn({ err: describeError(err) }, 'taker pass failed'))
      .finally(() => this.passes.delete(entry.order.id))
    this.passes.set(entry.order.id, pass)
  }

  /** Keeps a matched trade's reservation until its co-signed copy arrives or it is too old. */
  resolveLater(entry: OrderEntry, proposed: SignedTrade, delayMs = MATCHED_RESOLVE_MS): void {
    const { state } = this.ctx
    const { store } = this.ctx.init
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      state.release(entry, proposed.body.qty)
      if (state.hasTrade(proposed.id)) return
      void store.batch([{ type: 'del', sublevel: 'trades', key: proposed.id }]).catch(() => {})
    }, delayMs)
    this.timers.add(timer)
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    await Promise.allSettled(this.passes.values())
  }

  private async ask(entry: OrderEntry, maker: OrderEntry, wanted: bigint): Promise<AskOutcome> {
    const { state, init } = this.ctx
    if (maker.status !== 'open') return { kind: 'failed' }
    const now = init.now()
    const qty = state.reserve(entry, wanted, now)
    if (qty === 0n) return { kind: 'failed' }
    return this.commit(entry, maker, this.propose(entry, maker, qty, now))
  }

  /**
   * Fill-or-kill across several makers: every maker first holds its part (unsigned, for a
   * few seconds); only when all have held does the taker commit each, else it releases them.
   */
  private async takeAllOrNothing(entry: OrderEntry, candidates: OrderEntry[]): Promise<TradeView[]> {
    const { state, init } = this.ctx
    const now = init.now()
    let need = entry.order.body.qty - entry.filled
    const plan: Array<{ maker: OrderEntry; proposed: SignedTrade }> = []
    for (const maker of candidates) {
      const left = maker.order.body.qty - maker.filled
      const qty = state.reserve(entry, left < need ? left : need, now)
      if (qty === 0n) break
      plan.push({ maker, proposed: this.propose(entry, maker, qty, now) })
      need -= qty
    }
    const answers =
      need === 0n
        ? await Promise.all(
            plan.map(({ maker, proposed }) =>
              this.send(entry, maker, proposed, 'hold').catch(() => undefined),
            ),
          )
        : []
    const allHeld =
      need === 0n && answers.every((answer) => answer?.ok === true && 'held' in answer && answer.held)
    if (!allHeld) {
      await Promise.all(
        plan.map(({ maker, proposed }, i) =>
          answers[i]?.ok === true
            ? this.send(entry, maker, proposed, 'release').catch(() => undefined)
            : undefined,
        ),
      )
      for (const { proposed } of plan) state.release(entry, proposed.body.qty)
      return []
    }
    const fills: TradeView[] = []
    for (const { maker, proposed } of plan) {
      const outcome = await this.commit(entry, maker, proposed, 'commit')
      if (outcome.kind === 'filled') fills.push(outcome.trade)
    }
    return fills
  }

  /** Asks the maker to sign a proposal whose quantity this order has reserved, and records the answer. */
  private async commit(
    entry: OrderEntry,
    maker: OrderEntry,
    proposed: SignedTrade,
    stage?: 'commit',
  ): Promise<AskOutcome> {
    const { ctx } = this
    const { init, state } = ctx
    const qty = proposed.body.qty
    // Written before the request leaves: after a crash the reservation is still known.
    await init.store.put('trades', proposed.id, tradeRecord(proposed, 'matched', init.now()))
    const response = await this.send(entry, maker, proposed, stage).catch((err: unknown) => {
      // The maker may have signed before the connection failed: the reservation stays until
      // its co-signed trade arrives by gossip or the proposal is too old to be accepted.
      init.logger.debug({ maker: maker.viaPeerId, err: describeError(err) }, 'fill request failed')
      this.resolveLater(entry, proposed)
      return undefined
    })
    if (response === undefined) return { kind: 'failed' }
    const makerSig = response.ok && 'makerSig' in response ? response.makerSig : undefined
    const signed =
      makerSig !== undefined &&
      ctx.validator.verifier.verify(
        maker.order.body.owner,
        SIGNING_DOMAINS.trade,
        proposed.bodyBytes,
        makerSig,
      )
    if (makerSig === undefined || !signed) {
      if (makerSig !== undefined) init.logger.warn({ maker: maker.ownerPeerId }, 'maker signed a fill badly')
      state.release(entry, qty)
      await init.store.batch([{ type: 'del', sublevel: 'trades', key: proposed.id }])
      return !response.ok && response.code === 'FILL_UNAVAILABLE' && response.available > 0
        ? { kind: 'short', available: BigInt(response.available) }
        : { kind: 'failed' }
    }
    const trade: SignedTrade = { ...proposed, makerSignature: makerSig }
    await ctx.ledger.record(trade, () => state.release(entry, qty))
    return { kind: 'filled', trade: ctx.ledger.view(trade, 'cosigned') }
  }

  /** One fill request to the maker's node (a light client's: through its gateway). */
  private async send(
    entry: OrderEntry,
    maker: OrderEntry,
    proposed: SignedTrade,
    stage?: FillStage,
  ): Promise<FillResponse> {
    const { init, gatewayPeer } = this.ctx
    const request = encodeExchange({
      trade: proposed.bodyBytes,
      takerSig: proposed.takerSignature,
      takerOrder: encodeOrderItem(entry.order) as [Uint8Array, Uint8Array],
      ...(stage === undefined ? {} : { stage }),
    })
    try {
      const target = gatewayPeer ?? peerIdFromString(maker.viaPeerId)
      const frames = await sendRequest(
        init.host,
        target,
        MARKET_PROTOCOLS.fill,
        request,
        exchangeLimits(init),
      )
      return decodeFillResponse(frames[0] ?? new Uint8Array(0))
    } catch (err) {
      this.offlineUntil.set(maker.viaPeerId, init.now() + OFFLINE_BACKOFF_MS)
      throw err
    }
  }

  /** The trade this node proposes, at the maker's price, signed by this node as taker. */
  private propose(entry: OrderEntry, maker: OrderEntry, qty: bigint, now: number): SignedTrade {
    const { init } = this.ctx
    const { body: taker } = entry.order
    const { body: makerBody } = maker.order
    const body: TradeBody = {
      v: 1,
      net: init.network,
      inst: taker.inst,
      px: makerBody.px,
      qty,
      maker: Buffer.from(maker.order.id, 'hex'),
      taker: Buffer.from(entry.order.id, 'hex'),
      makerOwner: makerBody.owner,
      takerOwner: taker.owner,
      makerAcct: makerBody.acct,
      takerAcct: taker.acct,
      takerSide: taker.side,
      ts: now,
      seq: entry.nextTradeSeq++,
    }
    const bodyBytes = encodeTradeBody(body)
    return {
      id: messageId(bodyBytes),
      body,
      bodyBytes,
      makerSignature: new Uint8Array(0),
      takerSignature: init.signer.sign(SIGNING_DOMAINS.trade, bodyBytes),
    }
  }
}
