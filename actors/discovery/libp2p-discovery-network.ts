// The discovery actor's network port over a libp2p host: dials with per-peer backoff,
// random DHT walks, and capacity provider records.

import { randomBytes } from 'node:crypto'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { capacityRecordKey } from '../../protocols/discovery/capacity-records.ts'
import type { ConnectionChange, DiscoveryNetwork, MaintainResult } from './discovery-network.ts'

export interface Libp2pDiscoveryNetworkInit {
  host: Libp2p
  network: string
  dialTimeoutMs: number
  now: () => number
}

interface DialBackoff {
  failures: number
  retryAt: number
}

const MAX_PARALLEL_DIALS = 8
const DIAL_BACKOFF_BASE_MS = 1_000
const DIAL_BACKOFF_MAX_MS = 300_000
// A DHT query with no reachable peers can wait indefinitely; these bound each round.
const WALK_TIMEOUT_MS = 30_000
const PROVIDE_TIMEOUT_MS = 60_000

export class Libp2pDiscoveryNetwork implements DiscoveryNetwork {
  private readonly init: Libp2pDiscoveryNetworkInit
  private readonly backoff = new Map<string, DialBackoff>()

  constructor(init: Libp2pDiscoveryNetworkInit) {
    this.init = init
  }

  connectionCount(): number {
    return this.init.host.getPeers().length
  }

  async maintain(target: number, signal: AbortSignal): Promise<MaintainResult> {
    const { host, now } = this.init
    const connected = new Set(host.getPeers().map(String))
    const need = target - connected.size
    if (need <= 0) return { connected: connected.size, dialled: 0, failed: 0 }
    const self = host.peerId.toString()
    const candidates = (await host.peerStore.all())
      .filter((peer) => {
        const id = peer.id.toString()
        return (
          id !== self &&
          !connected.has(id) &&
          peer.addresses.length > 0 &&
          (this.backoff.get(id)?.retryAt ?? 0) <= now()
        )
      })
      .sort(
        (a, b) =>
          (this.backoff.get(a.id.toString())?.failures ?? 0) -
          (this.backoff.get(b.id.toString())?.failures ?? 0),
      )
      .slice(0, Math.min(need, MAX_PARALLEL_DIALS))
    const results = await Promise.allSettled(candidates.map((peer) => this.dial(peer.id, signal)))
    const failed = results.filter((r) => r.status === 'rejected').length
    return { connected: host.getPeers().length, dialled: candidates.length, failed }
  }

  async walk(signal: AbortSignal): Promise<number> {
    const { host } = this.init
    const before = new Set((await host.peerStore.all()).map((peer) => peer.id.toString()))
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(WALK_TIMEOUT_MS)])
    for await (const _ of host.peerRouting.getClosestPeers(randomBytes(32), { signal: bounded })) {
      // Every peer met along the way lands in the peer store; the results themselves are not needed.
    }
    const after = await host.peerStore.all()
    return after.filter((peer) => !before.has(peer.id.toString())).length
  }

  async provide(capacityClass: string, signal: AbortSignal): Promise<void> {
    await this.init.host.contentRouting.provide(await capacityRecordKey(this.init.network, capacityClass), {
      signal: AbortSignal.any([signal, AbortSignal.timeout(PROVIDE_TIMEOUT_MS)]),
    })
  }

  /** Peer ids of providers of a capacity class, as the DHT knows them. */
  async findProviders(
    capacityClass: string,
    options: { signal: AbortSignal; limit: number },
  ): Promise<string[]> {
    const found = new Set<string>()
    const key = await capacityRecordKey(this.init.network, capacityClass)
    for await (const provider of this.init.host.contentRouting.findProviders(key, {
      signal: options.signal,
    })) {
      found.add(provider.id.toString())
      if (found.size >= options.limit) break
    }
    return [...found]
  }

  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    const { host } = this.init
    const connected = (event: CustomEvent<PeerId>) =>
      listener({ type: 'connected', peerId: event.detail.toString() })
    const disconnected = (event: CustomEvent<PeerId>) =>
      listener({ type: 'disconnected', peerId: event.detail.toString() })
    host.addEventListener('peer:connect', connected)
    host.addEventListener('peer:disconnect', disconnected)
    return () => {
      host.removeEventListener('peer:connect', connected)
      host.removeEventListener('peer:disconnect', disconnected)
    }
  }

  private async dial(peerId: PeerId, signal: AbortSignal): Promise<void> {
    const id = peerId.toString()
    try {
      await this.init.host.dial(peerId, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.init.dialTimeoutMs)]),
      })
      this.backoff.delete(id)
    } catch (err) {
      const failures = (this.backoff.get(id)?.failures ?? 0) + 1
      const delay = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_BASE_MS * 2 ** (failures - 1))
      this.backoff.set(id, { failures, retryAt: this.init.now() + delay })
      throw err
    }
  }
}
