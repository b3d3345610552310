// Builds the node's libp2p host from plain settings: TCP and WebSockets, Noise, Yamux,
// identify, ping, kad-dht, gossipsub, bootstrap and optional mDNS, and, for a consortium,
// the pre-shared swarm key and the member allow-list.

import { createHash } from 'node:crypto'
import { bootstrap } from '@libp2p/bootstrap'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { createPeerScoreParams } from '@libp2p/gossipsub/score'
import { type Identify, identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { type Ping, ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { describeError } from '../../errors/hcx-error.ts'
import { marketTopicScoreParams } from '../../protocols/market/topics.ts'
import { dhtProtocol } from '../../protocols/network-protocols.ts'
import { allowListGater } from './allow-list.ts'
import { HostError } from './errors.ts'

export type HostServices = { identify: Identify; ping: Ping; dht: KadDHT; pubsub: GossipSub }
export type Host = Libp2p<HostServices>

export interface HostInit {
  peerKey: PrivateKey
  network: string
  /** A light client runs the DHT in client mode (and, by config, listens on nothing). */
  light: boolean
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  /** Swarm key file contents; when set, only nodes with the same key can connect. */
  swarmKey?: Uint8Array
  /** Peer ids allowed to connect; when set, every other peer is refused. */
  allowPeers?: ReadonlySet<string>
  connections: { max: number; inboundPerSecond: number; dialTimeoutMs: number }
}

export async function createHost(init: HostInit): Promise<Host> {
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (init.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap }))
  if (init.mdns) peerDiscovery.push(mdns())

  const host = await createLibp2p({
    start: false,
    privateKey: init.peerKey,
    addresses: { listen: init.listen },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(init.swarmKey === undefined ? {} : { connectionProtector: preSharedKey({ psk: init.swarmKey }) }),
    ...(init.allowPeers === undefined ? {} : { connectionGater: allowListGater(init.allowPeers) }),
    connectionManager: {
      maxConnections: init.connections.max,
      inboundConnectionThreshold: init.connections.inboundPerSecond,
      dialTimeout: init.connections.dialTimeoutMs,
    },
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: dhtProtocol(init.network),
        clientMode: init.light,
        // Consortium LANs and local clusters use private addresses: keep them.
        peerInfoMapper: passthroughMapper,
      }),
      pubsub: gossipsub({
        // Market messages carry the sender's own Ed25519 signature, so gossipsub signs nothing
        // and identifies a message by the hash of its content.
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: (message) => createHash('sha256').update(message.data).digest(),
        floodPublish: false,
        allowPublishToZeroTopicPeers: true,
        D: 4,
        Dlo: 3,
        Dhi: 6,
        // REJECTed market messages lower their sender's score until it is pruned and graylisted.
        scoreParams: createPeerScoreParams({
          IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
          topics: marketTopicScoreParams(init.network),
        }),
      }),
    },
  })

  try {
    await host.start()
  } catch (err) {
    await Promise.resolve(host.stop()).catch(() => {})
    throw listenError(err, init.listen)
  }
  return host
}

function listenError(err: unknown, addrs: string[]): HostError {
  const text = `${describeError(err)} ${describeError((err as { cause?: unknown }).cause ?? '')}`
  if (/EADDRINUSE|address already in use/i.test(text)) {
    return new HostError(
      { code: 'LISTEN_ADDRESS_IN_USE', addrs },
      `cannot listen on ${addrs.join(', ')}: address already in use; pick another port with --listen or stop the process using it`,
      { cause: err },
    )
  }
  return new HostError(
    { code: 'LISTEN_FAILED', addrs },
    `cannot listen on ${addrs.join(', ')}: ${describeError(err)}`,
    { cause: err },
  )
}
