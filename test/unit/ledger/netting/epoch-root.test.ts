import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { keccak256, toUtf8Bytes } from 'ethers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EMPTY_ROOT,
  epochRoot,
  type RootedTrade,
  TRADE_LEAF_ENCODING,
  tradeLeaf,
} from '../../../../ledger/netting/epoch-root.ts'
import { instrumentKey } from '../../../../ledger/netting/instrument-key.ts'

const trade = (n: number, qty = 1n): RootedTrade => ({
  tradeId: n.toString(16).padStart(64, '0'),
  instrument: 'SPOT:gpu.h100',
  price: 2_500_000n,
  qty,
  buyer: `0x${'a'.repeat(40)}`,
  seller: `0x${'b'.repeat(40)}`,
})

describe('the epoch root', () => {
  it('keys an instrument as keccak256 of its canonical id, as the contract does', () => {
    expect(instrumentKey('SPOT:gpu.h100')).toBe(keccak256(toUtf8Bytes('SPOT:gpu.h100')))
  })

  it('is the zero root for an epoch without trades', () => {
    expect(epochRoot([])).toBe(EMPTY_ROOT)
  })

  it('is the same for the same trades in any order, and changes with any trade', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 40 })
          .chain((ids) =>
            fc.tuple(
              fc.constant(ids),
              fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }),
            ),
          ),
        ([ids, shuffled]) => {
          const root = epochRoot(ids.map((id) => trade(id)))
          expect(epochRoot(shuffled.map((id) => trade(id)))).toBe(root)
          const changed = ids.map((id, i) => trade(id, i === 0 ? 2n : 1n))
          expect(epochRoot(changed)).not.toBe(root)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('proves each trade against the root', () => {
    const trades = [trade(1), trade(2), trade(3, 5n)]
    const tree = StandardMerkleTree.of(trades.map(tradeLeaf), TRADE_LEAF_ENCODING)
    expect(tree.root).toBe(epochRoot(trades))
    for (const leaf of trades.map(tradeLeaf)) {
      expect(StandardMerkleTree.verify(tree.root, TRADE_LEAF_ENCODING, leaf, tree.getProof(leaf))).toBe(true)
    }
  })
})
