// The proposer's side of an epoch: net this node's unsettled takes, ask each counterparty
// to sign its lines, drop the trades of any that does not (they roll into the next epoch),
// then sign, persist and only then broadcast the batch, and record what the chain says.

import { peerIdFromString } from '@libp2p/peer-id'
import { getBytes, hexlify, type TransactionReceipt } from 'ethers'
import { epochTree } from '../../ledger/netting/epoch-root.ts'
import { accountAddress } from '../../ledger/netting/from-trades.ts'
import { netTrades } from '../../ledger/netting/net-lines.ts'
import {
  type AccountLines,
  accountLines,
  netLinesSigned,
  type SignedAccountLines,
  signNetLines,
} from '../../ledger/settlement/batch.ts'
import type { StoredProposal } from '../../ledger/store/schema.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import {
  decodeSignResponse,
  encodeSettleMessage,
  SETTLE_LIMITS,
  SETTLE_PROTOCOL,
} from '../../protocols/settlement/sign-messages.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { MAX_TRADES_PER_EPOCH, unsettledTakes } from './candidates.ts'
import { storedLines } from './settlement-ledger.ts'
import { rootedTrade, type SettlementContext } from './settlement-types.ts'

/** A second round re-signs after dropping non-signers; later drops wait for the next epoch. */
const SIGN_ROUNDS = 2

interface Counterparty {
  account: string
  peerId: string
  /** Where its trades sit among the epoch's, which are the Merkle tree's values in order. */
  leafIndices: number[]
}

/** A counterparty that does not sign is asked again after one epoch, then two, four... up to an hour. */
const BACKOFF_MAX_MS = 3_600_000

export class Proposer {
  private readonly ctx: SettlementContext
  /** Counterparties that did not sign: how often in a row, and when to ask again. */
  private readonly backoff = new Map<string, { misses: number; until: number }>()

  constructor(ctx: SettlementContext) {
    this.ctx = ctx
  }

  /**
   * Settles one epoch of this node's takes; resolves with the proposal, if any was made.
   * `askEveryone` also asks counterparties that are being held off (a run someone asked for).
   */
  async settleEpoch(askEveryone = false): Promise<StoredProposal | undefined> {
    const { ctx } = this
    const now = ctx.now()
    const heldOff = (maker: string) => !askEveryone && (this.backoff.get(maker)?.until ?? 0) > now
    let trades = unsettledTakes(ctx, MAX_TRADES_PER_EPOCH, heldOff)
    if (trades.length === 0) return undefined
    const epoch = (await ctx.client.lastEpoch()) + 1
    for (let round = 0; round < SIGN_ROUNDS && trades.length > 0; round++) {
      const rooted = trades.map(rootedTrade)
      const tree = epochTree(rooted)
      const root = tree.root
      const lines = netTrades(rooted)
      const now = ctx.now()
      const seq = await ctx.ledger.addProposal({
        epoch,
        root,
        tradeIds: rooted.map((t) => t.tradeId),
        lines: storedLines(lines),
        state: 'gathering',
        signatures: {},
        createdAt: now,
        updatedAt: now,
      })
      const entries = accountLines(lines, [ctx.account, ...rooted.flatMap((t) => [t.buyer, t.seller])])
      const counterparties = this.counterparties(trades)
      const answers = await Promise.all(
        counterparties.map(async (c) => ({ c, signature: await this.askSignature(c, epoch, tree, entries) })),
      )
      const silent = answers.filter((a) => a.signature === undefined).map((a) => a.c.account)
      for (const { c, signature } of answers) {
        if (signature !== undefined) this.backoff.delete(c.account)
        else this.holdOff(c.account)
      }
      if (silent.length === 0) {
        const signatures = Object.fromEntries(answers.map((a) => [a.c.account, a.signature as string]))
        return this.submit(seq, epoch, root, entries, signatures)
      }
      await ctx.ledger.updateProposal(
        seq,
        { state: 'abandoned', reason: `no signature from ${silent.join(', ')}; their trades roll over` },
        ctx.now(),
      )
      trades = trades.filter((t) => !silent.includes(accountAddress(t.body.makerAcct)))
    }
    return undefined
  }

  private holdOff(account: string): void {
    const misses = (this.backoff.get(account)?.misses ?? 0) + 1
    const wait = Math.min(this.ctx.epochMs * 2 ** (misses - 1), BACKOFF_MAX_MS)
    this.backoff.set(account, { misses, until: this.ctx.now() + wait })
  }

