// The node's settlement: every epoch it settles this node's takes (Proposer), all the time
// it signs its lines in others' epochs (SignDesk), and before either it resolves whatever
// the chain has answered since: a submitted batch mined or lost, a signature used or lapsed.

import { instrumentKey } from '../../ledger/netting/instrument-key.ts'
import type { CollateralBalance } from '../../ledger/settlement/clearing-client.ts'
import type { StoredProposal } from '../../ledger/store/schema.ts'
import { SETTLE_LIMITS, SETTLE_PROTOCOL } from '../../protocols/settlement/sign-messages.ts'
import { handleRequests } from '../../protocols/streams/request-response.ts'
import { unsettledTakes } from './candidates.ts'
import type { Proposer } from './proposer.ts'
import { SettlementLedger, type TradeSettlement } from './settlement-ledger.ts'
import {
  type EpochView,
  isOwnMake,
  isOwnTake,
  type SettlementContext,
  type SettlementInit,
} from './settlement-types.ts'
import type { SignDesk } from './sign-desk.ts'

export interface PositionView {
  instrument: string
  /** Net units from this node's settled trades. */
  settled: string
  /** The position the clearing house holds for this account. */
  onChain: string
  /** Net units from co-signed trades not yet settled. */
  unsettled: string
}

export interface PositionsView {
  account: string
  chainId: string
  collateral: { wallet: string; balance: string; locked: string; free: string }
  positions: PositionView[]
}

interface Engine {
  proposer: Proposer
  desk: SignDesk
  recordReceipt: typeof import('./proposer.ts').recordReceipt
}

export class Settlement {
  private readonly ctx: SettlementContext
  private engine: Promise<Engine> | undefined

  constructor(init: SettlementInit) {
    this.ctx = {
      ...init,
      ledger: new SettlementLedger(init.store),
      account: init.client.account.toLowerCase(),
    }
  }

  async start(): Promise<void> {
    await this.ctx.ledger.load()
    await handleRequests(
      this.ctx.host,
      SETTLE_PROTOCOL,
      { timeoutMs: this.ctx.signTimeoutMs, ...SETTLE_LIMITS, maxInboundStreams: 16 },
      async (request, { connection }) =>
        (await this.load()).desk.handle(request, connection.remotePeer.toString()),
    )
  }

  async stop(): Promise<void> {
    await this.ctx.host.unhandle(SETTLE_PROTOCOL).catch(() => {})
  }

  /** The chain-facing parts (ethers, Merkle trees) load on first use, not at node start. */
  private load(): Promise<Engine> {
    this.engine ??= Promise.all([import('./proposer.ts'), import('./sign-desk.ts')]).then(
      ([proposer, desk]) => ({
        proposer: new proposer.Proposer(this.ctx),
        desk: new desk.SignDesk(this.ctx, (last) => this.resolveSigned(last)),
        recordReceipt: proposer.recordReceipt,
      }),
    )
    return this.engine
  }

  /**
   * One epoch: resolve what is open, then settle this node's unsettled takes. The beat holds
   * off counterparties that did not sign; `askEveryone` (a run someone asked for) does not.
   */
  async settleEpoch(options: { askEveryone?: boolean } = {}): Promise<StoredProposal | undefined> {
    // With nothing to settle or resolve, the chain is not even asked (nor started).
    const { ledger } = this.ctx
    const idle =
      ledger.openProposals().length === 0 &&
      ledger.pendingSigned().length === 0 &&
      unsettledTakes(this.ctx, 1).length === 0
    if (idle) return undefined
    const settledAll = await this.resolveOpen()
    if (!settledAll) return undefined
    const proposal = await (await this.load()).proposer.settleEpoch(options.askEveryone ?? false)
    if (proposal !== undefined) {
      this.ctx.logger.info(
        {
          epoch: proposal.epoch,
          trades: proposal.tradeIds.length,
          state: proposal.state,
          tx: proposal.txHash,
        },
        'epoch settlement',
      )
    }
    return proposal
  }

  /**
   * Settles what the chain has decided. Resolves false while a submitted batch is still
   * unanswered: no new epoch is proposed until it is.
   */
  async resolveOpen(): Promise<boolean> {
    const { ctx } = this
    const lastEpoch = await ctx.client.lastEpoch()
    let open = false
    for (const [seq, proposal] of ctx.ledger.openProposals()) {
      if (proposal.state === 'gathering') {
        // Never broadcast: its signatures are dropped, and its trades are free again.
        await ctx.ledger.updateProposal(
          seq,
          { state: 'abandoned', reason: 'interrupted before submission' },
          ctx.now(),
        )
        continue
      }
      if (!(await this.resolveSubmitted(seq, proposal, lastEpoch))) open = true
    }
    await this.resolveSigned(lastEpoch)
    return !open
  }

