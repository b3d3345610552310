// The market of one node: keeps the book from gossip, places and cancels this node's
// orders, takes liquidity by asking makers' nodes to fill, answers fill requests for its
// own orders (reserving atomically, co-signing, persisting before it answers), serves book
// snapshots, and acts as gateway for light clients. Light clients run the same code with
// their book fetched from the gateway instead of gossip.

import { EventEmitter } from 'node:events'
import type { Connection, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { describeError } from '../../errors/hcx-error.ts'
import { instrumentSpec, parseInstrumentId } from '../../ledger/instruments/instrument-id.ts'
import type { Store, StoreOperation } from '../../ledger/store/store.ts'
import type { Host } from '../../node/host/create-host.ts'
import {
  type BookFrame,
  decodeBookFrame,
  decodeBookRequest,
  decodeFillRequest,
  decodeFillResponse,
  decodeSubmitRequest,
  decodeSubmitResponse,
  encodeExchange,
  type FillRefusal,
  type FillResponse,
  MARKET_PROTOCOLS,
} from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import {
  type CancelBody,
  decodeTradeBody,
  encodeCancelBody,
  encodeOrderBody,
  encodeTradeBody,
  messageId,
  type OrderBody,
  SIGNING_DOMAINS,
  type Side,
  type SignedCancel,
  type SignedOrder,
  type SignedTrade,
  type TimeInForce,
  type TradeBody,
} from '../../protocols/market/messages.ts'
import { marketTopics } from '../../protocols/market/topics.ts'
import { MarketValidator, sameBytes } from '../../protocols/market/validate.ts'
import type { ValidationCode } from '../../protocols/market/validation-codes.ts'
import {
  decodeOrderTopicMessage,
  decodeTradeItem,
  decodeTradeTopicMessage,
  encodeOrderItem,
  encodeOrderTopicMessage,
  encodeTradeItem,
  encodeTradeTopicMessage,
} from '../../protocols/market/wire.ts'
import type { Signer } from '../../protocols/signing/ed25519.ts'
import { handleRequests, sendRequest } from '../../protocols/streams/request-response.ts'
import { MarketError } from './errors.ts'
import { GossipPublisher } from './gossip-publisher.ts'
import {
  orderFromRecord,
  orderRecord,
  orderStatusOp,
  tradeFromRecord,
  tradeRecord,
} from './market-records.ts'
import { hex, MarketState, type OrderEntry } from './market-state.ts'
import { TopicValidatorResultAdapter } from './topic-validation.ts'

export const NEUTRAL_REPUTATION = 5_000

export interface MarketInit {
  host: Host
  store: Store
  signer: Signer
  /** 20-byte settlement account address. */
  settlementAccount: Uint8Array
  network: string
  /** A light client keeps no book: it fetches one from its gateway and sends everything through it. */
  light: boolean
  /** The gateway full node of a light client: a multiaddr ending in /p2p/<peer id>. */
  gateway?: string
  now: () => number
  /** A random non-negative safe integer, for order nonces. */
  randomNonce: () => number
  reputation: (peerId: string) => number
  logger: Logger
  publishDelayMs?: number
  fillTimeoutMs?: number
}

export interface PlaceOrderParams {
  instrument: string
  side: Side
  price: bigint
  qty: bigint
  tif: TimeInForce
  /** Unix ms; none when absent. */
  expiresAt?: number
  minReputation?: number
}

export type TradeState = 'matched' | 'cosigned'

export interface TradeView {
  tradeId: string
  instrument: string
  price: bigint
  qty: bigint
  takerSide: Side
  makerOrderId: string
  takerOrderId: string
  maker: string
  taker: string
  makerAccount: string
  takerAccount: string
  state: TradeState
  at: number
  makerSignature: string
  takerSignature: string
}

export type PlacedStatus = 'open' | 'partial' | 'filled' | 'cancelled' | 'expired'

export interface PlaceResult {
  orderId: string
  status: PlacedStatus
  fills: TradeView[]
}

export type MarketEvent =
  /** The book changed; `orderIds` lists orders that arrived by gossip with this change. */
  | { type: 'book'; instrument: string; orderIds?: string[] }
  | { type: 'trade'; trade: TradeView }
  | { type: 'order'; orderId: string; status: PlacedStatus }

/** A matched trade whose maker never answered is given up after this long. */
const MATCHED_RESOLVE_MS = MARKET_LIMITS.freshnessMs + 2 * MARKET_LIMITS.clockSkewMs
const OFFLINE_BACKOFF_MS = 10_000
const SNAPSHOT_ORDERS_PER_FRAME = 1_000

export class Market {
  readonly events = new EventEmitter<{ event: [MarketEvent] }>()
  readonly state = new MarketState()
  readonly validator: MarketValidator
  private readonly init: MarketInit
  private readonly topics: ReturnType<typeof marketTopics>
  private readonly trades = new Map<string, SignedTrade>()
  private readonly tradesByOrder = new Map<string, string[]>()
  private readonly offlineUntil = new Map<string, number>()
  /** Light clients whose fill requests this node forwards. */
  private readonly clients = new Set<string>()
  private readonly takerPasses = new Map<string, Promise<void>>()
  private readonly resolveTimers = new Set<ReturnType<typeof setTimeout>>()
  private readonly gatewayPeer: PeerId | undefined
  private orderPublisher: GossipPublisher<SignedOrder | SignedCancel> | undefined
  private tradePublisher: GossipPublisher<SignedTrade> | undefined
  private validation: TopicValidatorResultAdapter | undefined
  private started = false
  private synced = false
  private readonly onConnect = (event: CustomEvent<Connection>) => {
    if (!this.synced) void this.syncFrom(event.detail.remotePeer)
  }

  constructor(init: MarketInit) {
    this.init = init
    this.topics = marketTopics(init.network)
    this.validator = new MarketValidator({
      network: init.network,
      now: init.now,
      checkInstrument,
      lookupOrder: (id) => this.state.orders.get(id)?.order.body,
    })
    if (init.light) {
      if (init.gateway === undefined) {
        throw new MarketError(
          { code: 'MARKET_NO_GATEWAY' },
          'a light client needs a gateway full node; pass --bootstrap with the full node to trade through',
        )
      }
      const peer = multiaddr(init.gateway)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value
      if (peer === undefined) {
        throw new MarketError(
          { code: 'MARKET_NO_GATEWAY' },
          `the gateway ${init.gateway} has no /p2p/<peer id>; use the full node's complete multiaddr`,
        )
      }
      this.gatewayPeer = peerIdFromString(peer)
    }
  }

  get peerId(): string {
    return this.init.signer.peerId
  }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await this.rebuild()
    const { host, logger } = this.init
    const pubsub = host.services.pubsub
    const delayMs = this.init.publishDelayMs ?? 3
    this.orderPublisher = new GossipPublisher({
      pubsub,
      topic: this.topics.orders,
      encode: encodeOrderTopicMessage,
      delayMs,
      logger,
    })
    this.tradePublisher = new GossipPublisher({
      pubsub,
      topic: this.topics.fills,
      encode: encodeTradeTopicMessage,
      delayMs,
      logger,
    })
    const limits = {
      timeoutMs: this.init.fillTimeoutMs ?? 5_000,
      maxRequestBytes: MARKET_LIMITS.maxRequestBytes,
    }
    await handleRequests(
      host,
      MARKET_PROTOCOLS.fill,
      { ...limits, maxResponseBytes: MARKET_LIMITS.maxRequestBytes },
      (request, { connection }) => this.answerFill(request, connection.remotePeer.toString()),
    )
    if (this.init.light) return
    await handleRequests(
      host,
      MARKET_PROTOCOLS.book,
      { ...limits, maxResponseBytes: MARKET_LIMITS.maxSnapshotFrameBytes, maxInboundStreams: 8 },
      async (request, { connection }) => this.answerBook(request, connection.remotePeer.toString()),
    )
    await handleRequests(
      host,
      MARKET_PROTOCOLS.submit,
      { ...limits, maxResponseBytes: MARKET_LIMITS.maxRequestBytes },
      (request, { connection }) => this.answerSubmit(request, connection.remotePeer.toString()),
    )
    const validation = new TopicValidatorResultAdapter({ logger })
    this.validation = validation
    pubsub.topicValidators.set(this.topics.orders, (_peer, message) =>
      validation.run('orders', () => this.onOrderMessage(message.data)),
    )
    pubsub.topicValidators.set(this.topics.fills, (_peer, message) =>
      validation.run('fills', () => this.onTradeMessage(message.data)),
    )
    pubsub.subscribe(this.topics.orders)
    pubsub.subscribe(this.topics.fills)
    host.addEventListener('connection:open', this.onConnect)
    const first = host.getConnections()[0]
    if (first !== undefined) void this.syncFrom(first.remotePeer)
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    const { host } = this.init
    host.removeEventListener('connection:open', this.onConnect)
    this.orderPublisher?.stop()
    this.tradePublisher?.stop()
    for (const timer of this.resolveTimers) clearTimeout(timer)
    this.resolveTimers.clear()
    if (!this.init.light) {
      host.services.pubsub.unsubscribe(this.topics.orders)
      host.services.pubsub.unsubscribe(this.topics.fills)
      host.services.pubsub.topicValidators.delete(this.topics.orders)
      host.services.pubsub.topicValidators.delete(this.topics.fills)
      await host.unhandle([MARKET_PROTOCOLS.book, MARKET_PROTOCOLS.submit])
    }
    await host.unhandle(MARKET_PROTOCOLS.fill)
    await Promise.allSettled(this.takerPasses.values())
  }

  /** Validation outcomes by topic and code, for metrics and tests. */
  validationCounts(): Record<string, number> {
    return this.validation?.counts() ?? {}
  }

  // ---------------------------------------------------------------- own orders

  async place(params: PlaceOrderParams): Promise<PlaceResult> {
    const now = this.init.now()
    const body = this.orderBody(params, now)
    const bodyBytes = encodeOrderBody(body)
    const order: SignedOrder = {
      id: messageId(bodyBytes),
      body,
      bodyBytes,
      signature: this.init.signer.sign(SIGNING_DOMAINS.order, bodyBytes),
    }
    const entry = this.state.addOrder(order, this.ownMeta(), now)
    await this.init.store.put('orders', order.id, orderRecord(entry, now))

    const fills = await this.takeLiquidity(entry)
    if (entry.status === 'open' && body.qty - entry.filled > 0n) {
      if (body.tif === 'gtc') {
        await this.restOwnOrder(entry)
      } else {
        entry.status = 'cancelled'
        await this.init.store.put('orders', order.id, orderRecord(entry, this.init.now()))
      }
    }
    const status = this.placedStatus(entry)
    this.emit({ type: 'order', orderId: order.id, status })
    return { orderId: order.id, status, fills }
  }

  async cancel(orderId: string): Promise<{ orderId: string; status: PlacedStatus }> {
    const entry = this.state.orders.get(orderId)
    if (entry === undefined || !entry.own) {
      throw new MarketError(
        { code: 'ORDER_NOT_FOUND', orderId },
        `no order ${orderId} of this node; list this node's orders with hcx trades or check the id`,
      )
    }
    if (entry.status !== 'open') return { orderId, status: this.placedStatus(entry) }
    const now = this.init.now()
    const body: CancelBody = {
      v: 1,
      net: this.init.network,
      order: Buffer.from(orderId, 'hex'),
      ts: now,
      owner: this.init.signer.publicKey,
    }
    const bodyBytes = encodeCancelBody(body)
    const cancel: SignedCancel = {
      body,
      bodyBytes,
      signature: this.init.signer.sign(SIGNING_DOMAINS.cancel, bodyBytes),
    }
    this.state.cancel(orderId)
    await this.init.store.batch([
      {
        type: 'put',
        sublevel: 'cancels',
        key: orderId,
        value: { body: hex(bodyBytes), signature: hex(cancel.signature) },
      },
      orderStatusOp(entry, now),
    ])
    if (this.init.light) await this.submitToGateway({ cancel: [bodyBytes, cancel.signature] })
    else this.orderPublisher?.publish(cancel)
    this.emit({ type: 'book', instrument: entry.order.body.inst })
    this.emit({ type: 'order', orderId, status: 'cancelled' })
    return { orderId, status: 'cancelled' }
  }

  orderStatus(
    orderId: string,
  ): { orderId: string; status: PlacedStatus; filled: bigint; qty: bigint } | undefined {
    const entry = this.state.orders.get(orderId)
    if (entry === undefined) return undefined
    return { orderId, status: this.placedStatus(entry), filled: entry.filled, qty: entry.order.body.qty }
  }

  depth(
    instrument: string,
    levels?: number,
  ): { bids: Array<[bigint, bigint]>; asks: Array<[bigint, bigint]> } {
    const depth = this.state.books.get(instrument)?.depth(levels) ?? { bids: [], asks: [] }
    const big = (rows: Array<[number, number]>) =>
      rows.map(([p, q]) => [BigInt(p), BigInt(q)] as [bigint, bigint])
    return { bids: big(depth.bids), asks: big(depth.asks) }
  }

  bookHash(instrument: string): string {
    return this.state.book(instrument).stateHash()
  }

  /** Co-signed trades this node holds, newest last, optionally of one instrument. */
  tradeList(instrument?: string): TradeView[] {
    const list: TradeView[] = []
    for (const trade of this.trades.values()) {
      if (instrument === undefined || trade.body.inst === instrument)
        list.push(this.tradeView(trade, 'cosigned'))
    }
    return list.sort((a, b) => a.at - b.at || a.tradeId.localeCompare(b.tradeId))
  }

  /** A co-signed trade as persisted in this node's store. */
  async storedTrade(tradeId: string): Promise<SignedTrade | undefined> {
    const record = await this.init.store.get('trades', tradeId)
    return record === undefined || record.state !== 'cosigned' ? undefined : tradeFromRecord(tradeId, record)
  }

  /** Expires orders past their expiry and records it; run periodically. */
  async sweepExpired(): Promise<void> {
    const now = this.init.now()
    const expired = this.state.expire(now)
    if (expired.length === 0) return
    await this.init.store.batch(expired.map((entry) => orderStatusOp(entry, now)))
    for (const instrument of new Set(expired.map((e) => e.order.body.inst)))
      this.emit({ type: 'book', instrument })
  }

  private orderBody(params: PlaceOrderParams, now: number): OrderBody {
    const check = checkInstrument(params.instrument, params.price)
    if (check !== undefined) {
      throw new MarketError(
        { code: 'ORDER_INVALID', reason: check },
        check === 'ORDER_OFF_TICK'
          ? `price ${params.price} base units is not a multiple of the tick of ${params.instrument}`
          : `'${params.instrument}' is not an instrument id; expected e.g. SPOT:gpu.h100 or FUT:gpu.h100:20261201T0000Z:1h`,
      )
    }
    if (params.qty <= 0n || params.qty > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MarketError(
        { code: 'ORDER_INVALID', reason: 'qty' },
        `quantity ${params.qty} is out of range`,
      )
    }
    if (params.expiresAt !== undefined && params.expiresAt <= now) {
      throw new MarketError(
        { code: 'ORDER_INVALID', reason: 'expiry' },
        'the order would expire before it is placed; give a later --expires',
      )
    }
    return {
      v: 1,
      net: this.init.network,
      inst: params.instrument,
      side: params.side,
      px: params.price,
      qty: params.qty,
      tif: params.tif,
      exp: params.expiresAt ?? 0,
      ts: now,
      nonce: this.init.randomNonce(),
      owner: this.init.signer.publicKey,
      acct: this.init.settlementAccount,
      minRep: params.minReputation ?? 0,
      ...(this.gatewayPeer === undefined ? {} : { via: this.gatewayPeer.publicKey!.raw }),
    }
  }

  private ownMeta() {
    const self = this.init.signer.peerId
    return { ownerPeerId: self, viaPeerId: this.gatewayPeer?.toString() ?? self, own: true, resting: false }
  }

  private async restOwnOrder(entry: OrderEntry): Promise<void> {
    this.state.rest(entry)
    if (this.init.light) {
      await this.submitToGateway({ order: encodeOrderItem(entry.order) as [Uint8Array, Uint8Array] })
    } else {
      this.orderPublisher?.publish(entry.order)
      this.emit({ type: 'book', instrument: entry.order.body.inst })
      this.rematchAgainstBook(entry)
    }
  }

  private placedStatus(entry: OrderEntry): PlacedStatus {
    if (entry.status === 'open') return entry.filled > 0n ? 'partial' : 'open'
    return entry.status
  }

  // ---------------------------------------------------------------- taking liquidity

  /**
   * Asks the makers of crossing orders, best first, to fill this own order, until it is
   * filled or no eligible maker is left. A light client works on its gateway's snapshot.
   */
  private async takeLiquidity(entry: OrderEntry): Promise<TradeView[]> {
    const view = this.init.light ? await this.fetchSnapshot(entry.order.body.inst) : this.state
    const fills: TradeView[] = []
    const { body } = entry.order
    const selfReputation = this.init.reputation(this.peerId)
    const now = this.init.now()
    const candidates: OrderEntry[] = []
    let liquidity = 0n
    view.book(body.inst).forEachCrossing(body.side, Number(body.px), (resting) => {
      const maker = view.entryByKey(resting.key)
      if (maker === undefined || maker.ownerPeerId === this.peerId) return true
      if ((this.offlineUntil.get(maker.viaPeerId) ?? 0) > now) return true
      if (maker.order.body.minRep > selfReputation) return true
      if (body.minRep > this.init.reputation(maker.ownerPeerId)) return true
      candidates.push(maker)
      liquidity += BigInt(resting.qty)
      return liquidity < body.qty
    })
    if (body.tif === 'fok' && liquidity < body.qty - entry.filled) return fills

    for (const maker of candidates) {
      let asked = maker.order.body.qty - maker.filled
      for (let attempt = 0; attempt < 3 && asked > 0n; attempt++) {
        const outcome = await this.askMaker(entry, maker, asked)
        if (outcome.kind === 'filled') fills.push(outcome.trade)
        if (outcome.kind !== 'short') break
        asked = outcome.available
      }
      if (this.state.available(entry, this.init.now()) === 0n) break
    }
    return fills
  }

  private async askMaker(
    entry: OrderEntry,
    maker: OrderEntry,
    wanted: bigint,
  ): Promise<
    { kind: 'filled'; trade: TradeView } | { kind: 'short'; available: bigint } | { kind: 'failed' }
  > {
    const now = this.init.now()
    const qty = this.state.reserve(entry, wanted, now)
    if (qty === 0n) return { kind: 'failed' }
    const { body: taker } = entry.order
    const { body: makerBody } = maker.order
    const tradeBody: TradeBody = {
      v: 1,
      net: this.init.network,
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
    const bodyBytes = encodeTradeBody(tradeBody)
    const proposed: SignedTrade = {
      id: messageId(bodyBytes),
      body: tradeBody,
      bodyBytes,
      makerSignature: new Uint8Array(0),
      takerSignature: this.init.signer.sign(SIGNING_DOMAINS.trade, bodyBytes),
    }
    // Written before the request leaves: after a crash the reservation is still known.
    await this.init.store.put('trades', proposed.id, tradeRecord(proposed, 'matched', now))
    const request = encodeExchange({
      trade: bodyBytes,
      takerSig: proposed.takerSignature,
      takerOrder: encodeOrderItem(entry.order) as [Uint8Array, Uint8Array],
    })
    let response: FillResponse
    try {
      const target = this.gatewayPeer ?? peerIdFromString(maker.viaPeerId)
      const frames = await sendRequest(
        this.init.host,
        target,
        MARKET_PROTOCOLS.fill,
        request,
        this.exchangeLimits(),
      )
      response = decodeFillResponse(frames[0] ?? new Uint8Array(0))
    } catch (err) {
      // The maker may have signed before the connection failed: the reservation stays until
      // its co-signed trade arrives by gossip or the proposal is too old to be accepted.
      this.offlineUntil.set(maker.viaPeerId, this.init.now() + OFFLINE_BACKOFF_MS)
      this.init.logger.debug({ maker: maker.viaPeerId, err: describeError(err) }, 'fill request failed')
      this.resolveLater(entry, proposed)
      return { kind: 'failed' }
    }
    if (!response.ok) {
      this.state.release(entry, qty)
      await this.init.store.batch([{ type: 'del', sublevel: 'trades', key: proposed.id }])
      if (response.code === 'FILL_UNAVAILABLE' && response.available > 0) {
        return { kind: 'short', available: BigInt(response.available) }
      }
      return { kind: 'failed' }
    }
    const trade: SignedTrade = { ...proposed, makerSignature: response.makerSig }
    if (
      !this.validator.verifier.verify(makerBody.owner, SIGNING_DOMAINS.trade, bodyBytes, response.makerSig)
    ) {
      this.init.logger.warn({ maker: maker.ownerPeerId }, 'maker answered a fill with a bad signature')
      this.state.release(entry, qty)
      await this.init.store.batch([{ type: 'del', sublevel: 'trades', key: proposed.id }])
      return { kind: 'failed' }
    }
    await this.recordTrade(trade, () => this.state.release(entry, qty))
    return { kind: 'filled', trade: this.tradeView(trade, 'cosigned') }
  }

  /** Gives up a matched trade later unless its co-signed copy has arrived by then. */
  private resolveLater(entry: OrderEntry, proposed: SignedTrade): void {
    const timer = setTimeout(() => {
      this.resolveTimers.delete(timer)
      this.state.release(entry, proposed.body.qty)
      if (this.state.hasTrade(proposed.id)) return
      void this.init.store.batch([{ type: 'del', sublevel: 'trades', key: proposed.id }]).catch(() => {})
    }, MATCHED_RESOLVE_MS)
    this.resolveTimers.add(timer)
  }

  /**
   * When an order crosses one of this node's resting orders, the later of the two takes:
   * orders placed at the same moment on two nodes would otherwise both rest, crossed.
   */
  private rematchAgainstBook(entry: OrderEntry): void {
    if (!entry.own || entry.status !== 'open' || this.takerPasses.has(entry.order.id)) return
    const pass = (async () => {
      await this.takeLiquidity(entry)
    })()
      .catch((err: unknown) => this.init.logger.warn({ err: describeError(err) }, 'taker pass failed'))
      .finally(() => this.takerPasses.delete(entry.order.id))
    this.takerPasses.set(entry.order.id, pass)
  }

  private checkCrossingOwnOrders(order: SignedOrder): void {
    const { body } = order
    this.state.book(body.inst).forEachCrossing(body.side, Number(body.px), (resting) => {
      const mine = this.state.entryByKey(resting.key)
      if (mine === undefined || !mine.own) return true
      const later =
        mine.order.body.ts > body.ts || (mine.order.body.ts === body.ts && mine.order.id > order.id)
      if (later) this.rematchAgainstBook(mine)
      return true
    })
  }

  // ---------------------------------------------------------------- answering fills

  private async answerFill(requestBytes: Uint8Array, requester: string): Promise<Uint8Array> {
    const refuse = (code: FillRefusal, available = 0n) =>
      encodeExchange({ ok: false, code, available: Number(available) })
    let request: ReturnType<typeof decodeFillRequest>
    let trade: TradeBody
    try {
      request = decodeFillRequest(requestBytes)
      trade = decodeTradeBody(request.trade)
    } catch {
      return refuse('FILL_MALFORMED')
    }
    const maker = this.state.orders.get(hex(trade.maker))
    if (maker === undefined) return refuse('FILL_UNKNOWN_ORDER')
    if (!maker.own) return this.forwardFill(maker, requestBytes, request, trade, requester)

    const now = this.init.now()
    const takerOrder = this.validator.validateOrder(
      { bodyBytes: request.takerOrder[0], signature: request.takerOrder[1] },
      { fresh: false, record: false },
    )
    if (takerOrder.result !== 'accept') return refuse('FILL_BAD_TERMS')
    const refusal = fillTermsRefusal(maker, takerOrder.value, trade, this.init.network, now)
    if (refusal !== undefined) return refuse(refusal)
    if (
      !this.validator.verifier.verify(
        trade.takerOwner,
        SIGNING_DOMAINS.trade,
        request.trade,
        request.takerSig,
      )
    ) {
      return refuse('FILL_BAD_SIGNATURE')
    }
    const takerPeer = this.validator.verifier.peerId(trade.takerOwner)
    if (this.init.reputation(takerPeer) < maker.order.body.minRep) return refuse('FILL_REPUTATION')

    const tradeId = messageId(request.trade)
    const known = this.trades.get(tradeId)
    if (known !== undefined) return encodeExchange({ ok: true, makerSig: known.makerSignature })
    // Check and reserve in one synchronous step: racing takers cannot both get the quantity.
    const available = this.state.available(maker, now)
    if (available < trade.qty) return refuse('FILL_UNAVAILABLE', available)
    this.state.reserve(maker, trade.qty, now)
    const signed: SignedTrade = {
      id: tradeId,
      body: trade,
      bodyBytes: request.trade,
      makerSignature: this.init.signer.sign(SIGNING_DOMAINS.trade, request.trade),
      takerSignature: request.takerSig,
    }
    try {
      await this.recordTrade(signed, () => this.state.release(maker, trade.qty))
    } catch (err) {
      this.state.release(maker, trade.qty)
      this.init.logger.error({ err: describeError(err) }, 'could not persist a fill; refused it')
      return refuse('FILL_BUSY')
    }
    this.tradePublisher?.publish(signed)
    return encodeExchange({ ok: true, makerSig: signed.makerSignature })
  }

  /**
   * A full node answers for its light clients' orders by forwarding to them, and forwards
   * its light clients' own requests to the maker's node: never more than those two hops.
   */
  private async forwardFill(
    maker: OrderEntry,
    requestBytes: Uint8Array,
    request: ReturnType<typeof decodeFillRequest>,
    trade: TradeBody,
    requester: string,
  ): Promise<Uint8Array> {
    let target: string | undefined
    if (maker.viaPeerId === this.peerId && maker.ownerPeerId !== requester) target = maker.ownerPeerId
    else if (this.clients.has(requester) && maker.viaPeerId !== this.peerId) target = maker.viaPeerId
    if (target === undefined) return encodeExchange({ ok: false, code: 'FILL_NOT_ROUTABLE', available: 0 })
    try {
      const frames = await sendRequest(
        this.init.host,
        peerIdFromString(target),
        MARKET_PROTOCOLS.fill,
        requestBytes,
        this.exchangeLimits(),
      )
      const answer = frames[0] ?? new Uint8Array(0)
      const response = decodeFillResponse(answer)
      if (response.ok && target === maker.ownerPeerId) {
        // The light client cannot gossip; its gateway publishes the trade it co-signed.
        const outcome = this.validator.validateTrade(
          { bodyBytes: request.trade, makerSignature: response.makerSig, takerSignature: request.takerSig },
          { fresh: false },
        )
        if (outcome.result === 'accept') {
          await this.recordTrade(outcome.value)
          this.tradePublisher?.publish(outcome.value)
        }
      }
      return answer
    } catch {
      void trade
      return encodeExchange({ ok: false, code: 'FILL_NOT_ROUTABLE', available: 0 })
    }
  }

  // ---------------------------------------------------------------- gossip in

  private onOrderMessage(data: Uint8Array): {
    result: 'accept' | 'ignore' | 'reject'
    code?: ValidationCode
  } {
    const items = decodeOrderTopicMessage(data)
    const accepted: Array<{ kind: 'order'; order: SignedOrder } | { kind: 'cancel'; cancel: SignedCancel }> =
      []
    let ignored: ValidationCode | undefined
    for (const item of items) {
      if (item.kind === 'order') {
        const outcome = this.validator.validateOrder(item)
        if (outcome.result === 'accept') accepted.push({ kind: 'order', order: outcome.value })
        else if (outcome.result === 'reject') return outcome
        else ignored = outcome.code
      } else {
        const outcome = this.validator.validateCancel(item)
        if (outcome.result === 'accept') accepted.push({ kind: 'cancel', cancel: outcome.value })
        else if (outcome.result === 'reject') return outcome
        else ignored = outcome.code
      }
    }
    if (accepted.length === 0)
      return { result: 'ignore', ...(ignored === undefined ? {} : { code: ignored }) }
    const now = this.init.now()
    const ops: StoreOperation[] = []
    const instruments = new Map<string, string[]>()
    const touch = (instrument: string, orderId?: string) => {
      const ids = instruments.get(instrument) ?? []
      if (orderId !== undefined) ids.push(orderId)
      instruments.set(instrument, ids)
    }
    for (const item of accepted) {
      if (item.kind === 'order') {
        const entry = this.addForeignOrder(item.order, now)
        ops.push(orderStatusOp(entry, now))
        touch(item.order.body.inst, item.order.id)
        this.checkCrossingOwnOrders(item.order)
      } else {
        const orderId = hex(item.cancel.body.order)
        const entry = this.state.cancel(orderId)
        ops.push({
          type: 'put',
          sublevel: 'cancels',
          key: orderId,
          value: { body: hex(item.cancel.bodyBytes), signature: hex(item.cancel.signature) },
        })
        if (entry !== undefined) {
          ops.push(orderStatusOp(entry, now))
          touch(entry.order.body.inst)
        }
      }
    }
    this.persist(ops)
    for (const [instrument, orderIds] of instruments) this.emit({ type: 'book', instrument, orderIds })
    return { result: 'accept' }
  }

  private onTradeMessage(data: Uint8Array): {
    result: 'accept' | 'ignore' | 'reject'
    code?: ValidationCode
  } {
    const raws = decodeTradeTopicMessage(data)
    const accepted: SignedTrade[] = []
    let ignored: ValidationCode | undefined
    for (const raw of raws) {
      const outcome = this.validator.validateTrade(raw)
      if (outcome.result === 'accept') {
        if (!this.state.hasTrade(outcome.value.id)) accepted.push(outcome.value)
      } else if (outcome.result === 'reject') return outcome
      else ignored = outcome.code
    }
    if (accepted.length === 0)
      return { result: 'ignore', ...(ignored === undefined ? {} : { code: ignored }) }
    for (const trade of accepted) {
      void this.recordTrade(trade).catch((err: unknown) =>
        this.init.logger.error({ err: describeError(err) }, 'could not persist a gossiped trade'),
      )
    }
    return { result: 'accept' }
  }

  private addForeignOrder(order: SignedOrder, now: number): OrderEntry {
    const owner = this.validator.verifier.peerId(order.body.owner)
    const via = order.body.via === undefined ? owner : this.validator.verifier.peerId(order.body.via)
    return this.state.addOrder(order, { ownerPeerId: owner, viaPeerId: via, own: false, resting: true }, now)
  }

  // ---------------------------------------------------------------- trades

  /**
   * Persists a co-signed trade with the status changes it causes (in one batch), then
   * applies it. `beforeApply` runs between the two, once the batch has landed.
   */
  private async recordTrade(trade: SignedTrade, beforeApply?: () => void): Promise<void> {
    if (this.state.hasTrade(trade.id)) {
      beforeApply?.()
      return
    }
    const now = this.init.now()
    const ops: StoreOperation[] = [
      { type: 'put', sublevel: 'trades', key: trade.id, value: tradeRecord(trade, 'cosigned', now) },
    ]
    for (const id of [hex(trade.body.maker), hex(trade.body.taker)]) {
      const entry = this.state.orders.get(id)
      if (
        entry !== undefined &&
        entry.status === 'open' &&
        entry.filled + trade.body.qty >= entry.order.body.qty
      ) {
        ops.push({
          type: 'put',
          sublevel: 'orders',
          key: id,
          value: { ...orderRecord(entry, now), status: 'filled' },
        })
      }
    }
    await this.init.store.batch(ops)
    beforeApply?.()
    // The same trade may have arrived by gossip while the batch was written.
    if (!this.state.hasTrade(trade.id)) this.applyTrade(trade)
  }

  private applyTrade(trade: SignedTrade): void {
    const changed = this.state.applyTrade(trade)
    this.trades.set(trade.id, trade)
    for (const id of [hex(trade.body.maker), hex(trade.body.taker)]) {
      const list = this.tradesByOrder.get(id)
      if (list === undefined) this.tradesByOrder.set(id, [trade.id])
      else list.push(trade.id)
    }
    this.emit({ type: 'trade', trade: this.tradeView(trade, 'cosigned') })
    this.emit({ type: 'book', instrument: trade.body.inst })
    for (const { entry } of changed) {
      if (entry.own) this.emit({ type: 'order', orderId: entry.order.id, status: this.placedStatus(entry) })
    }
  }

  private tradeView(trade: SignedTrade, state: TradeState): TradeView {
    const { body } = trade
    const { verifier } = this.validator
    return {
      tradeId: trade.id,
      instrument: body.inst,
      price: body.px,
      qty: body.qty,
      takerSide: body.takerSide,
      makerOrderId: hex(body.maker),
      takerOrderId: hex(body.taker),
      maker: verifier.peerId(body.makerOwner),
      taker: verifier.peerId(body.takerOwner),
      makerAccount: `0x${hex(body.makerAcct)}`,
      takerAccount: `0x${hex(body.takerAcct)}`,
      state,
      at: body.ts,
      makerSignature: hex(trade.makerSignature),
      takerSignature: hex(trade.takerSignature),
    }
  }

  // ---------------------------------------------------------------- book snapshots

  private answerBook(requestBytes: Uint8Array, requester: string): Uint8Array[] {
    const request = decodeBookRequest(requestBytes)
    if (request.client === true) this.clients.add(requester)
    const frames: Uint8Array[] = []
    let frame: BookFrame = { orders: [], trades: [] }
    for (const entry of this.state.orders.values()) {
      if (!entry.resting || entry.status !== 'open') continue
      if (request.inst !== undefined && entry.order.body.inst !== request.inst) continue
      frame.orders.push(encodeOrderItem(entry.order) as [Uint8Array, Uint8Array])
      for (const tradeId of this.tradesByOrder.get(entry.order.id) ?? []) {
        const trade = this.trades.get(tradeId)
        if (trade !== undefined)
          frame.trades.push(encodeTradeItem(trade) as [Uint8Array, Uint8Array, Uint8Array])
      }
      if (frame.orders.length >= SNAPSHOT_ORDERS_PER_FRAME || frame.trades.length >= 3_000) {
        frames.push(encodeExchange(frame))
        frame = { orders: [], trades: [] }
      }
    }
    frames.push(encodeExchange(frame))
    return frames
  }

  private async requestSnapshot(peer: PeerId, inst?: string): Promise<BookFrame[]> {
    const request = encodeExchange({
      ...(inst === undefined ? {} : { inst }),
      ...(this.init.light ? { client: true } : {}),
    })
    const frames = await sendRequest(this.init.host, peer, MARKET_PROTOCOLS.book, request, {
      ...this.exchangeLimits(),
      timeoutMs: 15_000,
      maxResponseBytes: MARKET_LIMITS.maxSnapshotFrameBytes,
    })
    return frames.map(decodeBookFrame)
  }

  /** A late joiner takes a snapshot from the first peer it meets; gossip keeps it current. */
  private async syncFrom(peer: PeerId): Promise<void> {
    if (this.synced || this.init.light) return
    this.synced = true
    try {
      const frames = await this.requestSnapshot(peer)
      const now = this.init.now()
      const ops: StoreOperation[] = []
      for (const frame of frames) {
        for (const [bodyBytes, signature] of frame.orders) {
          const outcome = this.validator.validateOrder({ bodyBytes, signature }, { fresh: false })
          if (outcome.result !== 'accept' || this.state.isCancelled(outcome.value.id)) continue
          const entry = this.addForeignOrder(outcome.value, now)
          ops.push(orderStatusOp(entry, now))
        }
        for (const item of frame.trades) {
          const outcome = this.validator.validateTrade(decodeTradeItem(item), { fresh: false })
          if (outcome.result === 'accept') await this.recordTrade(outcome.value)
        }
      }
      await this.init.store.batch(ops)
      for (const instrument of this.state.books.keys()) this.emit({ type: 'book', instrument })
    } catch (err) {
      this.synced = false
      this.init.logger.debug({ peer: peer.toString(), err: describeError(err) }, 'book sync failed')
    }
  }

  /** A light client's view of one instrument: its gateway's snapshot, checked like gossip. */
  private async fetchSnapshot(instrument: string): Promise<MarketState> {
    const view = new MarketState()
    const frames = await this.requestSnapshot(this.gatewayPeer!, instrument).catch((err: unknown) => {
      throw new MarketError(
        { code: 'MARKET_GATEWAY_UNREACHABLE' },
        `cannot fetch the book from the gateway ${this.gatewayPeer}: ${describeError(err)}; check that it runs and --bootstrap points at it`,
      )
    })
    const now = this.init.now()
    const verifier = this.validator.verifier
    for (const frame of frames) {
      for (const item of frame.trades) {
        const outcome = this.validator.validateTrade(decodeTradeItem(item), { fresh: false })
        if (outcome.result === 'accept' || outcome.code === 'MESSAGE_DUPLICATE') {
          const raw = decodeTradeItem(item)
          view.applyTrade({ id: messageId(raw.bodyBytes), body: decodeTradeBody(raw.bodyBytes), ...raw })
        }
      }
      for (const [bodyBytes, signature] of frame.orders) {
        const outcome = this.validator.validateOrder(
          { bodyBytes, signature },
          { fresh: false, record: false },
        )
        if (outcome.result !== 'accept') continue
        const order = outcome.value
        const owner = verifier.peerId(order.body.owner)
        const via = order.body.via === undefined ? owner : verifier.peerId(order.body.via)
        view.addOrder(order, { ownerPeerId: owner, viaPeerId: via, own: false, resting: true }, now)
      }
    }
    return view
  }

  // ---------------------------------------------------------------- light-client gateway

  private async answerSubmit(requestBytes: Uint8Array, requester: string): Promise<Uint8Array> {
    const answer = (ok: boolean, code?: string) =>
      encodeExchange({ ok, ...(code === undefined ? {} : { code }) })
    let request: ReturnType<typeof decodeSubmitRequest>
    try {
      request = decodeSubmitRequest(requestBytes)
    } catch {
      return answer(false, 'MESSAGE_MALFORMED')
    }
    this.clients.add(requester)
    const now = this.init.now()
    if ('order' in request) {
      const [bodyBytes, signature] = request.order
      const outcome = this.validator.validateOrder({ bodyBytes, signature })
      if (outcome.result !== 'accept') return answer(false, outcome.code)
      const order = outcome.value
      if (order.body.via === undefined || !sameBytes(order.body.via, this.init.signer.publicKey)) {
        return answer(false, 'SUBMIT_NOT_VIA_THIS_NODE')
      }
      const entry = this.addForeignOrder(order, now)
      await this.init.store.put('orders', order.id, orderRecord(entry, now))
      this.orderPublisher?.publish(order)
      this.emit({ type: 'book', instrument: order.body.inst })
      return answer(true)
    }
    const [bodyBytes, signature] = request.cancel
    const outcome = this.validator.validateCancel({ bodyBytes, signature })
    if (outcome.result !== 'accept') return answer(false, outcome.code)
    const orderId = hex(outcome.value.body.order)
    const entry = this.state.cancel(orderId)
    await this.init.store.batch([
      {
        type: 'put',
        sublevel: 'cancels',
        key: orderId,
        value: { body: hex(bodyBytes), signature: hex(signature) },
      },
      ...(entry === undefined ? [] : [orderStatusOp(entry, now)]),
    ])
    this.orderPublisher?.publish(outcome.value)
    if (entry !== undefined) this.emit({ type: 'book', instrument: entry.order.body.inst })
    return answer(true)
  }

  private async submitToGateway(
    request: { order: [Uint8Array, Uint8Array] } | { cancel: [Uint8Array, Uint8Array] },
  ) {
    const frames = await sendRequest(
      this.init.host,
      this.gatewayPeer!,
      MARKET_PROTOCOLS.submit,
      encodeExchange(request),
      this.exchangeLimits(),
    )
    const response = decodeSubmitResponse(frames[0] ?? new Uint8Array(0))
    if (!response.ok) {
      throw new MarketError(
        { code: 'MARKET_GATEWAY_REFUSED', reason: response.code ?? 'unknown' },
        `the gateway refused the ${'order' in request ? 'order' : 'cancel'}: ${response.code ?? 'no reason given'}`,
      )
    }
  }

  // ---------------------------------------------------------------- plumbing

  private exchangeLimits() {
    return {
      timeoutMs: this.init.fillTimeoutMs ?? 5_000,
      maxRequestBytes: MARKET_LIMITS.maxRequestBytes,
      maxResponseBytes: MARKET_LIMITS.maxRequestBytes,
    }
  }

  /** Persists what gossip taught this node; the book already shows it, and sync repairs a loss. */
  private persist(ops: StoreOperation[]): void {
    if (ops.length === 0) return
    this.init.store.batch(ops).catch((err: unknown) => {
      this.init.logger.error({ err: describeError(err) }, 'could not persist gossiped market state')
    })
  }

  private emit(event: MarketEvent): void {
    this.events.emit('event', event)
  }

  /** Loads orders, trades and cancels from the store and rebuilds every book. */
  private async rebuild(): Promise<void> {
    const { store } = this.init
    const now = this.init.now()
    for (const [orderId] of await store.entries('cancels')) this.state.cancel(orderId)
    const matched: SignedTrade[] = []
    const stale: StoreOperation[] = []
    for (const [id, record] of await store.entries('trades')) {
      const trade = tradeFromRecord(id, record)
      if (record.state === 'cosigned') this.applyTrade(trade)
      else if (now - record.recordedAt < MATCHED_RESOLVE_MS) matched.push(trade)
      else stale.push({ type: 'del', sublevel: 'trades', key: id })
    }
    const verifier = this.validator.verifier
    for (const [id, record] of await store.entries('orders')) {
      const order = orderFromRecord(id, record)
      const owner = verifier.peerId(order.body.owner)
      const via = order.body.via === undefined ? owner : verifier.peerId(order.body.via)
      const entry = this.state.addOrder(
        order,
        { ownerPeerId: owner, viaPeerId: via, own: record.own, resting: false, status: record.status },
        now,
      )
      entry.nextTradeSeq = (this.tradesByOrder.get(id)?.length ?? 0) + 1_000
      if (entry.status === 'open' && (!entry.own || entry.order.body.tif === 'gtc')) this.state.rest(entry)
    }
    for (const trade of matched) {
      const entry = this.state.orders.get(hex(trade.body.taker))
      if (entry === undefined || !entry.own || this.state.hasTrade(trade.id)) continue
      entry.reserved += trade.body.qty
      this.resolveLater(entry, trade)
    }
    await store.batch(stale)
  }
}

/** The domain checks of an order's instrument and price, for the wire validator. */
export function checkInstrument(instrument: string, price: bigint): ValidationCode | undefined {
  let tick: bigint
  try {
    tick = instrumentSpec(parseInstrumentId(instrument)).tickSize
  } catch {
    return 'ORDER_BAD_INSTRUMENT'
  }
  return price % tick === 0n ? undefined : 'ORDER_OFF_TICK'
}

/** Why a maker refuses the proposed trade, if it does: it must match both signed orders. */
function fillTermsRefusal(
  maker: OrderEntry,
  takerOrder: SignedOrder,
  trade: TradeBody,
  network: string,
  now: number,
): FillRefusal | undefined {
  const { body: m } = maker.order
  const { body: t } = takerOrder
  if (trade.net !== network || trade.inst !== m.inst || t.inst !== m.inst) return 'FILL_BAD_TERMS'
  if (hex(trade.taker) !== takerOrder.id || trade.takerSide !== t.side || t.side === m.side)
    return 'FILL_BAD_TERMS'
  if (trade.px !== m.px || (t.side === 'buy' ? t.px < m.px : t.px > m.px)) return 'FILL_BAD_TERMS'
  if (!sameBytes(trade.makerOwner, m.owner) || !sameBytes(trade.makerAcct, m.acct)) return 'FILL_BAD_TERMS'
  if (!sameBytes(trade.takerOwner, t.owner) || !sameBytes(trade.takerAcct, t.acct)) return 'FILL_BAD_TERMS'
  if (trade.qty > t.qty || Math.abs(trade.ts - now) > MARKET_LIMITS.freshnessMs) return 'FILL_BAD_TERMS'
  if (t.exp !== 0 && t.exp <= now) return 'FILL_BAD_TERMS'
  return undefined
}
