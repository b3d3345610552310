import { afterAll, describe, expect, it } from 'vitest'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:cpu.x86'

describe('a restarted node', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll(), 30_000)

  it('rebuilds its book, trades and own orders from its store', async () => {
    const flags = { discovery: MARKET_TEST_DISCOVERY, listen: ['/ip4/127.0.0.1/tcp/0'] }
    const dataDir = await cluster.tempDir()
    let a = await cluster.start({ dataDir, flags })
    const b = await cluster.start({ flags: { ...flags, bootstrap: [a.multiaddrs()[0] as string] } })
    await waitFor(() => a.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length > 0, 5_000)

    const ask = await a.market.place({ instrument: SPOT, side: 'sell', price: 1_000n, qty: 10n, tif: 'gtc' })
    await b.market.place({ instrument: SPOT, side: 'buy', price: 900n, qty: 4n, tif: 'gtc' })
    expect(await waitFor(() => b.market.depth(SPOT).asks.length === 1, 5_000)).toBe(true)
    expect(
      (await b.market.place({ instrument: SPOT, side: 'buy', price: 1_000n, qty: 3n, tif: 'ioc' })).status,
    ).toBe('filled')
    expect(await waitFor(() => a.market.bookHash(SPOT) === b.market.bookHash(SPOT), 5_000)).toBe(true)
    const hashBefore = a.market.bookHash(SPOT)
    const tradesBefore = a.market.tradeList()

    await cluster.stop(a)
    a = await cluster.start({ dataDir, flags: { ...flags, bootstrap: [b.multiaddrs()[0] as string] } })
    expect(a.market.bookHash(SPOT)).toBe(hashBefore)
    expect(a.market.tradeList()).toEqual(tradesBefore)
    expect(a.market.orderStatus(ask.orderId)).toMatchObject({ status: 'partial', filled: 3n })

    // The rebuilt order still trades, and never past what is left of it.
    await waitFor(() => a.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length > 0, 5_000)
    const rest = await b.market.place({ instrument: SPOT, side: 'buy', price: 1_000n, qty: 20n, tif: 'ioc' })
    expect(rest.fills.reduce((sum, fill) => sum + fill.qty, 0n)).toBe(7n)
    expect(await waitFor(() => a.market.orderStatus(ask.orderId)?.status === 'filled', 5_000)).toBe(true)
  }, 60_000)
})
