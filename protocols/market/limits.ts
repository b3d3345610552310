// Size caps and time windows of the market's wire messages: hostile input is measured
// against these before anything else is spent on it.

export const MARKET_LIMITS = {
  /** One signed order, cancel or trade body. */
  maxBodyBytes: 512,
  /** One gossip message (a publisher's batch of signed items). */
  maxGossipBytes: 64 * 1024,
  maxBatchItems: 128,
  /** One request or response frame on a stream protocol. */
  maxRequestBytes: 8 * 1024,
  maxSnapshotFrameBytes: 1024 * 1024,
  /** Gossiped orders, cancels and trades must be this fresh (by their own timestamp)... */
  freshnessMs: 30_000,
  /** ...give or take this much clock skew between honest nodes. */
  clockSkewMs: 5_000,
} as const

/** Largest price or quantity the matching core holds exactly as a JavaScript number. */
export const MAX_SAFE_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER)
