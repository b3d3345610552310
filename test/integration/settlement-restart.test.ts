// A node that dies between storing its signed batch and hearing the chain's answer settles
// that epoch exactly once after a restart; a counterparty that does not sign sees its
// trades roll into a later epoch instead of blocking everyone else's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instrumentKey } from '../../ledger/netting/instrument-key.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import {
  type SettlementNetwork,
  startSettlementChain,
  startSettlingNodes,
} from '../helpers/settlement-network.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:qpu.sim'

describe('settlement through failures', () => {
  const cluster = new TestCluster()
  let network: SettlementNetwork
  let nodes: HcxNode[]
  // a takes (and so proposes every epoch); b and c make.
  let a: HcxNode
  let b: HcxNode
  let c: HcxNode

  beforeAll(async () => {
    network = await startSettlementChain(cluster)
    nodes = await startSettlingNodes(cluster, network, 3)
    for (const node of nodes) await node.clearing.deposit(1_000_000_000n)
    ;[a, b, c] = nodes as [HcxNode, HcxNode, HcxNode]
  }, 60_000)
  afterAll(async () => {
    await cluster.stopAll()
    await network?.chain.close()
  }, 30_000)

  /** `taker` buys `qty` from `maker`'s resting ask. */
  async function trade(maker: HcxNode, taker: HcxNode, qty: bigint): Promise<void> {
    await maker.market.place({ instrument: SPOT, side: 'sell', price: 10n, qty, tif: 'gtc' })
    expect(await waitFor(() => taker.market.depth(SPOT).asks.length > 0, 5_000)).toBe(true)
    const result = await taker.market.place({ instrument: SPOT, side: 'buy', price: 10n, qty, tif: 'ioc' })
    expect(result.status).toBe('filled')
  }

  const lastEpoch = (node: HcxNode) => node.clearing.lastEpoch()
  const onChain = (node: HcxNode) => node.clearing.position(node.clearing.account, instrumentKey(SPOT))

  /** Restarts the node on its data dir, as after a crash: nothing of the old process survives. */
  async function restart(node: HcxNode): Promise<HcxNode> {
    const { dataDir } = node.config
    await cluster.stop(node)
    const others = nodes.filter((n) => n !== node)
    const again = await cluster.start({
      dataDir,
      flags: { ...network.flags, bootstrap: others.map((n) => n.multiaddrs()[0] as string) },
    })
    nodes = [...others, again]
    await waitFor(() => again.libp2p.getConnections().length >= others.length, 10_000)
    return again
  }

  it('rebroadcasts stored bytes that never left, and settles them once', async () => {
    await trade(b, a, 5n)
    const before = await lastEpoch(a)
    const { provider } = await a.clearing.session()
    const original = provider.broadcastTransaction.bind(provider)
    provider.broadcastTransaction = async () => {
      throw new Error('the process died here')
    }
    await expect(a.settlement.settleEpoch()).rejects.toThrow('the process died here')
    provider.broadcastTransaction = original
    expect(a.settlement.epochs().at(-1)?.state).toBe('submitted')
    expect(await lastEpoch(a)).toBe(before)

    a = await restart(a)
    expect(a.settlement.epochs().at(-1)?.state).toBe('submitted')
    expect(await a.settlement.settleEpoch()).toBeUndefined()
    const proposal = a.settlement.epochs().at(-1)
    expect(proposal).toMatchObject({ epoch: before + 1, state: 'settled', trades: 1 })
    expect(await lastEpoch(a)).toBe(before + 1)
    expect(await onChain(a)).toBe(5n)
    expect(await onChain(b)).toBe(-5n)
  }, 60_000)

  it('records a batch that was mined while the node was down, without sending it again', async () => {
    await trade(b, a, 2n)
    const before = await lastEpoch(a)
    const { provider } = await a.clearing.session()
    const original = provider.broadcastTransaction.bind(provider)
    provider.broadcastTransaction = async (raw: string) => {
      await original(raw)
      throw new Error('the process died before the receipt')
    }
    await expect(a.settlement.settleEpoch()).rejects.toThrow('the process died before the receipt')
    provider.broadcastTransaction = original
    expect(await lastEpoch(a)).toBe(before + 1)

    a = await restart(a)
    await a.settlement.settleEpoch()
    const settled = a.settlement.epochs().filter((e) => e.role === 'proposer' && e.state === 'settled')
    expect(settled.map((e) => e.epoch)).toEqual([before, before + 1])
    expect(settled.at(-1)?.gasUsed).toMatch(/^[1-9]\d+$/)
    expect(await lastEpoch(a)).toBe(before + 1)
    expect(await onChain(a)).toBe(7n)
    expect(await onChain(b)).toBe(-7n)
  }, 60_000)

  it('rolls a silent counterparty’s trades into a later epoch', async () => {
    await trade(b, a, 1n)
    await trade(c, a, 3n)
    const before = await lastEpoch(a)
    const bPosition = await onChain(b)
    // c goes silent: it keeps its connections but no longer answers settle requests.
    await c.settlement.stop()
    const proposal = await a.settlement.settleEpoch()
    expect(proposal).toMatchObject({ epoch: before + 1, state: 'settled' })
    expect(proposal?.tradeIds.length).toBe(1)
    const abandoned = a.settlement.epochs().filter((e) => e.state === 'abandoned' && e.epoch === before + 1)
    expect(abandoned).toHaveLength(1)
    expect(abandoned[0]?.reason).toContain(c.clearing.account.toLowerCase())
    expect(await onChain(b)).toBe(bPosition - 1n)
    expect(await onChain(c)).toBe(0n)

    // The beat holds c off for a while rather than asking it every epoch.
    const abandonedBefore = a.settlement.epochs().filter((e) => e.state === 'abandoned').length
    expect(await a.settlement.settleEpoch()).toBeUndefined()
    expect(a.settlement.epochs().filter((e) => e.state === 'abandoned')).toHaveLength(abandonedBefore)

    await c.settlement.start()
    expect(await a.settlement.settleEpoch({ askEveryone: true })).toMatchObject({
      epoch: before + 2,
      state: 'settled',
    })
    expect(await onChain(c)).toBe(-3n)
    expect(await lastEpoch(a)).toBe(before + 2)
  }, 60_000)
})
