// Builds a market network of real nodes on 127.0.0.1 for tests and benchmarks: starts N
// full nodes bootstrapped off the first two and waits until gossip meshes have formed.

import { createPublicKey, verify } from 'node:crypto'
import type { HcxNode } from '../../node/hcx-node.ts'
import { SIGNING_DOMAINS } from '../../protocols/market/messages.ts'
import { type TestCluster, waitFor } from './test-node.ts'

/** DHT walks at the test cluster's usual pace cost more CPU than the market itself. */
export const MARKET_TEST_DISCOVERY = { maintainIntervalMs: 1_000, walkIntervalMs: 60_000 }

export async function startMarketNodes(cluster: TestCluster, count: number): Promise<HcxNode[]> {
  const flags = { discovery: MARKET_TEST_DISCOVERY }
  const first = await cluster.start({ flags })
  const nodes = [first]
  const bootstrap = [first.multiaddrs()[0] as string]
  const second = await cluster.start({ flags: { ...flags, bootstrap } })
  nodes.push(second)
  bootstrap.push(second.multiaddrs()[0] as string)
  nodes.push(
    ...(await Promise.all(
      Array.from({ length: count - 2 }, () => cluster.start({ flags: { ...flags, bootstrap } })),
    )),
  )
  const topic = '/hcx/main/orders/1'
  const meshed = await waitFor(
    () =>
      nodes.every(
        (node) => node.libp2p.services.pubsub.getSubscribers(topic).length >= Math.min(3, count - 1),
      ),
    15_000,
    100,
  )
  if (!meshed) throw new Error('gossip meshes did not form')
  return nodes
}

/** Whether every node's book of each instrument holds exactly the same orders. */
export function booksIdentical(nodes: HcxNode[], instruments: string[]): boolean {
  return instruments.every((instrument) => {
    const hashes = new Set(nodes.map((node) => node.market.bookHash(instrument)))
    return hashes.size === 1
  })
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** Checks a trade's two Ed25519 signatures independently of the node's own code path. */
export function tradeSignaturesValid(
  bodyBytes: Uint8Array,
  makerKey: Uint8Array,
  takerKey: Uint8Array,
  makerSignature: Uint8Array,
  takerSignature: Uint8Array,
): boolean {
  const check = (key: Uint8Array, signature: Uint8Array) =>
    verify(
      null,
      Buffer.concat([SIGNING_DOMAINS.trade, bodyBytes]),
      createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' }),
      signature,
    )
  return check(makerKey, makerSignature) && check(takerKey, takerSignature)
}
