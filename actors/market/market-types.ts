// The market's public shapes: what it needs to run, what it takes and what it tells.

import type { Logger } from 'pino'
import type { Store } from '../../ledger/store/store.ts'
import type { Host } from '../../node/host/create-host.ts'
import type { Side, TimeInForce } from '../../protocols/market/messages.ts'
import type { Signer } from '../../protocols/signing/ed25519.ts'

export interface MarketInit {
  host: Host
  store: Store
  signer: Signer
  /** 20-byte settlement account address. */
  settlementAccount: Uint8Array
  network: string
  /** A light client keeps no book: it fetches one from its gateway and sends everything through it. */
  light: boolean
  /** The gateway full node of a light client: a multiaddr ending in /p2p/<peer id>. */
  gateway?: string
  now: () => number
  /** A random non-negative safe integer, for order nonces. */
  randomNonce: () => number
  reputation: (peerId: string) => number
  logger: Logger
  publishDelayMs?: number
  fillTimeoutMs?: number
  /** Capacity classes this node sells, announced on the capacity topic. */
  capacityClasses?: string[]
  capacityIntervalMs?: number
}

export interface PlaceOrderParams {
  instrument: string
  side: Side
  price: bigint
  qty: bigint
  tif: TimeInForce
  /** Unix ms; none when absent. */
  expiresAt?: number
  minReputation?: number
}

export type TradeState = 'matched' | 'cosigned' | 'settled'

export interface TradeView {
  tradeId: string
  instrument: string
  price: bigint
  qty: bigint
  takerSide: Side
  makerOrderId: string
  takerOrderId: string
  maker: string
  taker: string
  makerAccount: string
  takerAccount: string
  state: TradeState
  at: number
  makerSignature: string
  takerSignature: string
}

export type PlacedStatus = 'open' | 'partial' | 'filled' | 'cancelled' | 'expired'

export interface PlaceResult {
  orderId: string
  status: PlacedStatus
  fills: TradeView[]
}

export type MarketEvent =
  /** The book changed; `orderIds` lists orders that arrived by gossip with this change. */
  | { type: 'book'; instrument: string; orderIds?: string[] }
  | { type: 'trade'; trade: TradeView }
  | { type: 'order'; orderId: string; status: PlacedStatus }
