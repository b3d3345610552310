// Assembles one hcx node from a validated config: keys -> store -> libp2p host -> actor
// system -> control API. Stops in reverse order; a failure half-way stops what had started.

import { randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import type { Connection } from '@libp2p/interface'
import type { Logger } from 'pino'
import { discoveryMachine } from '../actors/discovery/discovery.machine.ts'
import { Libp2pDiscoveryNetwork } from '../actors/discovery/libp2p-discovery-network.ts'
import { marketMachine } from '../actors/market/market.machine.ts'
import { Market, NEUTRAL_REPUTATION } from '../actors/market/market.ts'
import { settlementMachine } from '../actors/settlement/settlement.machine.ts'
import { Settlement } from '../actors/settlement/settlement.ts'
import {
  type ActorDefinition,
  type ActorReport,
  ActorSystem,
  type Clock,
} from '../actors/supervisor/actor-system.ts'
import type { RestartPolicy } from '../actors/supervisor/supervisor.machine.ts'
import { SYSTEM_IDS } from '../actors/system-ids.ts'
import type { NodeConfig } from '../config/schema.ts'
import { describeError } from '../errors/hcx-error.ts'
import { readContractsFile } from '../ledger/chain/contracts-file.ts'
import { storeJournal } from '../ledger/chain/store-journal.ts'
import { ClearingClient } from '../ledger/settlement/clearing-client.ts'
import { StoreError } from '../ledger/store/errors.ts'
import { Store } from '../ledger/store/store.ts'
import { SignatureVerifier, signerFromPeerKey } from '../protocols/signing/ed25519.ts'
import { loadOrCreateApiToken, removeApiEndpoint, writeApiEndpoint } from './api/api-files.ts'
import { ControlApi, type NodeStatus } from './api/server.ts'
import { readAllowList } from './host/allow-list.ts'
import { createHost, type Host } from './host/create-host.ts'
import { readSwarmKey } from './host/swarm-key.ts'
import { loadOrInitKeys, type NodeKeys } from './identity/keys.ts'
import { KnownPeers } from './known-peers.ts'

export interface HcxNodeInit {
  config: NodeConfig
  logger: Logger
  now?: () => number
  /** Extra actors to supervise beside the node's own (tests use this). */
  extraActors?: ActorDefinition[]
  restartPolicy?: Partial<RestartPolicy>
  clock?: Clock
}

type Stoppable = { name: string; stop: () => Promise<void> | void }

export class HcxNode {
  readonly keys: NodeKeys
  readonly config: NodeConfig
  private readonly host: Host
  private readonly actors: ActorSystem
  private readonly api: ControlApi
  private readonly discoveryNetwork: Libp2pDiscoveryNetwork
  readonly market: Market
  readonly settlement: Settlement
  readonly clearing: ClearingClient
  private readonly stack: Stoppable[]
  private readonly clock: () => number
  private stopping: Promise<void> | undefined

  private constructor(parts: {
    keys: NodeKeys
    config: NodeConfig
    host: Host
    actors: ActorSystem
    discoveryNetwork: Libp2pDiscoveryNetwork
    market: Market
    settlement: Settlement
    clearing: ClearingClient
    apiToken: string
    stack: Stoppable[]
    now: () => number
  }) {
    this.keys = parts.keys
    this.config = parts.config
    this.host = parts.host
    this.actors = parts.actors
    this.discoveryNetwork = parts.discoveryNetwork
    this.market = parts.market
    this.settlement = parts.settlement
    this.clearing = parts.clearing
    this.stack = parts.stack
    this.clock = parts.now
    this.api = new ControlApi({ node: this, token: parts.apiToken, port: parts.config.api.port })
  }

  static async start(init: HcxNodeInit): Promise<HcxNode> {
    const { config, logger } = init
    const now = init.now ?? Date.now
    const started: Stoppable[] = []
    try {
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
      const keys = await loadOrInitKeys(config.dataDir)
      // Consortium files are read before anything opens, so a bad path fails fast and clean.
      const swarmKey = config.swarmKeyFile === null ? undefined : await readSwarmKey(config.swarmKeyFile)
      const allowPeers =
        config.allowPeersFile === null ? undefined : await readAllowList(config.allowPeersFile)

      const store = await Store.open(`${config.dataDir}/store`)
      started.push({ name: 'store', stop: () => store.close() })
      await checkStoreOwner(store, keys, config, now)

      const host = await createHost({
        peerKey: keys.peerKey,
        network: config.network,
        light: config.role === 'light',
        listen: config.listen,
        bootstrap: config.bootstrap,
        mdns: config.mdns,
        ...(swarmKey === undefined ? {} : { swarmKey }),
        ...(allowPeers === undefined ? {} : { allowPeers }),
        connections: config.connections,
      })
      started.push({ name: 'host', stop: () => host.stop() })

      const knownPeers = new KnownPeers({ store, host, logger, now })
      await knownPeers.start()
      started.push({ name: 'known-peers', stop: () => knownPeers.stop() })

      const discoveryNetwork = new Libp2pDiscoveryNetwork({
        host,
        network: config.network,
        dialTimeoutMs: config.connections.dialTimeoutMs,
        now,
      })
      const signer = signerFromPeerKey(keys.peerKey)
      const market = new Market({
        host,
        store,
        signer,
        settlementAccount: Buffer.from(keys.address.slice(2), 'hex'),
        network: config.network,
        light: config.role === 'light',
        ...(config.bootstrap[0] === undefined ? {} : { gateway: config.bootstrap[0] }),
        now,
        randomNonce: () => randomInt(0, 2 ** 48 - 1),
        // Every peer holds the neutral score until reputation is kept.
        reputation: () => NEUTRAL_REPUTATION,
        logger: logger.child({ component: 'market' }),
        capacityClasses: config.role === 'provider' ? config.capacity.classes : [],
      })
      await market.start()
      started.push({ name: 'market', stop: () => market.stop() })

      const clearing = new ClearingClient(keys.address, async () =>
        (await import('../ledger/chain/connect.ts')).connectChain({
          settlementKey: keys.settlementKey,
          ...(config.settlement.rpcUrl === null || config.settlement.contractsFile === null
            ? { journal: await storeJournal(store) }
            : {
                rpcUrl: config.settlement.rpcUrl,
                contracts: readContractsFile(config.settlement.contractsFile),
              }),
          nowSeconds: () => Math.floor(now() / 1_000),
        }),
      )
      started.push({ name: 'chain', stop: () => clearing.close() })
      // A chain named on the command line is checked at start; the embedded one starts on first use.
      if (config.settlement.rpcUrl !== null) await clearing.session()
      const verifier = new SignatureVerifier()
      const settlement = new Settlement({
        host,
        store,
        client: clearing,
        trades: market,
        network: config.network,
        ownerKey: signer.publicKey,
        peerIdOf: (owner) => verifier.peerId(owner),
        signTimeoutMs: config.settlement.signTimeoutMs,
        epochMs: config.settlement.epochMs,
        now,
        logger: logger.child({ component: 'settlement' }),
      })
      await settlement.start()
      started.push({ name: 'settlement', stop: () => settlement.stop() })

      const actors = new ActorSystem({
        actors: [
          discoveryActor(config, discoveryNetwork),
          {
            systemId: SYSTEM_IDS.market,
            logic: marketMachine,
            input: () => ({ market, sweepIntervalMs: 1_000 }),
          },
          {
            systemId: SYSTEM_IDS.settlement,
            logic: settlementMachine,
            input: () => ({
              settlement,
              epochMs: config.settlement.epochMs,
              onError: (err: unknown) =>
                logger.warn({ err: describeError(err) }, 'epoch settlement failed; retrying next epoch'),
            }),
          },
          ...(init.extraActors ?? []),
        ],
        checkpoints: {
          load: async () => new Map((await store.entries('checkpoints')).map(([id, cp]) => [id, cp.data])),
          save: (systemId, data) => store.put('checkpoints', systemId, { savedAt: now(), data }),
        },
        logger: logger.child({ component: 'actors' }),
        ...(init.restartPolicy === undefined ? {} : { policy: init.restartPolicy }),
        ...(init.clock === undefined ? {} : { clock: init.clock }),
      })
      await actors.start()
      started.push({ name: 'actors', stop: () => actors.stop() })

      const apiToken = await loadOrCreateApiToken(config.dataDir)
      const node = new HcxNode({
        keys,
        config,
        host,
        actors,
        discoveryNetwork,
        market,
        settlement,
        clearing,
        apiToken,
        stack: started,
        now,
      })
      await node.api.start()
      started.push({ name: 'api', stop: () => node.api.stop() })
      await writeApiEndpoint(config.dataDir, { url: node.apiUrl, pid: process.pid })
      started.push({ name: 'api-endpoint', stop: () => removeApiEndpoint(config.dataDir) })
      return node
    } catch (err) {
      await stopAll(started, logger)
      throw err
    }
  }

  now(): number {
    return this.clock()
  }

  get peerId(): string {
    return this.host.peerId.toString()
  }

  get apiUrl(): string {
    return this.api.url
  }

  /** The libp2p host, for in-process tests and tools. */
  get libp2p(): Host {
    return this.host
  }

  multiaddrs(): string[] {
    return this.host.getMultiaddrs().map(String)
  }

  async status(): Promise<NodeStatus> {
    const byPeer = new Map<string, Connection[]>()
    for (const connection of this.host.getConnections()) {
      const id = connection.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), connection])
    }
    const peers = await Promise.all(
      [...byPeer].map(async ([peerId, connections]) => {
        // Listen addresses learnt through identify are dialable; remote addresses of inbound
        // connections are not, so they are only the fallback.
        const remotePeer = connections[0]?.remotePeer
        const known =
          remotePeer === undefined
            ? undefined
            : await this.host.peerStore.get(remotePeer).catch(() => undefined)
        const listen = known?.addresses.map((address) => address.multiaddr.toString()) ?? []
        return { peerId, addrs: listen.length > 0 ? listen : connections.map((c) => c.remoteAddr.toString()) }
      }),
    )
    return { peerId: this.peerId, multiaddrs: this.multiaddrs(), peers, actors: this.actors.states() }
  }

  actorReport(): Record<string, ActorReport> {
    return this.actors.report()
  }

  findProviders(capacityClass: string, options: { signal: AbortSignal; limit: number }): Promise<string[]> {
    return this.discoveryNetwork.findProviders(capacityClass, options)
  }

  async stop(logger?: Logger): Promise<void> {
    this.stopping ??= stopAll(this.stack, logger)
    await this.stopping
  }
}

