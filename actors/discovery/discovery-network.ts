// What the discovery actor needs from the network, as a narrow port: the libp2p
// implementation lives in libp2p-discovery-network.ts, tests pass their own.

export interface MaintainResult {
  connected: number
  dialled: number
  failed: number
}

export interface ConnectionChange {
  type: 'connected' | 'disconnected'
  peerId: string
}

export interface DiscoveryNetwork {
  connectionCount(): number
  /** Dials known, unconnected peers until `target` connections are open. */
  maintain(target: number, signal: AbortSignal): Promise<MaintainResult>
  /** Looks up a random key in the DHT; every peer met on the way becomes known. Returns how many were new. */
  walk(signal: AbortSignal): Promise<number>
  /** Publishes (or renews) this node's provider record for a capacity class. */
  provide(capacityClass: string, signal: AbortSignal): Promise<void>
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void
}

export interface DiscoveryStats {
  walks: number
  peersFound: number
  dials: number
  dialFailures: number
  advertisements: number
}

export const EMPTY_STATS: DiscoveryStats = {
  walks: 0,
  peersFound: 0,
  dials: 0,
  dialFailures: 0,
  advertisements: 0,
}
