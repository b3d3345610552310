// Conversions between the market's signed messages and their records in the store, and
// the store operations that must land together.

import type { StoredOrder, StoredTrade } from '../../ledger/store/schema.ts'
import type { StoreOperation } from '../../ledger/store/store.ts'
import {
  decodeOrderBody,
  decodeTradeBody,
  type SignedCancel,
  type SignedOrder,
  type SignedTrade,
} from '../../protocols/market/messages.ts'
import type { OrderEntry } from './market-state.ts'

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'))

export function orderRecord(entry: OrderEntry, now: number): StoredOrder {
  return {
    body: toHex(entry.order.bodyBytes),
    signature: toHex(entry.order.signature),
    own: entry.own,
    status: entry.status,
    receivedAt: now,
  }
}

export function orderFromRecord(id: string, record: StoredOrder): SignedOrder {
  const bodyBytes = fromHex(record.body)
  return { id, body: decodeOrderBody(bodyBytes), bodyBytes, signature: fromHex(record.signature) }
}

export function tradeRecord(trade: SignedTrade, state: StoredTrade['state'], now: number): StoredTrade {
  return {
    body: toHex(trade.bodyBytes),
    makerSignature: toHex(trade.makerSignature),
    takerSignature: toHex(trade.takerSignature),
    state,
    recordedAt: now,
  }
}

export function tradeFromRecord(id: string, record: StoredTrade): SignedTrade {
  const bodyBytes = fromHex(record.body)
  return {
    id,
    body: decodeTradeBody(bodyBytes),
    bodyBytes,
    makerSignature: fromHex(record.makerSignature),
    takerSignature: fromHex(record.takerSignature),
  }
}

/** The status change of an order, as a store operation (its record is rewritten whole). */
export function orderStatusOp(entry: OrderEntry, now: number): StoreOperation {
  return { type: 'put', sublevel: 'orders', key: entry.order.id, value: orderRecord(entry, now) }
}

/** A signed cancel, kept by the id of the order it cancels. */
export function cancelRecord(orderId: string, cancel: SignedCancel): StoreOperation {
  return {
    type: 'put',
    sublevel: 'cancels',
    key: orderId,
    value: { body: toHex(cancel.bodyBytes), signature: toHex(cancel.signature) },
  }
}
