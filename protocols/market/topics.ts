// Gossip topics of one network and the peer-score parameters that make REJECTed messages
// cost their sender: a few invalid messages push a peer below gossipsub's graylist.

import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'

export interface MarketTopics {
  orders: string
  fills: string
  capacity: string
}

export function marketTopics(network: string): MarketTopics {
  return {
    orders: `/hcx/${network}/orders/1`,
    fills: `/hcx/${network}/fills/1`,
    capacity: `/hcx/${network}/capacity/1`,
  }
}

/**
 * Only invalid deliveries (P4) and first deliveries (P2, small) count: market traffic is
 * bursty, so mesh-delivery quotas (P3) would punish honest quiet peers.
 */
export function marketTopicScoreParams(network: string): Record<string, TopicScoreParams> {
  const params = createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 3_600,
    firstMessageDeliveriesWeight: 0.1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 100,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -20,
    invalidMessageDeliveriesDecay: 0.99,
  })
  return Object.fromEntries(Object.values(marketTopics(network)).map((topic) => [topic, params]))
}
