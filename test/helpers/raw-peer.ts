// A bare libp2p host on the market's network that runs no market: its gossipsub publishes
// whatever bytes a test hands it and its streams carry whatever frames a test writes, so a
// test can play a faulty or hostile peer against a real node.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { HcxNode } from '../../node/hcx-node.ts'
import { createHost, type Host } from '../../node/host/create-host.ts'
import { type Signer, signerFromPeerKey } from '../../protocols/signing/ed25519.ts'
import { waitFor } from './test-node.ts'

/**
 * What the gossipsub implementation offers beyond its exported interface: per-publish
 * options and a peer's score, as the node computes it on its heartbeat.
 */
interface PublishWithOptions {
  publish(
    topic: string,
    data: Uint8Array,
    options: { ignoreDuplicatePublishError: boolean },
  ): Promise<{ recipients: unknown[] }>
}
interface ScoredPubSub {
  getScore(peerId: string): number
}

/** The gossipsub score `node` gives the peer `peerId`; below zero once it sent invalid messages. */
export function gossipScore(node: HcxNode, peerId: string): number {
  return (node.libp2p.services.pubsub as unknown as ScoredPubSub).getScore(peerId)
}

export interface RawPeer {
  readonly host: Host
  /** Signs with this peer's own key, as an order owner would. */
  readonly signer: Signer
  readonly peerId: string
  /**
   * Publishes raw bytes on a topic; returns how many peers it was sent to (none when this
   * peer's gossipsub has already seen the same bytes and `allowSeen` is set).
   */
  publish(topic: string, data: Uint8Array, options?: { allowSeen?: boolean }): Promise<number>
  /**
   * Opens a stream to `target`, writes `frames` length-prefixed and reads one frame back;
   * resolves to the frame, or rejects when the other side resets or closes the stream.
   */
  exchange(target: HcxNode, protocol: string, frames: Uint8Array[], timeoutMs?: number): Promise<Uint8Array>
  stop(): Promise<void>
}

/**
 * Starts a raw peer, connects it to `target` and subscribes it to `topics`, and resolves
 * once each side sees the other as a subscriber of every topic.
 */
export async function startRawPeer(target: HcxNode, topics: string[]): Promise<RawPeer> {
  const peerKey = await generateKeyPair('Ed25519')
  const host = await createHost({
    peerKey,
    network: target.config.network,
    light: false,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    mdns: false,
    connections: { max: 16, inboundPerSecond: 50, dialTimeoutMs: 5_000 },
  })
  const peerId = host.peerId.toString()
  const pubsub = host.services.pubsub
  const peer: RawPeer = {
    host,
    signer: signerFromPeerKey(peerKey),
    peerId,
    publish: async (topic, data, options) => {
      const published = await (pubsub as unknown as PublishWithOptions).publish(topic, data, {
        ignoreDuplicatePublishError: options?.allowSeen ?? false,
      })
      return published.recipients.length
    },
    exchange: async (node, protocol, frames, timeoutMs = 5_000) => {
      const signal = AbortSignal.timeout(timeoutMs)
      const stream = await host.dialProtocol(peerIdFromString(node.peerId), protocol, { signal })
      try {
        const framed = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
        for (const frame of frames) await framed.write(frame, { signal })
        const count = (await framed.read({ signal })).subarray()
        if (count.byteLength !== 4) return count
        return (await framed.read({ signal })).subarray()
      } finally {
        stream.abort(new Error('exchange over'))
      }
    },
    stop: async () => {
      await host.stop()
    },
  }
  try {
    for (const topic of topics) pubsub.subscribe(topic)
    await host.dial(multiaddr(target.multiaddrs()[0] as string))
    const targetPubsub = target.libp2p.services.pubsub
    const seen = await waitFor(
      () =>
        topics.every(
          (topic) =>
            targetPubsub.getSubscribers(topic).some((id) => id.toString() === peerId) &&
            pubsub.getSubscribers(topic).some((id) => id.toString() === target.peerId),
        ),
      5_000,
      20,
    )
    if (!seen) throw new Error(`raw peer ${peerId} and ${target.peerId} did not see each other subscribe`)
    return peer
  } catch (err) {
    await peer.stop()
    throw err
  }
}
