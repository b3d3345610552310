// Every sublevel of the node's store and the type of its values, in one place, so key
// prefixes never collide and a reader sees the whole persistent state at a glance.

export interface KnownPeer {
  /** Multiaddrs last seen for the peer, without the /p2p suffix. */
  addrs: string[]
  /** Unix milliseconds when the peer was last connected. */
  lastConnectedAt: number
}

export interface ActorCheckpoint {
  /** Unix milliseconds when the checkpoint was written. */
  savedAt: number
  data: unknown
}

export interface NodeMeta {
  peerId: string
  createdAt: number
  network: string
}

export interface SublevelValues {
  /** Node-wide facts: one key, `node`. */
  meta: NodeMeta
  /** Peers this node has been connected to, by peer id. */
  peers: KnownPeer
  /** The last checkpoint of each actor, by systemId. */
  checkpoints: ActorCheckpoint
}

export type SublevelName = keyof SublevelValues
export const SUBLEVEL_NAMES: readonly SublevelName[] = ['meta', 'peers', 'checkpoints']
