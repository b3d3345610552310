// The capacity topic: a provider node announces the capacity classes it sells, signed, on
// a fixed beat; every full node keeps the latest announcement of each provider so buyers
// can see who sells what before an order exists.

import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger } from 'pino'
import { describeError } from '../../errors/hcx-error.ts'
import { ProtocolError } from '../../protocols/errors.ts'
import { type CapacityBody, encodeCapacityBody, SIGNING_DOMAINS } from '../../protocols/market/messages.ts'
import type { MarketValidator } from '../../protocols/market/validate.ts'
import { refuse } from '../../protocols/market/validation-codes.ts'
import { decodeCapacityMessage, encodeCapacityMessage } from '../../protocols/market/wire.ts'
import type { Signer } from '../../protocols/signing/ed25519.ts'
import type { IntakeOutcome } from './gossip-intake.ts'

export interface CapacityAdvert {
  peerId: string
  classes: string[]
  /** Unix ms of the announcement. */
  at: number
}

export interface CapacityBoardInit {
  pubsub: GossipSub
  topic: string
  network: string
  signer: Signer
  validator: MarketValidator
  /** The classes this node sells; empty for a node that sells nothing. */
  classes: string[]
  intervalMs: number
  now: () => number
  logger: Logger
}

export class CapacityBoard {
  private readonly init: CapacityBoardInit
  private readonly adverts = new Map<string, CapacityAdvert>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(init: CapacityBoardInit) {
    this.init = init
  }

  start(): void {
    if (this.init.classes.length === 0 || this.timer !== undefined) return
    this.timer = setInterval(() => this.announce(), this.init.intervalMs)
    // The first announcement waits for the gossip mesh to form.
    setTimeout(() => this.announce(), Math.min(2_000, this.init.intervalMs)).unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** The latest advert of every provider heard from within three beats, newest first. */
  list(): CapacityAdvert[] {
    const horizon = this.init.now() - 3 * this.init.intervalMs
    return [...this.adverts.values()].filter((advert) => advert.at >= horizon).sort((a, b) => b.at - a.at)
  }

  take(data: Uint8Array): IntakeOutcome {
    let raw: { bodyBytes: Uint8Array; signature: Uint8Array }
    try {
      raw = decodeCapacityMessage(data)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      return refuse(err.code === 'PROTOCOL_TOO_LARGE' ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_MALFORMED')
    }
    const outcome = this.init.validator.validateCapacity(raw)
    if (outcome.result !== 'accept') return outcome
    const peerId = this.init.validator.verifier.peerId(outcome.value.owner)
    const known = this.adverts.get(peerId)
    if (known === undefined || known.at < outcome.value.ts) {
      this.adverts.set(peerId, { peerId, classes: outcome.value.classes, at: outcome.value.ts })
    }
    return { result: 'accept' }
  }

  private announce(): void {
    const { signer, classes, network } = this.init
    const body: CapacityBody = { v: 1, net: network, owner: signer.publicKey, classes, ts: this.init.now() }
    const bodyBytes = encodeCapacityBody(body)
    const message = encodeCapacityMessage(bodyBytes, signer.sign(SIGNING_DOMAINS.capacity, bodyBytes))
    this.adverts.set(signer.peerId, { peerId: signer.peerId, classes, at: body.ts })
    this.init.pubsub.publish(this.init.topic, message).catch((err: unknown) => {
      this.init.logger.debug({ err: describeError(err) }, 'capacity announcement not published')
    })
  }
}
