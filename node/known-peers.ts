// Peers survive restarts: every identified peer's listen addresses are written to the store,
// and at start the remembered ones are put back into libp2p's peer store for discovery to dial.

import type { IdentifyResult, Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { describeError } from '../errors/hcx-error.ts'
import type { KnownPeer } from '../ledger/store/schema.ts'
import type { Store } from '../ledger/store/store.ts'

/** Oldest peers beyond this many are forgotten at start. */
export const MAX_KNOWN_PEERS = 1_000

export class KnownPeers {
  private readonly store: Store
  private readonly host: Libp2p
  private readonly logger: Logger
  private readonly now: () => number
  private listener: ((event: CustomEvent<IdentifyResult>) => void) | undefined

  constructor(init: { store: Store; host: Libp2p; logger: Logger; now: () => number }) {
    this.store = init.store
    this.host = init.host
    this.logger = init.logger
    this.now = init.now
  }

  async start(): Promise<void> {
    if (this.listener !== undefined) return
    await this.restore()
    this.listener = (event) => {
      this.remember(event.detail).catch((err) =>
        this.logger.warn({ err: describeError(err) }, 'could not remember a peer'),
      )
    }
    this.host.addEventListener('peer:identify', this.listener)
  }

  stop(): void {
    if (this.listener !== undefined) this.host.removeEventListener('peer:identify', this.listener)
    this.listener = undefined
  }

  private async restore(): Promise<void> {
    const entries = (await this.store.entries('peers')).sort(
      ([, a], [, b]) => b.lastConnectedAt - a.lastConnectedAt,
    )
    const forget = entries.slice(MAX_KNOWN_PEERS)
    await this.store.batch(forget.map(([key]) => ({ type: 'del', sublevel: 'peers', key })))
    for (const [id, peer] of entries.slice(0, MAX_KNOWN_PEERS)) {
      try {
        await this.host.peerStore.merge(peerIdFromString(id), {
          multiaddrs: peer.addrs.map((addr) => multiaddr(addr)),
        })
      } catch (err) {
        this.logger.debug({ peer: id, err: describeError(err) }, 'skipped a remembered peer')
      }
    }
  }

  private async remember(result: IdentifyResult): Promise<void> {
    const addrs = result.listenAddrs.map((addr) => addr.toString())
    if (addrs.length === 0) return
    const peer: KnownPeer = { addrs, lastConnectedAt: this.now() }
    await this.store.put('peers', result.peerId.toString(), peer)
  }
}
