import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:cpu.x86'

describe('fill-or-kill across several makers', () => {
  const cluster = new TestCluster()
  let makerA: HcxNode
  let makerB: HcxNode
  let taker: HcxNode

  beforeAll(async () => {
    const flags = { discovery: MARKET_TEST_DISCOVERY }
    makerA = await cluster.start({ flags })
    const bootstrap = [makerA.multiaddrs()[0] as string]
    makerB = await cluster.start({ flags: { ...flags, bootstrap } })
    taker = await cluster.start({ flags: { ...flags, bootstrap } })
    const meshed = await waitFor(
      () =>
        [makerB, taker].every(
          (n) => n.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length > 0,
        ),
      10_000,
    )
    expect(meshed).toBe(true)
  }, 30_000)
  afterAll(() => cluster.stopAll(), 30_000)

  it('fills from every maker at once, or not at all', async () => {
    await makerA.market.place({ instrument: SPOT, side: 'sell', price: 100n, qty: 3n, tif: 'gtc' })
    await makerB.market.place({ instrument: SPOT, side: 'sell', price: 101n, qty: 3n, tif: 'gtc' })
    expect(await waitFor(() => taker.market.depth(SPOT).asks.length === 2, 5_000)).toBe(true)

    const tooMuch = await taker.market.place({
      instrument: SPOT,
      side: 'buy',
      price: 101n,
      qty: 7n,
      tif: 'fok',
    })
    expect(tooMuch).toMatchObject({ status: 'cancelled', fills: [] })

    const all = await taker.market.place({ instrument: SPOT, side: 'buy', price: 101n, qty: 5n, tif: 'fok' })
    expect(all.status).toBe('filled')
    expect(all.fills.map((fill) => [fill.price, fill.qty])).toEqual([
      [100n, 3n],
      [101n, 2n],
    ])
  })

  it('takes nothing, and leaves the makers whole, when one maker cannot hold its part', async () => {
    const ask = await makerA.market.place({
      instrument: SPOT,
      side: 'sell',
      price: 200n,
      qty: 4n,
      tif: 'gtc',
    })
    await makerB.market.place({ instrument: SPOT, side: 'sell', price: 201n, qty: 4n, tif: 'gtc' })
    expect(await waitFor(() => taker.market.depth(SPOT).asks.some(([p]) => p === 201n), 5_000)).toBe(true)
    await cluster.stop(makerB)

    const fok = await taker.market.place({ instrument: SPOT, side: 'buy', price: 201n, qty: 6n, tif: 'fok' })
    expect(fok).toMatchObject({ status: 'cancelled', fills: [] })
    // Maker A's hold was released: all 4 can still be bought.
    const rest = await taker.market.place({ instrument: SPOT, side: 'buy', price: 200n, qty: 4n, tif: 'ioc' })
    expect(rest.fills.reduce((sum, fill) => sum + fill.qty, 0n)).toBe(4n)
    expect(makerA.market.orderStatus(ask.orderId)?.status).toBe('filled')
  })
})
