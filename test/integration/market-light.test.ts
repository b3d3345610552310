import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:qpu.sim'

describe('a light client trading through a full node', () => {
  const cluster = new TestCluster()
  let gateway: HcxNode
  let maker: HcxNode
  let light: HcxNode

  beforeAll(async () => {
    const flags = { discovery: MARKET_TEST_DISCOVERY }
    gateway = await cluster.start({ flags })
    const bootstrap = [gateway.multiaddrs()[0] as string]
    maker = await cluster.start({ flags: { ...flags, bootstrap } })
    light = await cluster.start({ flags: { ...flags, role: 'light', bootstrap } })
    const meshed = await waitFor(
      () =>
        gateway.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length > 0 &&
        light.libp2p.getConnections().length > 0,
      10_000,
    )
    expect(meshed).toBe(true)
  }, 30_000)
  afterAll(() => cluster.stopAll(), 30_000)

  it("takes a maker's liquidity through its gateway and keeps the co-signed trade", async () => {
    const ask = await maker.market.place({ instrument: SPOT, side: 'sell', price: 40n, qty: 10n, tif: 'gtc' })
    expect(await waitFor(() => gateway.market.depth(SPOT).asks.length === 1, 5_000)).toBe(true)

    const bid = await light.market.place({ instrument: SPOT, side: 'buy', price: 45n, qty: 3n, tif: 'gtc' })
    expect(bid.status).toBe('filled')
    expect(bid.fills.map((fill) => [fill.price, fill.qty, fill.maker])).toEqual([[40n, 3n, maker.peerId]])
    expect(await waitFor(() => gateway.market.depth(SPOT).asks[0]?.[1] === 7n, 5_000)).toBe(true)
    expect(maker.market.orderStatus(ask.orderId)?.filled).toBe(3n)
    expect(light.market.tradeList()).toHaveLength(1)
  })

  it('rests an order in the network book and co-signs when a full node takes it', async () => {
    const ask = await light.market.place({ instrument: SPOT, side: 'sell', price: 60n, qty: 5n, tif: 'gtc' })
    expect(ask.status).toBe('open')
    expect(await waitFor(() => maker.market.depth(SPOT).asks.some(([price]) => price === 60n), 5_000)).toBe(
      true,
    )

    // The maker's own sell at 40 is skipped: a node never trades with itself.
    const bid = await maker.market.place({ instrument: SPOT, side: 'buy', price: 60n, qty: 2n, tif: 'ioc' })
    expect(bid.status).toBe('filled')
    expect(bid.fills[0]?.maker).toBe(light.peerId)
    expect(await waitFor(() => light.market.orderStatus(ask.orderId)?.status === 'partial', 5_000)).toBe(true)
    expect(
      await waitFor(() => gateway.market.depth(SPOT).asks.some(([p, q]) => p === 60n && q === 3n), 5_000),
    ).toBe(true)
    expect(light.market.tradeList().some((trade) => trade.makerOrderId === ask.orderId)).toBe(true)

    const cancelled = await light.market.cancel(ask.orderId)
    expect(cancelled.status).toBe('cancelled')
    expect(await waitFor(() => !maker.market.depth(SPOT).asks.some(([price]) => price === 60n), 5_000)).toBe(
      true,
    )
  })
})
