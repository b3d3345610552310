// Publishes market items on a gossip topic, batching what is published within a few
// milliseconds into one message: per-message costs of the gossip stack dominate.

import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger } from 'pino'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'

export class GossipPublisher<T> {
  private queue: T[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly pubsub: GossipSub
  private readonly topic: string
  private readonly encode: (items: T[]) => Uint8Array
  private readonly delayMs: number
  private readonly logger: Logger

  constructor(init: {
    pubsub: GossipSub
    topic: string
    encode: (items: T[]) => Uint8Array
    delayMs: number
    logger: Logger
  }) {
    this.pubsub = init.pubsub
    this.topic = init.topic
    this.encode = init.encode
    this.delayMs = init.delayMs
    this.logger = init.logger
  }

  publish(item: T): void {
    this.queue.push(item)
    if (this.queue.length >= MARKET_LIMITS.maxBatchItems) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs)
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, MARKET_LIMITS.maxBatchItems)
      this.pubsub.publish(this.topic, this.encode(items)).catch((err: unknown) => {
        this.logger.debug({ topic: this.topic, err: String(err) }, 'gossip publish failed')
      })
    }
  }

  stop(): void {
    this.flush()
  }
}
