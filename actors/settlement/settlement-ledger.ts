// What this node knows about the settlement of its trades: the epochs it proposes and the
// lines it signs for others, persisted before anything acts on them, and the two sets
// derived from them: trades settled on chain, and trades tied to a signature not yet
// resolved against the chain.

import type { NetLine } from '../../ledger/netting/net-lines.ts'
import type { StoredLine, StoredProposal, StoredSignedLines } from '../../ledger/store/schema.ts'
import type { Store } from '../../ledger/store/store.ts'

export function storedLines(lines: readonly NetLine[]): StoredLine[] {
  return lines.map((l) => ({ ...l, position: l.position.toString(), cash: l.cash.toString() }))
}

export interface TradeSettlement {
  epoch: number
  txHash: string | null
}

const proposalKey = (seq: number) => String(seq).padStart(10, '0')
export const signedKey = (epoch: number, root: string) => `${String(epoch).padStart(10, '0')}:${root}`

export class SettlementLedger {
  private readonly store: Store
  readonly proposals = new Map<number, StoredProposal>()
  readonly signed = new Map<string, StoredSignedLines>()
  /** Trade id -> the epoch that settled it, and its transaction where known. */
  readonly settled = new Map<string, TradeSettlement>()
  /** Trade id -> keys of pending signed lines that cover it. */
  private readonly pending = new Map<string, Set<string>>()
  private nextSeq = 0

  constructor(store: Store) {
    this.store = store
  }

  async load(): Promise<void> {
    for (const [key, proposal] of await this.store.entries('proposals')) {
      const seq = Number(key)
      this.proposals.set(seq, proposal)
      this.nextSeq = seq + 1
      if (proposal.state === 'settled') this.markSettled(proposal.tradeIds, proposal.epoch, proposal.txHash)
    }
    for (const [key, record] of await this.store.entries('signedLines')) this.index(key, record)
  }

  /** Pending signed lines that cover `tradeId`. */
  pendingFor(tradeId: string): StoredSignedLines[] {
    return [...(this.pending.get(tradeId) ?? [])].flatMap((key) => this.signed.get(key) ?? [])
  }

  pendingSigned(): StoredSignedLines[] {
    return [...this.signed.values()].filter((r) => r.state === 'pending')
  }

  /** Proposals the chain has not yet answered for: at most one at a time. */
  openProposals(): Array<[number, StoredProposal]> {
    return [...this.proposals.entries()].filter(([, p]) => p.state === 'gathering' || p.state === 'submitted')
  }

  async addProposal(proposal: StoredProposal): Promise<number> {
    const seq = this.nextSeq++
    await this.store.put('proposals', proposalKey(seq), proposal)
    this.proposals.set(seq, proposal)
    return seq
  }

  async updateProposal(seq: number, change: Partial<StoredProposal>, now: number): Promise<StoredProposal> {
    const current = this.proposals.get(seq)
    if (current === undefined) throw new Error(`no proposal ${seq}`)
    const next = { ...current, ...change, updatedAt: now }
    await this.store.put('proposals', proposalKey(seq), next)
    this.proposals.set(seq, next)
    if (next.state === 'settled') this.markSettled(next.tradeIds, next.epoch, next.txHash)
    return next
  }

  async addSigned(record: StoredSignedLines): Promise<void> {
    const key = signedKey(record.epoch, record.root)
    await this.store.put('signedLines', key, record)
    this.index(key, record)
  }

  async resolveSigned(
    record: StoredSignedLines,
    outcome: { state: 'settled'; txHash?: string } | { state: 'lapsed' },
    now: number,
  ): Promise<void> {
    const key = signedKey(record.epoch, record.root)
    const next = { ...record, ...outcome, updatedAt: now }
    await this.store.put('signedLines', key, next)
    this.index(key, next)
  }

  private index(key: string, record: StoredSignedLines): void {
    this.signed.set(key, record)
    for (const id of record.tradeIds) {
      const keys = this.pending.get(id) ?? new Set<string>()
      if (record.state === 'pending') keys.add(key)
      else keys.delete(key)
      if (keys.size === 0) this.pending.delete(id)
      else this.pending.set(id, keys)
    }
    if (record.state === 'settled') this.markSettled(record.tradeIds, record.epoch, record.txHash)
  }

  private markSettled(tradeIds: readonly string[], epoch: number, txHash: string | undefined): void {
    for (const id of tradeIds) this.settled.set(id, { epoch, txHash: txHash ?? null })
  }
}