  private async resolveSubmitted(seq: number, proposal: StoredProposal, lastEpoch: number): Promise<boolean> {
    const { ctx } = this
    const { provider, sender } = await ctx.client.session()
    const hash = proposal.txHash ?? ''
    const receipt = await provider.getTransactionReceipt(hash)
    const { recordReceipt } = await this.load()
    if (receipt !== null) {
      await recordReceipt(ctx, seq, receipt)
      return true
    }
    if (lastEpoch >= proposal.epoch) {
      const committed = await ctx.client.epochRoot(proposal.epoch)
      const ours = committed === proposal.root.toLowerCase()
      await ctx.ledger.updateProposal(
        seq,
        ours
          ? { state: 'settled' }
          : { state: 'failed', reason: `epoch ${proposal.epoch} was settled by another batch` },
        ctx.now(),
      )
      return true
    }
    // The stored bytes may never have left: send the very same transaction again.
    if (!(await sender.rebroadcast(proposal.rawTx ?? ''))) {
      await ctx.ledger.updateProposal(
        seq,
        { state: 'failed', reason: 'its nonce was used by another transaction' },
        ctx.now(),
      )
      return true
    }
    try {
      await recordReceipt(ctx, seq, await sender.wait(hash, ctx.signTimeoutMs))
      return true
    } catch {
      return false
    }
  }

  private async resolveSigned(lastEpoch: number): Promise<void> {
    const { ctx } = this
    for (const record of ctx.ledger.pendingSigned()) {
      if (record.epoch > lastEpoch) continue
      const committed = await ctx.client.epochRoot(record.epoch)
      if (committed !== record.root.toLowerCase()) {
        await ctx.ledger.resolveSigned(record, { state: 'lapsed' }, ctx.now())
        continue
      }
      const txHash = await ctx.client.epochTxHash(record.epoch)
      await ctx.ledger.resolveSigned(
        record,
        { state: 'settled', ...(txHash === undefined ? {} : { txHash }) },
        ctx.now(),
      )
    }
  }

  /** Whether and where a trade settled on chain. */
  settlementOf(tradeId: string): TradeSettlement | undefined {
    return this.ctx.ledger.settled.get(tradeId)
  }

  /** Epochs this node proposed or signed lines in, oldest first. */
  epochs(): EpochView[] {
    const { ledger } = this.ctx
    const views: EpochView[] = [...ledger.proposals.values()].map(proposalView)
    for (const s of ledger.signed.values()) {
      views.push({
        epoch: s.epoch,
        role: 'signer',
        trades: s.tradeIds.length,
        lines: s.lines.length,
        root: s.root,
        txHash: s.txHash ?? null,
        gasUsed: null,
        state: s.state,
      })
    }
    return views.sort((a, b) => a.epoch - b.epoch)
  }

  /** This node's positions: from its own settled trades, beside the clearing house's. */
  async positions(): Promise<PositionsView> {
    const { ctx } = this
    const settled = new Map<string, bigint>()
    const unsettled = new Map<string, bigint>()
    for (const trade of ctx.trades.signedTrades()) {
      const taker = isOwnTake(ctx, trade)
      if (!taker && !isOwnMake(ctx, trade)) continue
      const buys = (trade.body.takerSide === 'buy') === taker
      const target = ctx.ledger.settled.has(trade.id) ? settled : unsettled
      const { inst, qty } = trade.body
      target.set(inst, (target.get(inst) ?? 0n) + (buys ? qty : -qty))
      if (!settled.has(inst)) settled.set(inst, 0n)
    }
    const positions: PositionView[] = []
    for (const instrument of [...settled.keys()].sort()) {
      positions.push({
        instrument,
        settled: String(settled.get(instrument) ?? 0n),
        onChain: String(await ctx.client.position(ctx.client.account, instrumentKey(instrument))),
        unsettled: String(unsettled.get(instrument) ?? 0n),
      })
    }
    const collateral = await ctx.client.collateral()
    return {
      account: ctx.client.account,
      chainId: String((await ctx.client.session()).chainId),
      collateral: stringify(collateral),
      positions,
    }
  }
}

/** What a proposal shows outside the node: no raw transaction, no signatures. */
export function proposalView(p: StoredProposal): EpochView {
  return {
    epoch: p.epoch,
    role: 'proposer',
    trades: p.tradeIds.length,
    lines: p.lines.length,
    root: p.root,
    txHash: p.txHash ?? null,
    gasUsed: p.gasUsed ?? null,
    state: p.state,
    ...(p.reason === undefined ? {} : { reason: p.reason }),
  }
}

function stringify(balance: CollateralBalance): PositionsView['collateral'] {
  return {
    wallet: String(balance.wallet),
    balance: String(balance.balance),
    locked: String(balance.locked),
    free: String(balance.free),
  }
}
