// The settlement ledger over a real store: what it records survives a reopen, the settled
// set fills from settled proposals and settled signatures, a trade is pending while a
// signature covering it is unresolved, and only gathering or submitted proposals are open.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SettlementLedger, storedLines } from '../../../../actors/settlement/settlement-ledger.ts'
import type { NetLine } from '../../../../ledger/netting/net-lines.ts'
import type { StoredProposal, StoredSignedLines } from '../../../../ledger/store/schema.ts'
import { Store } from '../../../../ledger/store/store.ts'

const A = `0x${'aa'.repeat(20)}`
const B = `0x${'bb'.repeat(20)}`
const LINES: NetLine[] = [
  { account: A, instrument: 'SPOT:gpu.h100', position: 3n, cash: -7_500_000n },
  { account: B, instrument: 'SPOT:gpu.h100', position: -3n, cash: 7_500_000n },
  // Past 2^53: the stored decimal strings keep every digit.
  { account: A, instrument: 'SPOT:cpu.x86', position: 2n ** 70n, cash: -(2n ** 80n) - 1n },
]
const tradeId = (n: number) => n.toString(16).padStart(64, '0')
const root = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

function proposal(
  epoch: number,
  tradeIds: string[],
  state: StoredProposal['state'] = 'gathering',
): StoredProposal {
  return {
    epoch,
    root: root(epoch),
    tradeIds,
    lines: storedLines(LINES),
    state,
    signatures: {},
    createdAt: 1_000,
    updatedAt: 1_000,
  }
}

function signed(epoch: number, tradeIds: string[], rootOf = epoch): StoredSignedLines {
  return {
    epoch,
    root: root(rootOf),
    proposer: '12D3KooWProposer',
    tradeIds,
    lines: storedLines(LINES.slice(0, 1)),
    state: 'pending',
    signedAt: 2_000,
    updatedAt: 2_000,
  }
}

