// The market of one node: the book kept from gossip, this node's own orders (placed,
// taking liquidity, resting, cancelled), the answers to other nodes' fill and book
// requests, and the gateway for light clients. A light client runs the same code with its
// book fetched from its gateway instead of gossip. The parts live beside this file.

import { EventEmitter } from 'node:events'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describeError } from '../../errors/hcx-error.ts'
import { instrumentSpec, parseInstrumentId } from '../../ledger/instruments/instrument-id.ts'
import { MARKET_PROTOCOLS } from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import type {
  CancelBody,
  OrderBody,
  SignedCancel,
  SignedOrder,
  SignedTrade,
} from '../../protocols/market/messages.ts'
import { signCancel, signOrder } from '../../protocols/market/sign.ts'
import { marketTopics } from '../../protocols/market/topics.ts'
import { MarketValidator } from '../../protocols/market/validate.ts'
import type { ValidationCode } from '../../protocols/market/validation-codes.ts'
import {
  encodeOrderItem,
  encodeOrderTopicMessage,
  encodeTradeTopicMessage,
} from '../../protocols/market/wire.ts'
import { handleRequests } from '../../protocols/streams/request-response.ts'
import { answerBook, syncBookFrom } from './book-sync.ts'
import { type CapacityAdvert, CapacityBoard } from './capacity-board.ts'
import { MarketError } from './errors.ts'
import { answerFill } from './fill-desk.ts'
import { FillHolds } from './fill-holds.ts'
import { takeOrderMessage, takeTradeMessage } from './gossip-intake.ts'
import { GossipPublisher } from './gossip-publisher.ts'
import { answerSubmit, submitToGateway } from './light-gateway.ts'
import type { MarketContext } from './market-context.ts'
import { cancelRecord, orderRecord, orderStatusOp } from './market-records.ts'
import { MarketState, type OrderEntry, placedStatus } from './market-state.ts'
import type {
  MarketEvent,
  MarketInit,
  PlacedStatus,
  PlaceOrderParams,
  PlaceResult,
  TradeView,
} from './market-types.ts'
import { rebuildFromStore } from './rebuild.ts'
import { Taker } from './taker.ts'
import { TopicValidatorResultAdapter } from './topic-validation.ts'
import { TradeLedger } from './trade-ledger.ts'

export const NEUTRAL_REPUTATION = 5_000
const DEFAULT_PUBLISH_DELAY_MS = 3
const SYNC_RETRY_MS = 1_000