  private counterparties(trades: readonly SignedTrade[]): Counterparty[] {
    const byAccount = new Map<string, Counterparty>()
    for (const [index, trade] of trades.entries()) {
      const account = accountAddress(trade.body.makerAcct)
      let entry = byAccount.get(account)
      if (entry === undefined) {
        entry = { account, peerId: this.ctx.peerIdOf(trade.body.makerOwner), leafIndices: [] }
        byAccount.set(account, entry)
      }
      entry.leafIndices.push(index)
    }
    return [...byAccount.values()]
  }

  private async askSignature(
    counterparty: Counterparty,
    epoch: number,
    tree: ReturnType<typeof epochTree>,
    entries: readonly AccountLines[],
  ): Promise<string | undefined> {
    const { ctx } = this
    const entry = entries.find((e) => e.account === counterparty.account)
    if (entry === undefined) return undefined
    const proof = tree.getMultiProof(counterparty.leafIndices)
    const session = await ctx.client.session()
    try {
      const frames = await sendRequest(
        ctx.host,
        peerIdFromString(counterparty.peerId),
        SETTLE_PROTOCOL,
        encodeSettleMessage({
          v: 1,
          net: ctx.network,
          chainId: Number(session.chainId),
          house: getBytes(session.contracts.ClearingHouse),
          epoch,
          root: getBytes(tree.root),
          trades: proof.leaves.map((leaf) => getBytes(leaf[0])),
          proof: proof.proof.map((p) => getBytes(p)),
          flags: proof.proofFlags,
        }),
        { timeoutMs: ctx.signTimeoutMs, ...SETTLE_LIMITS },
      )
      const [frame] = frames
      if (frame === undefined) throw new Error('empty answer')
      const response = decodeSignResponse(frame)
      if (!response.ok) {
        ctx.logger.info(
          { peer: counterparty.peerId, code: response.code, reason: response.reason },
          'counterparty refused to sign',
        )
        return undefined
      }
      const signature = hexlify(response.sig)
      const message = { epoch: BigInt(epoch), tradesRoot: tree.root, entry }
      if (!netLinesSigned(await ctx.client.domain(), message, signature)) {
        ctx.logger.warn({ peer: counterparty.peerId }, 'counterparty signature does not match its lines')
        return undefined
      }
      return signature
    } catch (err) {
      ctx.logger.info(
        { peer: counterparty.peerId, err: (err as Error).message },
        'no signature from counterparty',
      )
      return undefined
    }
  }

  private async submit(
    seq: number,
    epoch: number,
    root: string,
    entries: readonly AccountLines[],
    signatures: Record<string, string>,
  ): Promise<StoredProposal> {
    const { ctx } = this
    const session = await ctx.client.session()
    const batch: SignedAccountLines[] = []
    for (const entry of entries) {
      const signature =
        entry.account === ctx.account
          ? await signNetLines(session.wallet, await ctx.client.domain(), {
              epoch: BigInt(epoch),
              tradesRoot: root,
              entry,
            })
          : signatures[entry.account]
      if (signature === undefined) throw new Error(`no signature for ${entry.account}`)
      batch.push({ ...entry, signature })
    }
    const all = Object.fromEntries(batch.map((e) => [e.account, e.signature]))
    let hash: string
    try {
      const request = await ctx.client.settleEpochRequest(epoch, root, batch)
      ;({ hash } = await session.sender.signAndBroadcast(request, async (tx) => {
        await ctx.ledger.updateProposal(
          seq,
          { state: 'submitted', signatures: all, rawTx: tx.raw, txHash: tx.hash },
          ctx.now(),
        )
      }))
    } catch (err) {
      const proposal = ctx.ledger.proposals.get(seq)
      // Once stored as submitted the bytes may be out: only the chain can say what happened.
      if (proposal?.state === 'submitted') throw err
      return ctx.ledger.updateProposal(seq, { state: 'abandoned', reason: (err as Error).message }, ctx.now())
    }
    return recordReceipt(ctx, seq, await session.sender.wait(hash))
  }
}

export function recordReceipt(
  ctx: SettlementContext,
  seq: number,
  receipt: TransactionReceipt,
): Promise<StoredProposal> {
  const change: Partial<StoredProposal> =
    receipt.status === 1
      ? { state: 'settled', gasUsed: receipt.gasUsed.toString(), blockNumber: receipt.blockNumber }
      : { state: 'failed', reason: `reverted on chain in block ${receipt.blockNumber}` }
  return ctx.ledger.updateProposal(seq, change, ctx.now())
}
