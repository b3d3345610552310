// The co-signed trades a node holds: each is persisted with the order status changes it
// causes in one batch, then applied to the books; listed and looked up for the API and for
// book snapshots.

import type { Store, StoreOperation } from '../../ledger/store/store.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import type { SignatureVerifier } from '../../protocols/signing/ed25519.ts'
import { orderRecord, tradeFromRecord, tradeRecord } from './market-records.ts'
import { hex, type MarketState, placedStatus } from './market-state.ts'
import type { MarketEvent, TradeState, TradeView } from './market-types.ts'

export interface TradeLedgerInit {
  store: Store
  state: MarketState
  verifier: SignatureVerifier
  now: () => number
  emit: (event: MarketEvent) => void
}

export class TradeLedger {
  private readonly init: TradeLedgerInit
  private readonly trades = new Map<string, SignedTrade>()
  private readonly byOrder = new Map<string, string[]>()

  constructor(init: TradeLedgerInit) {
    this.init = init
  }

  get(tradeId: string): SignedTrade | undefined {
    return this.trades.get(tradeId)
  }

  /** The trades on one order, oldest first. */
  tradesOf(orderId: string): SignedTrade[] {
    return (this.byOrder.get(orderId) ?? []).flatMap((id) => this.trades.get(id) ?? [])
  }

  /**
   * Persists a co-signed trade with the status changes it causes, then applies it.
   * `beforeApply` runs once the batch has landed (or at once if the trade is known), just
   * before the trade counts: the caller releases its reservation there, never earlier.
   */
  async record(trade: SignedTrade, beforeApply?: () => void): Promise<void> {
    const { state, store } = this.init
    if (state.hasTrade(trade.id)) {
      beforeApply?.()
      return
    }
    const now = this.init.now()
    const ops: StoreOperation[] = [
      { type: 'put', sublevel: 'trades', key: trade.id, value: tradeRecord(trade, 'cosigned', now) },
    ]
    for (const id of [hex(trade.body.maker), hex(trade.body.taker)]) {
      const entry = state.orders.get(id)
      if (entry?.status === 'open' && entry.filled + trade.body.qty >= entry.order.body.qty) {
        ops.push({
          type: 'put',
          sublevel: 'orders',
          key: id,
          value: { ...orderRecord(entry, now), status: 'filled' },
        })
      }
    }
    await store.batch(ops)
    beforeApply?.()
    // The same trade may have arrived by gossip while the batch was written.
    if (!state.hasTrade(trade.id)) this.apply(trade)
  }

  /** Applies a trade already in the store (at rebuild) or just persisted. */
  apply(trade: SignedTrade): void {
    const changed = this.init.state.applyTrade(trade)
    this.trades.set(trade.id, trade)
    for (const id of [hex(trade.body.maker), hex(trade.body.taker)]) {
      const list = this.byOrder.get(id)
      if (list === undefined) this.byOrder.set(id, [trade.id])
      else list.push(trade.id)
    }
    const { emit } = this.init
    emit({ type: 'trade', trade: this.view(trade, 'cosigned') })
    emit({ type: 'book', instrument: trade.body.inst })
    for (const { entry } of changed) {
      if (entry.own) emit({ type: 'order', orderId: entry.order.id, status: placedStatus(entry) })
    }
  }

  /** Every co-signed trade, in the order this node learnt them. */
  all(): IterableIterator<SignedTrade> {
    return this.trades.values()
  }

  /** Co-signed trades, oldest first, optionally of one instrument. */
  list(instrument?: string): TradeView[] {
    const list: TradeView[] = []
    for (const trade of this.trades.values()) {
      if (instrument === undefined || trade.body.inst === instrument) list.push(this.view(trade, 'cosigned'))
    }
    return list.sort((a, b) => a.at - b.at || a.tradeId.localeCompare(b.tradeId))
  }

  /** A co-signed trade as persisted in the store. */
  async stored(tradeId: string): Promise<SignedTrade | undefined> {
    const record = await this.init.store.get('trades', tradeId)
    return record?.state === 'cosigned' ? tradeFromRecord(tradeId, record) : undefined
  }

  view(trade: SignedTrade, state: TradeState): TradeView {
    const { body } = trade
    const { verifier } = this.init
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
}
