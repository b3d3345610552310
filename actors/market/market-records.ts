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
import { hex, type OrderEntry } from './market-state.ts'

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'))

export function orderRecord(entry: OrderEntry, now: number): StoredOrder {
  return {
    body: hex(entry.order.bodyBytes),
    signature: hex(entry.order.signature),
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
    body: hex(trade.bodyBytes),
    makerSignature: hex(trade.makerSignature),
    takerSignature: hex(trade.takerSignature),
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
    value: { body: hex(cancel.bodyBytes), signature: hex(cancel.signature) },
  }
}
