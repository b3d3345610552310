import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { booksIdentical, startMarketNodes, tradeSignaturesValid } from '../helpers/market-cluster.ts'
import { seededRandom } from '../helpers/seeded-random.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const INSTRUMENTS = ['SPOT:gpu.h100', 'SPOT:cpu.x86', 'FUT:gpu.h100:20270101T0000Z:1h']
const TICK: Record<string, bigint> = {
  'SPOT:gpu.h100': 100n,
  'SPOT:cpu.x86': 1n,
  'FUT:gpu.h100:20270101T0000Z:1h': 100n,
}
const ORDERS = 2_000

describe('a market of 10 nodes', () => {
  const cluster = new TestCluster()
  let nodes: HcxNode[] = []

  beforeAll(async () => {
    nodes = await startMarketNodes(cluster, 10)
  }, 60_000)
  afterAll(() => cluster.stopAll(), 30_000)

  it('fills a maker order exactly once when nine takers race for it', async () => {
    const [maker, ...takers] = nodes as [HcxNode, ...HcxNode[]]
    const instrument = 'SPOT:qpu.sim'
    const ask = await maker.market.place({ instrument, side: 'sell', price: 7n, qty: 10n, tif: 'gtc' })
    expect(
      await waitFor(() => takers.every((node) => node.market.depth(instrument).asks.length === 1), 5_000),
    ).toBe(true)
    const results = await Promise.all(
      takers.map((node) => node.market.place({ instrument, side: 'buy', price: 7n, qty: 5n, tif: 'ioc' })),
    )
    const bought = results.flatMap((result) => result.fills).reduce((sum, fill) => sum + fill.qty, 0n)
    expect(bought).toBe(10n)
    expect(maker.market.orderStatus(ask.orderId)).toMatchObject({ status: 'filled', filled: 10n })
    expect(await waitFor(() => booksIdentical(nodes, [instrument]), 5_000)).toBe(true)
    expect(maker.market.depth(instrument).asks).toEqual([])
  })

  it('trades 2,000 concurrent random orders without overfilling, co-signed, with identical books', async () => {
    const random = seededRandom(42)
    const plan = Array.from({ length: ORDERS }, () => {
      const instrument = INSTRUMENTS[Math.floor(random() * INSTRUMENTS.length)] as string
      const side = random() < 0.5 ? ('buy' as const) : ('sell' as const)
      const offset = BigInt(Math.floor(random() * 11) - 5)
      const tick = TICK[instrument] as bigint
      return {
        node: Math.floor(random() * nodes.length),
        params: {
          instrument,
          side,
          price: (1_000n + offset) * tick,
          qty: BigInt(1 + Math.floor(random() * 20)),
          tif: random() < 0.85 ? ('gtc' as const) : ('ioc' as const),
        },
      }
    })
    const placed = new Map<string, bigint>()
    await Promise.all(
      nodes.map(async (node, index) => {
        const mine = plan.filter((order) => order.node === index)
        // A few orders in flight per node, all nodes at once.
        const lanes = Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < mine.length; i += 4) {
            const order = mine[i]
            if (order === undefined) continue
            const result = await node.market.place(order.params)
            placed.set(result.orderId, order.params.qty)
          }
        })
        await Promise.all(lanes)
      }),
    )
    const lastOrderAt = Date.now()
    const converged = await waitFor(() => booksIdentical(nodes, INSTRUMENTS), 5_000, 20)
    const convergedMs = Date.now() - lastOrderAt
    expect(converged, `books still differ ${convergedMs} ms after the last order`).toBe(true)

    // No order filled past its quantity, across the union of every node's trades on these
    // instruments (the race above traded another).
    const trades = new Map(
      nodes.flatMap((node) =>
        INSTRUMENTS.flatMap((instrument) =>
          node.market.tradeList(instrument).map((t) => [t.tradeId, t] as const),
        ),
      ),
    )
    const filled = new Map<string, bigint>()
    for (const trade of trades.values()) {
      for (const id of [trade.makerOrderId, trade.takerOrderId])
        filled.set(id, (filled.get(id) ?? 0n) + trade.qty)
    }
    expect(trades.size).toBeGreaterThan(100)
    for (const [orderId, qty] of filled) {
      expect(placed.has(orderId)).toBe(true)
      expect(qty).toBeLessThanOrEqual(placed.get(orderId) ?? 0n)
    }

    // Every trade is stored by both sides' nodes, each copy carrying both valid signatures.
    const byPeer = new Map(nodes.map((node) => [node.peerId, node]))
    const ownerKey = (peerId: string, orderId: string) =>
      byPeer.get(peerId)?.market.state.orders.get(orderId)?.order.body.owner as Uint8Array
    for (const view of trades.values()) {
      for (const holder of [byPeer.get(view.maker), byPeer.get(view.taker)]) {
        const stored = await holder?.market.storedTrade(view.tradeId)
        expect(stored, `trade ${view.tradeId} missing on a side's node`).toBeDefined()
        if (stored === undefined) continue
        const makerKey = ownerKey(view.maker, view.makerOrderId)
        const takerKey = ownerKey(view.taker, view.takerOrderId)
        expect(
          tradeSignaturesValid(
            stored.bodyBytes,
            makerKey,
            takerKey,
            stored.makerSignature,
            stored.takerSignature,
          ),
        ).toBe(true)
      }
    }

    // A node that joins late syncs the same book.
    const late = await cluster.start({ flags: { bootstrap: [nodes[3]?.multiaddrs()[0] as string] } })
    const synced = await waitFor(() => booksIdentical([...nodes, late], INSTRUMENTS), 20_000, 50)
    expect(synced).toBe(true)
    expect(late.market.depth(INSTRUMENTS[0] as string).bids.length).toBeGreaterThan(0)
  }, 180_000)
})
