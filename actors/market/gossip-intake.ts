// Market gossip coming in: each message (a publisher's batch) is validated item by item as
// gossipsub's topic validator, and what is accepted is applied at once. One bad item
// rejects the whole message: an honest publisher batches only its own valid items.

import { describeError } from '../../errors/hcx-error.ts'
import type { StoreOperation } from '../../ledger/store/store.ts'
import { ProtocolError } from '../../protocols/errors.ts'
import type { SignedCancel, SignedOrder, SignedTrade } from '../../protocols/market/messages.ts'
import {
  refuse,
  type ValidationCode,
  type ValidationResult,
} from '../../protocols/market/validation-codes.ts'
import { decodeOrderTopicMessage, decodeTradeTopicMessage } from '../../protocols/market/wire.ts'
import { addForeignOrder, type MarketContext } from './market-context.ts'
import { cancelRecord, orderStatusOp } from './market-records.ts'
import { hex } from './market-state.ts'

export type IntakeOutcome = { result: ValidationResult; code?: ValidationCode }

type Accepted = { kind: 'order'; order: SignedOrder } | { kind: 'cancel'; cancel: SignedCancel }

export function takeOrderMessage(ctx: MarketContext, data: Uint8Array): IntakeOutcome {
  const items = framed(() => decodeOrderTopicMessage(data))
  if ('result' in items) return items
  const accepted: Accepted[] = []
  let ignored: ValidationCode | undefined
  for (const item of items) {
    if (item.kind === 'order') {
      const outcome = ctx.validator.validateOrder(item)
      if (outcome.result === 'accept') accepted.push({ kind: 'order', order: outcome.value })
      else if (outcome.result === 'reject') return outcome
      else ignored = outcome.code
    } else {
      const outcome = ctx.validator.validateCancel(item)
      if (outcome.result === 'accept') accepted.push({ kind: 'cancel', cancel: outcome.value })
      else if (outcome.result === 'reject') return outcome
      else ignored = outcome.code
    }
  }
  if (accepted.length === 0) return ignoredOutcome(ignored)

  const now = ctx.init.now()
  const ops: StoreOperation[] = []
  const changed = new Map<string, string[]>()
  const touch = (instrument: string, orderId?: string) => {
    const ids = changed.get(instrument) ?? []
    if (orderId !== undefined) ids.push(orderId)
    changed.set(instrument, ids)
  }
  for (const item of accepted) {
    if (item.kind === 'order') {
      ops.push(orderStatusOp(addForeignOrder(ctx, item.order, now), now))
      touch(item.order.body.inst, item.order.id)
      ctx.taker.onCrossingOrder(item.order)
    } else {
      const orderId = hex(item.cancel.body.order)
      const entry = ctx.state.cancel(orderId)
      ops.push(cancelRecord(orderId, item.cancel))
      if (entry !== undefined) {
        ops.push(orderStatusOp(entry, now))
        touch(entry.order.body.inst)
      }
    }
  }
  // The book already shows it; a lost write is repaired by the next book sync.
  ctx.init.store.batch(ops).catch((err: unknown) => {
    ctx.init.logger.error({ err: describeError(err) }, 'could not persist gossiped orders')
  })
  for (const [instrument, orderIds] of changed) ctx.emit({ type: 'book', instrument, orderIds })
  return { result: 'accept' }
}

export function takeTradeMessage(ctx: MarketContext, data: Uint8Array): IntakeOutcome {
  const raws = framed(() => decodeTradeTopicMessage(data))
  if ('result' in raws) return raws
  const accepted: SignedTrade[] = []
  let ignored: ValidationCode | undefined
  for (const raw of raws) {
    const outcome = ctx.validator.validateTrade(raw)
    if (outcome.result === 'accept') {
      if (!ctx.state.hasTrade(outcome.value.id)) accepted.push(outcome.value)
    } else if (outcome.result === 'reject') return outcome
    else ignored = outcome.code
  }
  if (accepted.length === 0) return ignoredOutcome(ignored)
  for (const trade of accepted) {
    ctx.ledger.record(trade).catch((err: unknown) => {
      ctx.init.logger.error({ err: describeError(err) }, 'could not persist a gossiped trade')
    })
  }
  return { result: 'accept' }
}

/** A batch that does not even frame is the sender's fault: REJECT, so its score drops. */
function framed<T>(decode: () => T): T | IntakeOutcome {
  try {
    return decode()
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    return refuse(err.code === 'PROTOCOL_TOO_LARGE' ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_MALFORMED')
  }
}

function ignoredOutcome(code: ValidationCode | undefined): IntakeOutcome {
  return { result: 'ignore', ...(code === undefined ? {} : { code }) }
}