export class Market implements MarketContext {
  readonly init: MarketInit
  readonly events = new EventEmitter<{ event: [MarketEvent] }>()
  readonly state = new MarketState()
  readonly validator: MarketValidator
  readonly ledger: TradeLedger
  readonly taker: Taker
  readonly gatewayPeer: PeerId | undefined
  readonly clients = new Set<string>()
  readonly holds = new FillHolds()
  private readonly topics: ReturnType<typeof marketTopics>
  private readonly checkInstrument: typeof checkInstrument
  private orderPublisher: GossipPublisher<SignedOrder | SignedCancel> | undefined
  private tradePublisher: GossipPublisher<SignedTrade> | undefined
  private readonly validation: TopicValidatorResultAdapter
  private capacityBoard: CapacityBoard | undefined
  private started = false
  private synced = false
  private syncRetry: ReturnType<typeof setTimeout> | undefined
  /** Identify tells which peers serve book snapshots; the first of them is asked. */
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>) => {
    if (event.detail.protocols.includes(MARKET_PROTOCOLS.book)) this.syncFrom(event.detail.peerId)
  }

  constructor(init: MarketInit) {
    this.init = init
    this.topics = marketTopics(init.network)
    this.checkInstrument = cachedInstrumentCheck()
    this.validator = new MarketValidator({
      network: init.network,
      now: init.now,
      checkInstrument: this.checkInstrument,
      lookupOrder: (id) => this.state.orders.get(id)?.order.body,
    })
    this.ledger = new TradeLedger({
      store: init.store,
      state: this.state,
      verifier: this.validator.verifier,
      now: init.now,
      emit: (event) => this.emit(event),
    })
    this.taker = new Taker(this)
    this.validation = new TopicValidatorResultAdapter({ logger: init.logger })
    this.gatewayPeer = init.light ? gatewayPeerId(init.gateway) : undefined
  }

  get peerId(): string {
    return this.init.signer.peerId
  }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await rebuildFromStore(this)
    const { host, logger } = this.init
    const { pubsub } = host.services
    const delayMs = this.init.publishDelayMs ?? DEFAULT_PUBLISH_DELAY_MS
    const { orders, fills } = this.topics
    this.orderPublisher = new GossipPublisher({
      pubsub,
      topic: orders,
      encode: encodeOrderTopicMessage,
      delayMs,
      logger,
    })
    this.tradePublisher = new GossipPublisher({
      pubsub,
      topic: fills,
      encode: encodeTradeTopicMessage,
      delayMs,
      logger,
    })

    const limits = {
      timeoutMs: this.init.fillTimeoutMs ?? 5_000,
      maxRequestBytes: MARKET_LIMITS.maxRequestBytes,
    }
    const small = { ...limits, maxResponseBytes: MARKET_LIMITS.maxRequestBytes }
    await handleRequests(host, MARKET_PROTOCOLS.fill, small, (request, { connection }) =>
      answerFill(this, request, connection.remotePeer.toString()),
    )
    if (this.init.light) return
    const snapshot = {
      ...limits,
      maxResponseBytes: MARKET_LIMITS.maxSnapshotFrameBytes,
      maxInboundStreams: 8,
    }
    await handleRequests(host, MARKET_PROTOCOLS.book, snapshot, async (request, { connection }) =>
      answerBook(this, request, connection.remotePeer.toString()),
    )
    await handleRequests(host, MARKET_PROTOCOLS.submit, small, (request, { connection }) =>
      answerSubmit(this, request, connection.remotePeer.toString()),
    )
    pubsub.topicValidators.set(orders, (_peer, message) =>
      this.validation.run('orders', () => takeOrderMessage(this, message.data)),
    )
    pubsub.topicValidators.set(fills, (_peer, message) =>
      this.validation.run('fills', () => takeTradeMessage(this, message.data)),
    )
    const capacityBoard = new CapacityBoard({
      pubsub,
      topic: this.topics.capacity,
      network: this.init.network,
      signer: this.init.signer,
      validator: this.validator,
      classes: this.init.capacityClasses ?? [],
      intervalMs: this.init.capacityIntervalMs ?? 60_000,
      now: this.init.now,
      logger,
    })
    this.capacityBoard = capacityBoard
    pubsub.topicValidators.set(this.topics.capacity, (_peer, message) =>
      this.validation.run('capacity', () => capacityBoard.take(message.data)),
    )
    for (const topic of Object.values(this.topics)) pubsub.subscribe(topic)
    capacityBoard.start()
    host.addEventListener('peer:identify', this.onIdentify)
    const first = host.getConnections()[0]
    if (first !== undefined) this.syncFrom(first.remotePeer)
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    const { host } = this.init
    host.removeEventListener('peer:identify', this.onIdentify)
    clearTimeout(this.syncRetry)
    this.orderPublisher?.stop()
    this.tradePublisher?.stop()
    this.capacityBoard?.stop()
    if (!this.init.light) {
      const { pubsub } = host.services
      for (const topic of Object.values(this.topics)) {
        pubsub.unsubscribe(topic)
        pubsub.topicValidators.delete(topic)
      }
      await host.unhandle([MARKET_PROTOCOLS.book, MARKET_PROTOCOLS.submit])
    }
    await host.unhandle(MARKET_PROTOCOLS.fill)
    await this.taker.stop()
    this.holds.stop()
  }

  publishOrder(item: SignedOrder | SignedCancel): void {
    this.orderPublisher?.publish(item)
  }

  publishTrade(trade: SignedTrade): void {
    this.tradePublisher?.publish(trade)
  }

  emit(event: MarketEvent): void {
    this.events.emit('event', event)
  }

  /** Who sells which capacity classes, as announced on the capacity topic. */
  capacity(): CapacityAdvert[] {
    return this.capacityBoard?.list() ?? []
  }

  /** Validation outcomes by topic, result and code, for metrics and tests. */
  validationCounts(): Record<string, number> {
    return this.validation.counts()
  }

  async place(params: PlaceOrderParams): Promise<PlaceResult> {
    const now = this.init.now()
    const order = signOrder(this.orderBody(params, now), this.init.signer)
    const { body } = order
    const self = this.peerId
    const entry = this.state.addOrder(
      order,
      { ownerPeerId: self, viaPeerId: this.gatewayPeer?.toString() ?? self, own: true, resting: false },
      now,
    )
    await this.init.store.put('orders', order.id, orderRecord(entry, now))

    const fills = await this.taker.take(entry)
    if (entry.status === 'open' && body.qty > entry.filled) {
      if (body.tif === 'gtc') {
        await this.rest(entry)
      } else {
        entry.status = 'cancelled'
        await this.init.store.batch([orderStatusOp(entry, this.init.now())])
      }
    }
    const status = placedStatus(entry)
    this.emit({ type: 'order', orderId: order.id, status })
    return { orderId: order.id, status, fills }
  }

  async cancel(orderId: string): Promise<{ orderId: string; status: PlacedStatus }> {
    const entry = this.state.orders.get(orderId)
    if (entry === undefined || !entry.own) {
      throw new MarketError(
        { code: 'ORDER_NOT_FOUND', orderId },
        `no order ${orderId} of this node; check the id printed by 'hcx order place'`,
      )
    }
    if (entry.status !== 'open') return { orderId, status: placedStatus(entry) }
    const now = this.init.now()
    const body: CancelBody = {
      v: 1,
      net: this.init.network,
      order: Buffer.from(orderId, 'hex'),
      ts: now,
      owner: this.init.signer.publicKey,
    }
    const cancel = signCancel(body, this.init.signer)
    this.state.cancel(orderId)
    await this.init.store.batch([cancelRecord(orderId, cancel), orderStatusOp(entry, now)])
    if (this.gatewayPeer !== undefined)
      await submitToGateway(this, { cancel: [cancel.bodyBytes, cancel.signature] })
    else this.publishOrder(cancel)
    this.emit({ type: 'book', instrument: entry.order.body.inst })
    this.emit({ type: 'order', orderId, status: 'cancelled' })
    return { orderId, status: 'cancelled' }
  }

  orderStatus(
    orderId: string,
  ): { orderId: string; status: PlacedStatus; filled: bigint; qty: bigint } | undefined {
    const entry = this.state.orders.get(orderId)
    if (entry === undefined) return undefined
    return { orderId, status: placedStatus(entry), filled: entry.filled, qty: entry.order.body.qty }
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

  /** Co-signed trades this node holds, oldest first, optionally of one instrument. */
  tradeList(instrument?: string): TradeView[] {
    return this.ledger.list(instrument)
  }

  /** Every co-signed trade this node holds, its own and others' (the settlement reads these). */
  signedTrades(): Iterable<SignedTrade> {
    return this.ledger.all()
  }

  signedTrade(tradeId: string): SignedTrade | undefined {
    return this.ledger.get(tradeId)
  }

  /** A co-signed trade as persisted in this node's store. */
  storedTrade(tradeId: string): Promise<SignedTrade | undefined> {
    return this.ledger.stored(tradeId)
  }

  /** Expires orders past their expiry and records it; the market actor runs it on a beat. */
  async sweepExpired(): Promise<void> {
    const now = this.init.now()
    const expired = this.state.expire(now)
    if (expired.length === 0) return
    await this.init.store.batch(expired.map((entry) => orderStatusOp(entry, now)))
    for (const instrument of new Set(expired.map((entry) => entry.order.body.inst))) {
      this.emit({ type: 'book', instrument })
    }
  }

  private orderBody(params: PlaceOrderParams, now: number): OrderBody {
    const check = this.checkInstrument(params.instrument, params.price)
    if (check !== undefined) {
      throw new MarketError(
        { code: 'ORDER_INVALID', reason: check },
        check === 'ORDER_OFF_TICK'
          ? `price ${params.price} base units is not a multiple of the tick of ${params.instrument}`
          : `'${params.instrument}' is not an instrument id; expected e.g. SPOT:gpu.h100 or FUT:gpu.h100:20261201T0000Z:1h`,
      )
    }
    if (params.price <= 0n || params.price > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MarketError(
        { code: 'ORDER_INVALID', reason: 'price' },
        `price ${params.price} is out of range`,
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
      ...(this.gatewayPeer?.publicKey === undefined ? {} : { via: this.gatewayPeer.publicKey.raw }),
    }
  }

  /** A gtc order with quantity left rests: in this node's book and, through gossip, in everyone's. */
  private async rest(entry: OrderEntry): Promise<void> {
    this.state.rest(entry)
    if (this.gatewayPeer !== undefined) {
      await submitToGateway(this, { order: encodeOrderItem(entry.order) as [Uint8Array, Uint8Array] })
      return
    }
    this.publishOrder(entry.order)
    this.emit({ type: 'book', instrument: entry.order.body.inst, orderIds: [entry.order.id] })
    // An order that crossed this one may have arrived while it was taking: take again.
    this.taker.rematch(entry)
  }

  /**
   * A late joiner takes a snapshot from the first peer it meets; gossip keeps it current.
   * A failed snapshot is asked again of another connected peer until one succeeds.
   */
  private syncFrom(peer: PeerId): void {
    if (this.synced || this.init.light || !this.started) return
    this.synced = true
    syncBookFrom(this, peer).catch((err: unknown) => {
      this.synced = false
      this.init.logger.debug({ peer: peer.toString(), err: describeError(err) }, 'book sync failed; retrying')
      clearTimeout(this.syncRetry)
      this.syncRetry = setTimeout(() => {
        const peers = this.init.host.getPeers()
        const next = peers[(peers.findIndex((p) => p.equals(peer)) + 1) % Math.max(peers.length, 1)]
        if (next !== undefined) this.syncFrom(next)
      }, SYNC_RETRY_MS)
    })
  }
}

/** The domain checks of an order's instrument and price, for the wire validator. */
export function checkInstrument(instrument: string, price: bigint): ValidationCode | undefined {
  return checkTick(tickOf(instrument), price)
}

/**
 * The same check with each instrument's tick remembered: parsing an id costs more than all
 * the other checks of an order together, and a market trades few instruments.
 */
export function cachedInstrumentCheck(limit = 10_000): typeof checkInstrument {
  const ticks = new Map<string, bigint | undefined>()
  return (instrument, price) => {
    if (!ticks.has(instrument)) {
      if (ticks.size >= limit) ticks.clear()
      ticks.set(instrument, tickOf(instrument))
    }
    return checkTick(ticks.get(instrument), price)
  }
}

function checkTick(tick: bigint | undefined, price: bigint): ValidationCode | undefined {
  if (tick === undefined) return 'ORDER_BAD_INSTRUMENT'
  return price % tick === 0n ? undefined : 'ORDER_OFF_TICK'
}

function tickOf(instrument: string): bigint | undefined {
  try {
    return instrumentSpec(parseInstrumentId(instrument)).tickSize
  } catch {
    return undefined
  }
}

function gatewayPeerId(gateway: string | undefined): PeerId {
  if (gateway === undefined) {
    throw new MarketError(
      { code: 'MARKET_NO_GATEWAY' },
      'a light client needs a gateway full node; pass --bootstrap with the full node to trade through',
    )
  }
  const peer = multiaddr(gateway)
    .getComponents()
    .findLast((component) => component.name === 'p2p')?.value
  if (peer === undefined) {
    throw new MarketError(
      { code: 'MARKET_NO_GATEWAY' },
      `the gateway ${gateway} has no /p2p/<peer id>; use the full node's complete multiaddr`,
    )
  }
  return peerIdFromString(peer)
}
