import { afterAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

async function knownPeerIds(node: HcxNode): Promise<Set<string>> {
  return new Set((await node.libp2p.peerStore.all()).map((peer) => peer.id.toString()))
}

function walksOf(node: HcxNode): number {
  return (node.actorReport().discovery?.checkpoint as { walks: number } | null)?.walks ?? 0
}

describe('discovery across 6 nodes on 127.0.0.1', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll())

  it('every node learns every other peer id through the DHT within 10 s, and a restarted node keeps its id and reconnects', async () => {
    const bootstrap = await cluster.start()
    const bootstrapAddr = bootstrap.multiaddrs()[0] as string
    const others = await Promise.all(
      Array.from({ length: 5 }, () => cluster.start({ flags: { bootstrap: [bootstrapAddr] } })),
    )
    const all = [bootstrap, ...others]
    const ids = all.map((node) => node.peerId)

    const started = Date.now()
    const learned = await waitFor(async () => {
      for (const node of all) {
        const known = await knownPeerIds(node)
        if (!ids.every((id) => id === node.peerId || known.has(id))) return false
      }
      return true
    }, 10_000)
    expect(learned, 'every node knows all 5 others').toBe(true)
    expect(Date.now() - started).toBeLessThan(10_000)

    // Only the bootstrap address was configured: the others were found by DHT queries.
    for (const node of others) {
      const status = await node.status()
      expect(status.actors.discovery).toMatch(/^\(connections\./)
    }

    const leaving = others[2] as HcxNode
    const dataDir = leaving.config.dataDir
    const oldId = leaving.peerId
    expect(
      await waitFor(() => walksOf(leaving) > 0, 5_000),
      'a DHT walk completed and was checkpointed',
    ).toBe(true)
    const walksBefore = walksOf(leaving)
    await cluster.stop(leaving)
    const stillUp = all.filter((node) => node !== leaving)
    expect(
      await waitFor(
        () => stillUp.every((node) => !node.libp2p.getPeers().some((p) => p.toString() === oldId)),
        5_000,
      ),
    ).toBe(true)

    // Restarted with no bootstrap address: it reconnects through the peers it remembered.
    const back = await cluster.start({ dataDir })
    expect(back.peerId).toBe(oldId)
    // The discovery actor's checkpoint came back from the store: its counters continue.
    expect(walksOf(back)).toBeGreaterThanOrEqual(walksBefore)
    const reconnected = await waitFor(() => back.libp2p.getPeers().length >= 3, 10_000)
    expect(reconnected, 'the restarted node reconnects to the peers it knew').toBe(true)
    const status = await back.status()
    expect(status.peerId).toBe(oldId)
    expect(status.peers.length).toBeGreaterThanOrEqual(3)
    expect(status.peers.every((peer) => ids.includes(peer.peerId) && peer.addrs.length > 0)).toBe(true)
  })
})
