import { afterAll, describe, expect, it } from 'vitest'
import { MARKET_TEST_DISCOVERY } from '../helpers/market-cluster.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

describe('the capacity topic', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll(), 30_000)

  it("shows a provider's announced capacity classes on other full nodes", async () => {
    const flags = { discovery: MARKET_TEST_DISCOVERY }
    const buyer = await cluster.start({ flags })
    const provider = await cluster.start({
      flags: {
        ...flags,
        role: 'provider',
        capacity: { classes: ['gpu.h100', 'qpu.sim'] },
        bootstrap: [buyer.multiaddrs()[0] as string],
      },
    })
    const heard = await waitFor(
      () => buyer.market.capacity().some((a) => a.peerId === provider.peerId),
      10_000,
    )
    expect(heard).toBe(true)
    expect(buyer.market.capacity().find((a) => a.peerId === provider.peerId)?.classes).toEqual([
      'gpu.h100',
      'qpu.sim',
    ])
    expect(buyer.market.validationCounts()['capacity:accept']).toBeGreaterThan(0)
  }, 30_000)
})
