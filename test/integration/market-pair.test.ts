import { afterEach, describe, expect, it } from 'vitest'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:gpu.h100'

describe('two nodes trading', () => {
  const cluster = new TestCluster()
  afterEach(() => cluster.stopAll())

  it("a crossing order fills against the other node's resting order, co-signed by both", async () => {
    const a = await cluster.start()
    const b = await cluster.start({ flags: { bootstrap: [`${a.multiaddrs()[0]}`] } })
    await waitFor(() => b.libp2p.services.pubsub.getSubscribers(`/hcx/main/orders/1`).length > 0, 5_000)
    const ask = await a.market.place({
      instrument: SPOT,
      side: 'sell',
      price: 2_500_000n,
      qty: 10n,
      tif: 'gtc',
    })
    expect(ask.status).toBe('open')
    expect(await waitFor(() => b.market.depth(SPOT).asks.length === 1, 5_000)).toBe(true)
    const bid = await b.market.place({
      instrument: SPOT,
      side: 'buy',
      price: 2_600_000n,
      qty: 4n,
      tif: 'ioc',
    })
    expect(bid.status).toBe('filled')
    expect(bid.fills).toHaveLength(1)
    expect(bid.fills[0]?.price).toBe(2_500_000n)
    expect(await waitFor(() => a.market.tradeList().length === 1, 5_000)).toBe(true)
    expect(a.market.depth(SPOT).asks).toEqual([[2_500_000n, 6n]])
    expect(b.market.depth(SPOT).asks).toEqual([[2_500_000n, 6n]])
    expect(a.market.orderStatus(ask.orderId)?.status).toBe('partial')
  })
})

describe('who a node will trade with', () => {
  const cluster = new TestCluster()
  afterEach(() => cluster.stopAll())

  async function pair() {
    const flags = { discovery: MARKET_TEST_DISCOVERY }
    const a = await cluster.start({ flags })
    const b = await cluster.start({ flags: { ...flags, bootstrap: [`${a.multiaddrs()[0]}`] } })
    await waitFor(() => b.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length > 0, 5_000)
    return { a, b }
  }

  it('respects a minimum counterparty reputation above the neutral score, on either side', async () => {
    const { a, b } = await pair()
    await a.market.place({
      instrument: SPOT,
      side: 'sell',
      price: 2_500_000n,
      qty: 5n,
      tif: 'gtc',
      minReputation: 6_000,
    })
    expect(await waitFor(() => b.market.depth(SPOT).asks.length === 1, 5_000)).toBe(true)
    const refusedByMaker = await b.market.place({
      instrument: SPOT,
      side: 'buy',
      price: 2_500_000n,
      qty: 1n,
      tif: 'ioc',
    })
    expect(refusedByMaker).toMatchObject({ status: 'cancelled', fills: [] })

    await a.market.place({ instrument: SPOT, side: 'sell', price: 2_400_000n, qty: 5n, tif: 'gtc' })
    expect(await waitFor(() => b.market.depth(SPOT).asks.length === 2, 5_000)).toBe(true)
    const picky = { instrument: SPOT, side: 'buy' as const, price: 2_500_000n, qty: 1n, tif: 'ioc' as const }
    expect(await b.market.place({ ...picky, minReputation: 6_000 })).toMatchObject({
      status: 'cancelled',
      fills: [],
    })
    expect((await b.market.place({ ...picky, minReputation: 5_000 })).status).toBe('filled')
  })

  it('does not match the orders of a maker that has gone offline', async () => {
    const { a, b } = await pair()
    await a.market.place({ instrument: SPOT, side: 'sell', price: 2_500_000n, qty: 5n, tif: 'gtc' })
    expect(await waitFor(() => b.market.depth(SPOT).asks.length === 1, 5_000)).toBe(true)
    await cluster.stop(a)
    const started = Date.now()
    const result = await b.market.place({
      instrument: SPOT,
      side: 'buy',
      price: 2_500_000n,
      qty: 2n,
      tif: 'ioc',
    })
    expect(result).toMatchObject({ status: 'cancelled', fills: [] })
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(b.market.tradeList()).toEqual([])
  })
})
