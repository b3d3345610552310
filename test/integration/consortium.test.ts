import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, describe, expect, it } from 'vitest'
import type { HcxNode } from '../../node/hcx-node.ts'
import { writeNewSwarmKey } from '../../node/host/swarm-key.ts'
import { initKeys } from '../../node/identity/keys.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

/**
 * True when `from` cannot get a working connection to `to`. The allow-list is checked once
 * the remote peer id is known (after the encryption handshake), so the dialer may briefly see
 * a connection that the other side has already refused: a ping over it must fail too.
 */
async function dialFails(from: HcxNode, to: HcxNode): Promise<boolean> {
  try {
    await from.libp2p.dial(multiaddr(to.multiaddrs()[0] as string), { signal: AbortSignal.timeout(3_000) })
  } catch {
    return true
  }
  try {
    await from.libp2p.services.ping.ping(multiaddr(to.multiaddrs()[0] as string), {
      signal: AbortSignal.timeout(3_000),
    })
    return false
  } catch {
    return true
  }
}

function connected(a: HcxNode, b: HcxNode): boolean {
  return a.libp2p.getPeers().some((peer) => peer.toString() === b.peerId)
}

describe('private consortium networks', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll())

  it('admits a member with the swarm key and refuses another key, no key, and peers missing from the allow-list', async () => {
    const dir = await cluster.tempDir()
    const swarmKey = join(dir, 'consortium.key')
    const otherKey = join(dir, 'other.key')
    await writeNewSwarmKey(swarmKey)
    await writeNewSwarmKey(otherKey)

    const memberDir = await cluster.tempDir()
    const member = await initKeys(memberDir)
    const allowList = join(dir, 'members.txt')
    await writeFile(allowList, `# consortium members\n${member.peerId.toString()}\n`)

    const flags = {
      swarmKeyFile: swarmKey,
      allowPeersFile: allowList,
      discovery: { maintainIntervalMs: 60_000 },
    }
    const consortium = await cluster.start({ flags })
    const [memberNode, otherNetwork, publicNode, outsider] = await Promise.all([
      cluster.start({ dataDir: memberDir, flags: { swarmKeyFile: swarmKey } }),
      cluster.start({ flags: { swarmKeyFile: otherKey } }),
      cluster.start(),
      cluster.start({ flags: { swarmKeyFile: swarmKey } }),
    ])

    await memberNode.libp2p.dial(multiaddr(consortium.multiaddrs()[0] as string), {
      signal: AbortSignal.timeout(5_000),
    })
    expect(await waitFor(() => connected(consortium, memberNode), 2_000)).toBe(true)

    expect(await dialFails(otherNetwork, consortium), 'a node with another swarm key').toBe(true)
    expect(await dialFails(publicNode, consortium), 'a node without a swarm key').toBe(true)
    expect(await dialFails(outsider, consortium), 'a node with the key but not on the allow-list').toBe(true)
    expect(
      await dialFails(consortium, outsider),
      'the consortium node does not dial non-members either',
    ).toBe(true)

    for (const stranger of [otherNetwork, publicNode, outsider]) {
      expect(connected(consortium, stranger)).toBe(false)
      expect(await waitFor(() => !connected(stranger, consortium), 2_000)).toBe(true)
    }
    expect(await memberNode.libp2p.services.ping.ping(consortium.libp2p.peerId)).toBeGreaterThanOrEqual(0)
    expect(consortium.libp2p.getPeers().map(String)).toEqual([memberNode.peerId])
  })
})
