// The Merkle root of an epoch's trades, as the clearing contract records it: OpenZeppelin's
// standard tree (sorted leaves, double-hashed ABI-encoded values), so the same trades in any
// order give the same root and any trade can later be proven on chain with MerkleProof.

import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { instrumentKey } from './instrument-key.ts'
import type { NettableTrade } from './net-lines.ts'

export interface RootedTrade extends NettableTrade {
  /** The trade id: sha256 of its signed body, 64 hex digits. */
  tradeId: string
}

export const TRADE_LEAF_ENCODING = ['bytes32', 'bytes32', 'address', 'address', 'uint256', 'uint256']
export const EMPTY_ROOT = `0x${'0'.repeat(64)}`

export function tradeLeaf(trade: RootedTrade): [string, string, string, string, string, string] {
  if (!/^[0-9a-f]{64}$/.test(trade.tradeId))
    throw new RangeError(`trade id ${trade.tradeId} is not 32 bytes of hex`)
  return [
    `0x${trade.tradeId}`,
    instrumentKey(trade.instrument),
    trade.buyer.toLowerCase(),
    trade.seller.toLowerCase(),
    trade.price.toString(),
    trade.qty.toString(),
  ]
}

export type TradeLeaf = ReturnType<typeof tradeLeaf>

/** The tree over the epoch's trades, for its root and for proofs that a trade is in it. */
export function epochTree(trades: readonly RootedTrade[]): StandardMerkleTree<TradeLeaf> {
  return StandardMerkleTree.of(trades.map(tradeLeaf), TRADE_LEAF_ENCODING)
}

/** The root over every trade of the epoch; an epoch without trades has the zero root. */
export function epochRoot(trades: readonly RootedTrade[]): string {
  if (trades.length === 0) return EMPTY_ROOT
  return epochTree(trades).root
}

/** Whether `trades` are all leaves of the tree with `root`, by an OpenZeppelin multiproof. */
export function provesMembership(
  root: string,
  trades: readonly RootedTrade[],
  proof: string[],
  proofFlags: boolean[],
): boolean {
  try {
    return StandardMerkleTree.verifyMultiProof(root, TRADE_LEAF_ENCODING, {
      leaves: trades.map(tradeLeaf),
      proof,
      proofFlags,
    })
  } catch {
    return false
  }
}
