// A shared dev chain and market nodes settling on it, for the settlement tests: the chain
// is served over JSON-RPC in this process, the nodes join it with --rpc-url/--contracts.

import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type DevChain, startDevChain } from '../../ledger/chain/dev-chain.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import { MARKET_TEST_DISCOVERY } from './market-cluster.ts'
import { type TestCluster, waitFor } from './test-node.ts'

export interface SettlementNetwork {
  chain: DevChain
  contractsFile: string
  flags: Record<string, unknown>
}

/** Epochs run only when a test asks: the beat is far longer than any test. */
export const MANUAL_EPOCH_MS = 3_600_000

export async function startSettlementChain(cluster: TestCluster): Promise<SettlementNetwork> {
  const chain = await startDevChain(0)
  const contractsFile = join(await cluster.tempDir(), 'contracts.json')
  await writeFile(contractsFile, JSON.stringify(chain.contracts))
  const flags = {
    discovery: MARKET_TEST_DISCOVERY,
    settlement: { rpcUrl: chain.rpcUrl, contractsFile, epochMs: MANUAL_EPOCH_MS },
  }
  return { chain, contractsFile, flags }
}

/** Starts `count` nodes on the chain, bootstrapped off the first, with gossip meshed. */
export async function startSettlingNodes(
  cluster: TestCluster,
  network: SettlementNetwork,
  count: number,
): Promise<HcxNode[]> {
  const first = await cluster.start({ flags: network.flags })
  const bootstrap = [first.multiaddrs()[0] as string]
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, () => cluster.start({ flags: { ...network.flags, bootstrap } })),
  )
  const nodes = [first, ...rest]
  const meshed = await waitFor(
    () =>
      nodes.every((n) => n.libp2p.services.pubsub.getSubscribers('/hcx/main/orders/1').length >= count - 1),
    15_000,
    100,
  )
  if (!meshed) throw new Error('gossip meshes did not form')
  return nodes
}