let dir: string
let store: Store
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcx-settlement-ledger-'))
  store = await Store.open(join(dir, 'store'))
})
afterEach(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

async function ledger(): Promise<SettlementLedger> {
  const opened = new SettlementLedger(store)
  await opened.load()
  return opened
}

/** A new ledger over the same store, closed and opened again: only what was written survives. */
async function reopened(): Promise<SettlementLedger> {
  await store.close()
  store = await Store.open(join(dir, 'store'))
  return ledger()
}

describe('the settlement ledger', () => {
  it('stores net lines as exact decimal strings', () => {
    const stored = storedLines(LINES)
    expect(stored[2]).toEqual({
      account: A,
      instrument: 'SPOT:cpu.x86',
      position: '1180591620717411303424',
      cash: '-1208925819614629174706177',
    })
  })

  it('persists proposals and their updates, and numbers new ones after the reloaded ones', async () => {
    const first = await ledger()
    expect(await first.addProposal(proposal(1, [tradeId(1)]))).toBe(0)
    expect(await first.addProposal(proposal(2, [tradeId(2)]))).toBe(1)
    const updated = await first.updateProposal(
      0,
      { state: 'submitted', rawTx: '0x02f8', txHash: root(99), signatures: { [B]: '0x1b' } },
      5_000,
    )
    expect(updated).toMatchObject({ state: 'submitted', rawTx: '0x02f8', updatedAt: 5_000, createdAt: 1_000 })
    await expect(first.updateProposal(7, { state: 'failed' }, 5_000)).rejects.toThrow('no proposal 7')

    const second = await reopened()
    expect([...second.proposals.entries()]).toEqual([...first.proposals.entries()])
    expect(second.proposals.get(0)).toEqual(updated)
    // A new proposal never overwrites one written before the reload.
    expect(await second.addProposal(proposal(3, [tradeId(3)]))).toBe(2)
    expect((await reopened()).proposals.get(1)?.epoch).toBe(2)
  })

  it('marks a settled proposal’s trades settled in its epoch, before and after a reload', async () => {
    const first = await ledger()
    const seq = await first.addProposal(proposal(4, [tradeId(1), tradeId(2)]))
    await first.addProposal(proposal(5, [tradeId(3)]))
    await first.updateProposal(seq, { state: 'submitted', txHash: `0x${'ab'.repeat(32)}` }, 2_000)
    expect(first.settled.size).toBe(0)
    await first.updateProposal(seq, { state: 'settled', gasUsed: '91000', blockNumber: 12 }, 3_000)
    expect([...first.settled.entries()]).toEqual([
      [tradeId(1), { epoch: 4, txHash: `0x${'ab'.repeat(32)}` }],
      [tradeId(2), { epoch: 4, txHash: `0x${'ab'.repeat(32)}` }],
    ])
    // Failed and abandoned proposals settle nothing.
    await first.updateProposal(1, { state: 'failed', reason: 'reverted' }, 3_000)
    expect(first.settled.has(tradeId(3))).toBe(false)

    const second = await reopened()
    expect([...second.settled.entries()]).toEqual([
      [tradeId(1), { epoch: 4, txHash: `0x${'ab'.repeat(32)}` }],
      [tradeId(2), { epoch: 4, txHash: `0x${'ab'.repeat(32)}` }],
    ])
  })

  it('lists only gathering and submitted proposals as open', async () => {
    const first = await ledger()
    const states: StoredProposal['state'][] = ['gathering', 'submitted', 'settled', 'failed', 'abandoned']
    for (const [i, state] of states.entries()) await first.addProposal(proposal(i + 1, [tradeId(i)], state))
    expect(first.openProposals().map(([seq, p]) => [seq, p.state])).toEqual([
      [0, 'gathering'],
      [1, 'submitted'],
    ])
    await first.updateProposal(0, { state: 'abandoned' }, 2_000)
    expect(first.openProposals().map(([seq]) => seq)).toEqual([1])
    expect((await reopened()).openProposals().map(([seq]) => seq)).toEqual([1])
  })

  it('holds a trade pending while a signature covers it, and frees it once settled', async () => {
    const first = await ledger()
    const record = signed(6, [tradeId(1), tradeId(2)])
    await first.addSigned(record)
    expect(first.pendingFor(tradeId(1))).toEqual([record])
    expect(first.pendingFor(tradeId(2))).toEqual([record])
    expect(first.pendingFor(tradeId(3))).toEqual([])
    expect(first.pendingSigned()).toEqual([record])

    const second = await reopened()
    expect(second.pendingFor(tradeId(1))).toEqual([record])
    expect(second.settled.size).toBe(0)
    await second.resolveSigned(record, { state: 'settled', txHash: `0x${'cd'.repeat(32)}` }, 9_000)
    expect(second.pendingFor(tradeId(1))).toEqual([])
    expect(second.pendingSigned()).toEqual([])
    expect([...second.settled.entries()]).toEqual([
      [tradeId(1), { epoch: 6, txHash: `0x${'cd'.repeat(32)}` }],
      [tradeId(2), { epoch: 6, txHash: `0x${'cd'.repeat(32)}` }],
    ])

    const third = await reopened()
    expect(third.pendingFor(tradeId(1))).toEqual([])
    expect([...third.signed.values()]).toEqual([
      { ...record, state: 'settled', txHash: `0x${'cd'.repeat(32)}`, updatedAt: 9_000 },
    ])
    expect(third.settled.get(tradeId(2))?.epoch).toBe(6)
  })

  it('frees a trade whose signature lapsed without settling it', async () => {
    const first = await ledger()
    const record = signed(7, [tradeId(1)])
    await first.addSigned(record)
    await first.resolveSigned(record, { state: 'lapsed' }, 9_000)
    expect(first.pendingFor(tradeId(1))).toEqual([])
    expect(first.settled.has(tradeId(1))).toBe(false)
    const second = await reopened()
    expect(second.pendingFor(tradeId(1))).toEqual([])
    expect(second.settled.has(tradeId(1))).toBe(false)
    expect(second.signed.get(`0000000007:${root(7)}`)?.state).toBe('lapsed')
  })

  it('keeps a trade pending until every signature covering it is resolved', async () => {
    const first = await ledger()
    // The same trade signed under two roots of one epoch, and in a later epoch.
    const older = signed(8, [tradeId(1), tradeId(2)])
    const otherRoot = signed(8, [tradeId(1)], 80)
    const later = signed(9, [tradeId(1)])
    for (const record of [older, otherRoot, later]) await first.addSigned(record)
    expect(first.pendingFor(tradeId(1))).toHaveLength(3)
    await first.resolveSigned(older, { state: 'lapsed' }, 9_000)
    expect(first.pendingFor(tradeId(1))).toEqual([otherRoot, later])
    expect(first.pendingFor(tradeId(2))).toEqual([])

    const second = await reopened()
    expect(second.pendingFor(tradeId(1))).toEqual([otherRoot, later])
    await second.resolveSigned(otherRoot, { state: 'lapsed' }, 9_500)
    await second.resolveSigned(later, { state: 'settled' }, 9_500)
    expect(second.pendingFor(tradeId(1))).toEqual([])
    expect(second.settled.get(tradeId(1))?.epoch).toBe(9)
    expect(second.pendingSigned()).toEqual([])
  })
})