function discoveryActor(config: NodeConfig, network: Libp2pDiscoveryNetwork): ActorDefinition {
  return {
    systemId: SYSTEM_IDS.discovery,
    logic: discoveryMachine,
    input: (checkpoint, saveCheckpoint) => ({
      network,
      checkpoint,
      saveCheckpoint,
      settings: {
        target: config.connections.target,
        maintainIntervalMs: config.discovery.maintainIntervalMs,
        walkIntervalMs: config.discovery.walkIntervalMs,
        firstWalkDelayMs: Math.min(1_000, config.discovery.walkIntervalMs),
        advertiseIntervalMs: config.discovery.advertiseIntervalMs,
        redialBaseMs: config.discovery.redialBaseMs,
        redialMaxMs: config.discovery.redialMaxMs,
        capacityClasses: config.role === 'provider' ? config.capacity.classes : [],
      },
    }),
  }
}

/** A data dir belongs to one peer id; a store written by another key is refused, not mixed. */
async function checkStoreOwner(
  store: Store,
  keys: NodeKeys,
  config: NodeConfig,
  now: () => number,
): Promise<void> {
  const meta = await store.get('meta', 'node')
  const peerId = keys.peerId.toString()
  if (meta === undefined) {
    await store.put('meta', 'node', { peerId, createdAt: now(), network: config.network })
    return
  }
  if (meta.peerId !== peerId) {
    throw new StoreError(
      { code: 'STORE_WRONG_NODE', path: store.path, expected: meta.peerId, found: peerId },
      `the store in ${config.dataDir} belongs to peer ${meta.peerId}, but the key in keys/peer.key is ${peerId}; restore that node's key or use a fresh --data-dir`,
    )
  }
}

async function stopAll(stack: Stoppable[], logger?: Logger): Promise<void> {
  for (const part of [...stack].reverse()) {
    try {
      await part.stop()
    } catch (err) {
      logger?.warn({ part: part.name, err: String(err) }, 'error while stopping')
    }
  }
  stack.length = 0
}
