import type { PeerId } from '@libp2p/interface'
import { afterAll, describe, expect, it } from 'vitest'
import { apiGet } from '../../node/api/client.ts'
import { dhtProtocol } from '../../protocols/network-protocols.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

/** The part of kad-dht's routing table the test reads; the service type does not expose it. */
interface RoutingTable {
  find(peer: PeerId): Promise<PeerId | undefined>
}

describe('node roles', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll())

  it('a light client listens on nothing, runs the DHT as a client, and still finds peers', async () => {
    const full = await cluster.start()
    const other = await cluster.start({ flags: { bootstrap: [full.multiaddrs()[0]] } })
    const light = await cluster.start({ flags: { role: 'light', bootstrap: [full.multiaddrs()[0]] } })

    expect(light.multiaddrs()).toEqual([])
    expect(light.libp2p.services.dht.getMode()).toBe('client')
    expect(full.libp2p.services.dht.getMode()).toBe('server')
    expect(light.libp2p.getProtocols()).not.toContain(dhtProtocol('main'))

    expect(
      await waitFor(
        async () => (await light.libp2p.peerStore.all()).some((p) => p.id.equals(other.libp2p.peerId)),
        10_000,
      ),
    ).toBe(true)
    // Servers never put a client into their routing tables: nobody routes queries through it.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const routingTable = (full.libp2p.services.dht as unknown as { routingTable: RoutingTable }).routingTable
    expect(await routingTable.find(light.libp2p.peerId)).toBeUndefined()
    expect(await routingTable.find(other.libp2p.peerId)).toBeDefined()
  })

  it('a provider advertises its capacity classes, and other nodes find it by class', async () => {
    const full = await cluster.start()
    const provider = await cluster.start({ flags: { role: 'provider', bootstrap: [full.multiaddrs()[0]] } })
    const buyer = await cluster.start({ flags: { role: 'light', bootstrap: [full.multiaddrs()[0]] } })

    const found = await waitFor(
      async () => {
        const { providers } = await apiGet<{ providers: string[] }>(
          buyer.config.dataDir,
          '/v1/providers/qpu.sim',
        )
        return providers.includes(provider.peerId)
      },
      10_000,
      250,
    )
    expect(found, 'the buyer finds the provider of qpu.sim').toBe(true)
    const none = await apiGet<{ providers: string[] }>(buyer.config.dataDir, '/v1/providers/gpu.h100')
    expect(none.providers).toEqual([])
    await expect(apiGet(buyer.config.dataDir, '/v1/providers/not..a-class')).rejects.toMatchObject({
      code: 'API_BAD_CAPACITY_CLASS',
    })
  })
})
