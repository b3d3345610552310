// Rebuilds a node's market from its store at start: cancels first (so no cancelled order
// comes back), then co-signed trades, then every order, resting the live ones. A matched
// trade still awaiting its maker keeps its reservation until it resolves.

import type { StoreOperation } from '../../ledger/store/store.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import { type MarketContext, orderPeers } from './market-context.ts'
import { orderFromRecord, tradeFromRecord } from './market-records.ts'
import { hex } from './market-state.ts'
import { MATCHED_RESOLVE_MS } from './taker.ts'

export async function rebuildFromStore(ctx: MarketContext): Promise<void> {
  const { store } = ctx.init
  const { state } = ctx
  const now = ctx.init.now()
  for (const [orderId] of await store.entries('cancels')) state.cancel(orderId)
  const matched: Array<{ trade: SignedTrade; recordedAt: number }> = []
  const stale: StoreOperation[] = []
  for (const [id, record] of await store.entries('trades')) {
    const trade = tradeFromRecord(id, record)
    if (record.state === 'cosigned') ctx.ledger.apply(trade)
    else if (now - record.recordedAt < MATCHED_RESOLVE_MS)
      matched.push({ trade, recordedAt: record.recordedAt })
    else stale.push({ type: 'del', sublevel: 'trades', key: id })
  }
  for (const [id, record] of await store.entries('orders')) {
    const order = orderFromRecord(id, record)
    const entry = state.addOrder(
      order,
      { ...orderPeers(ctx, order), own: record.own, resting: false, status: record.status },
      now,
    )
    // Trade ids hash the whole body, timestamp included; the sequence only has to move on.
    entry.nextTradeSeq = ctx.ledger.tradesOf(id).length
    if (entry.status === 'open' && (!entry.own || order.body.tif === 'gtc')) state.rest(entry)
  }
  for (const { trade, recordedAt } of matched) {
    const entry = state.orders.get(hex(trade.body.taker))
    if (entry === undefined || !entry.own || state.hasTrade(trade.id)) continue
    entry.reserved += trade.body.qty
    ctx.taker.resolveLater(entry, trade, MATCHED_RESOLVE_MS - (now - recordedAt))
  }
  await store.batch(stale)
}
