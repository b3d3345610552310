import type { Libp2p } from 'libp2p'
import type { Logger } from 'pino'
import type { RootedTrade } from '../../ledger/netting/epoch-root.ts'
import { accountAddress, nettableTrade } from '../../ledger/netting/from-trades.ts'
import type { ClearingClient } from '../../ledger/settlement/clearing-client.ts'
import type { Store } from '../../ledger/store/store.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import type { SettlementLedger } from './settlement-ledger.ts'

/** The market's co-signed trades, as the settlement actor reads them. */
export interface TradeSource {
  signedTrades(): Iterable<SignedTrade>
  signedTrade(tradeId: string): SignedTrade | undefined
}

export interface SettlementInit {
  host: Libp2p
  store: Store
  client: ClearingClient
  trades: TradeSource
  network: string
  /** This node's Ed25519 public key: the owner field of its orders. */
  ownerKey: Uint8Array
  /** The peer id of an order owner's public key. */
  peerIdOf(owner: Uint8Array): string
  signTimeoutMs: number
  /** The settlement beat; a counterparty that does not sign waits at least this long. */
  epochMs: number
  now(): number
  logger: Logger
}

/** What the proposer and the sign desk share. */
export interface SettlementContext extends SettlementInit {
  ledger: SettlementLedger
  /** Lowercase settlement address. */
  account: string
}

export interface EpochView {
  epoch: number
  /** `proposer` for epochs this node settles, `signer` for lines it signed in others'. */
  role: 'proposer' | 'signer'
  trades: number
  lines: number
  root: string
  txHash: string | null
  gasUsed: string | null
  state: string
  reason?: string
}

export function rootedTrade(trade: SignedTrade): RootedTrade {
  return { ...nettableTrade(trade.body), tradeId: trade.id }
}

/** Each trade is settled by its taker's node; the maker's node signs. */
export function isOwnTake(ctx: SettlementContext, trade: SignedTrade): boolean {
  return (
    accountAddress(trade.body.takerAcct) === ctx.account && sameBytes(trade.body.takerOwner, ctx.ownerKey)
  )
}

export function isOwnMake(ctx: SettlementContext, trade: SignedTrade): boolean {
  return (
    accountAddress(trade.body.makerAcct) === ctx.account && sameBytes(trade.body.makerOwner, ctx.ownerKey)
  )
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}
