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

/** A signed order this node holds: its own, or one learnt from gossip or a book snapshot. */
export interface StoredOrder {
  /** Hex of the deterministic CBOR body and of the owner's Ed25519 signature. */
  body: string
  signature: string
  own: boolean
  status: 'open' | 'filled' | 'cancelled' | 'expired'
  receivedAt: number
}

/**
 * A trade: `matched` once the taker has signed and asked the maker (written before the
 * request leaves), `cosigned` when both signatures are present (final off-chain).
 */
export interface StoredTrade {
  body: string
  makerSignature: string
  takerSignature: string
  state: 'matched' | 'cosigned'
  recordedAt: number
}

/** A signed cancel, kept so a late copy of the order never comes back to life. */
export interface StoredCancel {
  body: string
  signature: string
}

/** One call that changed the embedded chain's state, replayed in key order at start. */
export interface ChainJournalEntry {
  method: string
  params: unknown[]
}

/** A net line with its integers as decimal strings. */
export interface StoredLine {
  account: string
  instrument: string
  position: string
  cash: string
}

/**
 * An epoch this node settles (its own takes): `gathering` while counterparties sign (never
 * sent; abandoned at restart), `submitted` once the signed transaction is stored (the
 * bytes are written before they are broadcast), then `settled` or `failed` from the chain.
 */
export interface StoredProposal {
  epoch: number
  root: string
  tradeIds: string[]
  lines: StoredLine[]
  state: 'gathering' | 'submitted' | 'settled' | 'failed' | 'abandoned'
  /** Signatures by lowercase account. */
  signatures: Record<string, string>
  rawTx?: string
  txHash?: string
  gasUsed?: string
  blockNumber?: number
  reason?: string
  createdAt: number
  updatedAt: number
}

/**
 * This node's signature on its lines of another node's epoch: `pending` until the chain
 * shows that epoch, then `settled` (the committed root is this one) or `lapsed`.
 */
export interface StoredSignedLines {
  epoch: number
  root: string
  proposer: string
  tradeIds: string[]
  lines: StoredLine[]
  state: 'pending' | 'settled' | 'lapsed'
  /** The transaction that settled the epoch, once known. */
  txHash?: string
  signedAt: number
  updatedAt: number
}

export interface SublevelValues {
  /** Node-wide facts: one key, `node`. */
  meta: NodeMeta
  /** Peers this node has been connected to, by peer id. */
  peers: KnownPeer
  /** The last checkpoint of each actor, by systemId. */
  checkpoints: ActorCheckpoint
  /** Signed orders by order id. */
  orders: StoredOrder
  /** Trades by trade id. */
  trades: StoredTrade
  /** Cancels by the id of the order they cancel. */
  cancels: StoredCancel
  /** The embedded chain's journal by 12-digit sequence number. */
  chain: ChainJournalEntry
  /** Epochs this node settles, by 10-digit sequence number. */
  proposals: StoredProposal
  /** Lines this node signed for others' epochs, by `<10-digit epoch>:<root>`. */
  signedLines: StoredSignedLines
}

export type SublevelName = keyof SublevelValues
export const SUBLEVEL_NAMES: readonly SublevelName[] = [
  'meta',
  'peers',
  'checkpoints',
  'orders',
  'trades',
  'cancels',
  'chain',
  'proposals',
  'signedLines',
]
