// Three nodes trade through the market on one shared dev chain; each settles its own takes
// in a netted epoch, and an ethers script that knows nothing of hcx reads the clearing
// house and finds every node's ledger there.

import { Contract, JsonRpcProvider, keccak256, toUtf8Bytes } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiGet } from '../../node/api/client.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import {
  type SettlementNetwork,
  startSettlementChain,
  startSettlingNodes,
} from '../helpers/settlement-network.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:cpu.x86'
const FUT = 'FUT:gpu.h100:20261201T0000Z:1h'
const READER_ABI = [
  'function position(address account, bytes32 instrument) view returns (int256)',
  'function lastEpoch() view returns (uint64)',
]

describe('settlement across three nodes', () => {
  const cluster = new TestCluster()
  let network: SettlementNetwork
  let nodes: HcxNode[]

  beforeAll(async () => {
    network = await startSettlementChain(cluster)
    nodes = await startSettlingNodes(cluster, network, 3)
    for (const node of nodes) await node.clearing.deposit(1_000_000_000n)
  }, 60_000)
  afterAll(async () => {
    await cluster.stopAll()
    await network?.chain.close()
  }, 30_000)

  it('settles each node’s takes once, and the chain holds every ledger’s positions', async () => {
    const [a, b, c] = nodes as [HcxNode, HcxNode, HcxNode]
    const rest = async (
      maker: HcxNode,
      instrument: string,
      side: 'buy' | 'sell',
      price: bigint,
      qty: bigint,
    ) => {
      await maker.market.place({ instrument, side, price, qty, tif: 'gtc' })
      await waitFor(
        () => nodes.every((n) => n.market.depth(instrument)[side === 'sell' ? 'asks' : 'bids'].length > 0),
        5_000,
      )
    }
    const take = async (
      taker: HcxNode,
      instrument: string,
      side: 'buy' | 'sell',
      price: bigint,
      qty: bigint,
    ) => {
      const result = await taker.market.place({ instrument, side, price, qty, tif: 'ioc' })
      expect(result.status).toBe('filled')
    }
    // b and c take from a; a takes from c.
    await rest(a, SPOT, 'sell', 2_000n, 10n)
    await take(b, SPOT, 'buy', 2_000n, 4n)
    await take(c, SPOT, 'buy', 2_000n, 6n)
    await rest(c, FUT, 'sell', 5_000n, 3n)
    await take(a, FUT, 'buy', 5_000n, 2n)
    await take(b, FUT, 'buy', 5_000n, 1n)

    const proposals = []
    for (const node of [b, c, a]) proposals.push(await node.settlement.settleEpoch())
    expect(proposals.map((p) => p?.state)).toEqual(['settled', 'settled', 'settled'])
    expect(proposals.map((p) => p?.epoch)).toEqual([1, 2, 3])
    expect(proposals.map((p) => p?.tradeIds.length)).toEqual([2, 1, 1])
    // Nothing is left to settle, and a second run settles nothing twice.
    for (const node of nodes) expect(await node.settlement.settleEpoch()).toBeUndefined()

    const reader = new JsonRpcProvider(network.chain.rpcUrl, undefined, { staticNetwork: true })
    const clearing = new Contract(network.chain.contracts.ClearingHouse, READER_ABI, reader)
    expect(await clearing.getFunction('lastEpoch')()).toBe(3n)
    const expected: Record<string, Record<string, bigint>> = {
      [a.clearing.account]: { [SPOT]: -10n, [FUT]: 2n },
      [b.clearing.account]: { [SPOT]: 4n, [FUT]: 1n },
      [c.clearing.account]: { [SPOT]: 6n, [FUT]: -3n },
    }
    for (const node of nodes) {
      // The signer side learns its epochs settled when it next looks at the chain.
      await node.settlement.resolveOpen()
      const ledger = await node.settlement.positions()
      for (const instrument of [SPOT, FUT]) {
        const onChain = await clearing.getFunction('position')(
          node.clearing.account,
          keccak256(toUtf8Bytes(instrument)),
        )
        const mine = ledger.positions.find((p) => p.instrument === instrument)
        expect(onChain).toBe(expected[node.clearing.account]?.[instrument])
        expect(BigInt(mine?.settled ?? '0')).toBe(onChain)
        expect(mine?.unsettled).toBe('0')
      }
    }
    reader.destroy()
    // Every trade now reads `settled`, with its epoch and transaction, on both sides.
    for (const node of nodes) {
      type TradeJson = {
        state: string
        epoch?: number
        txHash?: string
        makerAccount: string
        takerAccount: string
      }
      const account = node.clearing.account.toLowerCase()
      const own = (await apiGet<TradeJson[]>(node.config.dataDir, '/v1/trades')).filter((t) =>
        [t.makerAccount, t.takerAccount].map((a) => a.toLowerCase()).includes(account),
      )
      expect(own.length).toBeGreaterThanOrEqual(2)
      for (const trade of own) {
        expect(trade.state).toBe('settled')
        expect(trade.epoch).toBeGreaterThanOrEqual(1)
        expect(trade.txHash).toMatch(/^0x[0-9a-f]{64}$/)
      }
    }
    // Cash moved with the trades: a sold 10 at 2,000 and bought 2 at 5,000.
    const { balance } = await a.clearing.collateral()
    expect(balance).toBe(1_000_000_000n + 10n * 2_000n - 2n * 5_000n)
  }, 90_000)
})
