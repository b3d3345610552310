// Which of this node's trades wait for it to settle them: its co-signed takes, neither
// settled nor tied to a signature still pending, within the per-epoch and per-counterparty
// limits. The rest wait for a later epoch.

import { accountAddress } from '../../ledger/netting/from-trades.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import { MAX_TRADES_PER_REQUEST } from '../../protocols/settlement/sign-messages.ts'
import { isOwnTake, type SettlementContext } from './settlement-types.ts'

/** Trades in one epoch; the rest wait for the next. */
export const MAX_TRADES_PER_EPOCH = 10_000

/** `skip` leaves out the trades of makers that should not be asked now. */
export function unsettledTakes(
  ctx: SettlementContext,
  limit: number,
  skip: (maker: string) => boolean = () => false,
): SignedTrade[] {
  const perCounterparty = new Map<string, number>()
  const chosen: SignedTrade[] = []
  for (const trade of ctx.trades.signedTrades()) {
    if (chosen.length >= limit) break
    if (!isOwnTake(ctx, trade) || ctx.ledger.settled.has(trade.id)) continue
    if (ctx.ledger.pendingFor(trade.id).length > 0) continue
    const maker = accountAddress(trade.body.makerAcct)
    if (maker === ctx.account || skip(maker)) continue
    const count = perCounterparty.get(maker) ?? 0
    if (count >= MAX_TRADES_PER_REQUEST) continue
    perCounterparty.set(maker, count + 1)
    chosen.push(trade)
  }
  return chosen
}
