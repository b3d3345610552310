import { afterEach, describe, expect, it } from 'vitest'
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
