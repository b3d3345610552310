// A node on its embedded chain: it deploys the contracts itself, and after a restart the
// chain comes back from the store's journal with the same addresses and balances.

import { afterAll, describe, expect, it } from 'vitest'
import { expectedAddresses } from '../../ledger/chain/connect.ts'
import { TestCluster } from '../helpers/test-node.ts'

describe('the embedded chain', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll(), 30_000)

  it('keeps the contracts and the collateral across a restart', async () => {
    const dataDir = await cluster.tempDir()
    let node = await cluster.start({ dataDir })
    // Nothing needs the chain yet, so nothing has started it.
    expect(node.clearing.connected).toBe(false)
    const session = await node.clearing.session()
    expect(session.embedded).toBe(true)
    expect(session.devnet).toBe(true)
    expect(session.contracts).toEqual(expectedAddresses(session.account))
    await node.clearing.deposit(2_500_000n)
    await node.clearing.withdraw(500_000n)
    const before = await node.clearing.collateral()
    expect(before.balance).toBe(2_000_000n)
    expect(before.wallet).toBe(500_000n)

    await cluster.stop(node)
    node = await cluster.start({ dataDir })
    expect((await node.clearing.session()).contracts).toEqual(session.contracts)
    expect(await node.clearing.collateral()).toEqual(before)
    // The replayed chain takes new transactions after the replayed ones.
    await node.clearing.deposit(1_000_000n)
    expect((await node.clearing.collateral()).balance).toBe(3_000_000n)
    expect(await node.clearing.lastEpoch()).toBe(0)
  }, 60_000)
})
