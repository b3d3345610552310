// The counterparty's side of `/hcx/settle/1.0.0`. It signs only lines it recomputes itself
// from trades it holds as maker with the requester as taker, proven members of the epoch's
// root, none settled, and none pending in a different epoch; and it persists what it signed
// before the signature leaves.

import { getBytes, hexlify } from 'ethers'
import { provesMembership } from '../../ledger/netting/epoch-root.ts'
import { accountAddress } from '../../ledger/netting/from-trades.ts'
import { netTrades } from '../../ledger/netting/net-lines.ts'
import { accountLines, signNetLines } from '../../ledger/settlement/batch.ts'
import {
  decodeSignRequest,
  encodeSettleMessage,
  type SettleRefusal,
  type SignRequest,
} from '../../protocols/settlement/sign-messages.ts'
import { hex } from '../market/market-state.ts'
import { storedLines } from './settlement-ledger.ts'
import { isOwnMake, rootedTrade, type SettlementContext } from './settlement-types.ts'

class Refusal extends Error {
  readonly code: SettleRefusal
  constructor(code: SettleRefusal, reason: string) {
    super(reason)
    this.code = code
  }
}

export class SignDesk {
  private readonly ctx: SettlementContext
  private readonly resolvePending: (lastEpoch: number) => Promise<void>
  /** Requests are answered one at a time, so two cannot both claim one trade. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(ctx: SettlementContext, resolvePending: (lastEpoch: number) => Promise<void>) {
    this.ctx = ctx
    this.resolvePending = resolvePending
  }

  handle(data: Uint8Array, requester: string): Promise<Uint8Array> {
    const answer = this.queue.then(() => this.answer(data, requester))
    this.queue = answer.catch(() => {})
    return answer
  }

  private async answer(data: Uint8Array, requester: string): Promise<Uint8Array> {
    try {
      const signature = await this.sign(data, requester)
      return encodeSettleMessage({ ok: true, sig: getBytes(signature) })
    } catch (err) {
      const refusal =
        err instanceof Refusal
          ? err
          : new Refusal('SETTLE_UNAVAILABLE', `cannot sign now: ${(err as Error).message}`)
      if (!(err instanceof Refusal)) this.ctx.logger.warn({ err: refusal.message }, 'settle request failed')
      return encodeSettleMessage({ ok: false, code: refusal.code, reason: refusal.message.slice(0, 256) })
    }
  }

  private async sign(data: Uint8Array, requester: string): Promise<string> {
    const { ctx } = this
    let request: SignRequest
    try {
      request = decodeSignRequest(data)
    } catch (err) {
      throw new Refusal('SETTLE_MALFORMED', (err as Error).message)
    }
    if (request.net !== ctx.network)
      throw new Refusal('SETTLE_MALFORMED', `network ${request.net} is not ${ctx.network}`)
    const session = await ctx.client.session()
    if (
      BigInt(request.chainId) !== session.chainId ||
      accountAddress(request.house) !== session.contracts.ClearingHouse.toLowerCase()
    ) {
      throw new Refusal(
        'SETTLE_WRONG_CHAIN',
        `this node settles on chain ${session.chainId} at ${session.contracts.ClearingHouse}`,
      )
    }
    const lastEpoch = await ctx.client.lastEpoch()
    if (request.epoch <= lastEpoch)
      throw new Refusal('SETTLE_STALE_EPOCH', `epoch ${request.epoch} is not after ${lastEpoch}`)
    await this.resolvePending(lastEpoch)

    const ids = request.trades.map(hex)
    if (new Set(ids).size !== ids.length) throw new Refusal('SETTLE_MALFORMED', 'a trade is listed twice')
    const trades = ids.map((id) => {
      const trade = ctx.trades.signedTrade(id)
      if (trade === undefined)
        throw new Refusal('SETTLE_UNKNOWN_TRADE', `trade ${id} is not in this node's ledger`)
      if (!isOwnMake(ctx, trade) || ctx.peerIdOf(trade.body.takerOwner) !== requester) {
        throw new Refusal(
          'SETTLE_NOT_COUNTERPARTY',
          `trade ${id} is not between this node as maker and ${requester}`,
        )
      }
      if (ctx.ledger.settled.has(id))
        throw new Refusal('SETTLE_TRADE_SETTLED', `trade ${id} is already settled`)
      const elsewhere = ctx.ledger.pendingFor(id).find((r) => r.epoch !== request.epoch)
      if (elsewhere !== undefined) {
        throw new Refusal('SETTLE_TRADE_PENDING', `trade ${id} is pending in epoch ${elsewhere.epoch}`)
      }
      return rootedTrade(trade)
    })
    const root = hexlify(request.root)
    if (
      !provesMembership(
        root,
        trades,
        request.proof.map((p) => hexlify(p)),
        request.flags,
      )
    ) {
      throw new Refusal('SETTLE_BAD_PROOF', `the trades are not proven members of root ${root}`)
    }
    const lines = netTrades(trades).filter((line) => line.account === ctx.account)
    const [entry] = accountLines(lines, [ctx.account])
    if (entry === undefined) throw new Error('no lines for this account')
    const signature = await signNetLines(session.wallet, await ctx.client.domain(), {
      epoch: BigInt(request.epoch),
      tradesRoot: root,
      entry,
    })
    const now = ctx.now()
    await ctx.ledger.addSigned({
      epoch: request.epoch,
      root,
      proposer: requester,
      tradeIds: ids,
      lines: storedLines(lines),
      state: 'pending',
      signedAt: now,
      updatedAt: now,
    })
    return signature
  }
}
