// /hcx/submit/1.0.0: a light client hands its signed orders and cancels to the full node
// it chose; that node checks them like gossip, keeps them in its book and publishes them.
// Orders name the gateway (`via`), so fill requests for them come to it and are forwarded.

import {
  decodeSubmitRequest,
  decodeSubmitResponse,
  encodeExchange,
  MARKET_PROTOCOLS,
  type SubmitRequest,
} from '../../protocols/market/exchange-messages.ts'
import { sameBytes } from '../../protocols/market/validate.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { MarketError } from './errors.ts'
import { addForeignOrder, exchangeLimits, type MarketContext } from './market-context.ts'
import { cancelRecord, orderRecord, orderStatusOp } from './market-records.ts'
import { hex } from './market-state.ts'

const answer = (ok: boolean, code?: string) => encodeExchange({ ok, ...(code === undefined ? {} : { code }) })

export async function answerSubmit(
  ctx: MarketContext,
  requestBytes: Uint8Array,
  requester: string,
): Promise<Uint8Array> {
  let request: SubmitRequest
  try {
    request = decodeSubmitRequest(requestBytes)
  } catch {
    return answer(false, 'MESSAGE_MALFORMED')
  }
  ctx.clients.add(requester)
  const { init, validator } = ctx
  const now = init.now()
  if ('order' in request) {
    const [bodyBytes, signature] = request.order
    const outcome = validator.validateOrder({ bodyBytes, signature })
    if (outcome.result !== 'accept') return answer(false, outcome.code)
    const order = outcome.value
    if (order.body.via === undefined || !sameBytes(order.body.via, init.signer.publicKey)) {
      return answer(false, 'SUBMIT_NOT_VIA_THIS_NODE')
    }
    const entry = addForeignOrder(ctx, order, now)
    await init.store.put('orders', order.id, orderRecord(entry, now))
    ctx.publishOrder(order)
    ctx.emit({ type: 'book', instrument: order.body.inst, orderIds: [order.id] })
    return answer(true)
  }
  const [bodyBytes, signature] = request.cancel
  const outcome = validator.validateCancel({ bodyBytes, signature })
  if (outcome.result !== 'accept') return answer(false, outcome.code)
  const orderId = hex(outcome.value.body.order)
  const entry = ctx.state.cancel(orderId)
  await init.store.batch([
    cancelRecord(orderId, outcome.value),
    ...(entry === undefined ? [] : [orderStatusOp(entry, now)]),
  ])
  ctx.publishOrder(outcome.value)
  if (entry !== undefined) ctx.emit({ type: 'book', instrument: entry.order.body.inst })
  return answer(true)
}

/** A light client's side: hands a signed order or cancel to its gateway. */
export async function submitToGateway(ctx: MarketContext, request: SubmitRequest): Promise<void> {
  const gateway = ctx.gatewayPeer
  if (gateway === undefined) throw new Error('only a light client submits through a gateway')
  const frames = await sendRequest(
    ctx.init.host,
    gateway,
    MARKET_PROTOCOLS.submit,
    encodeExchange(request),
    exchangeLimits(ctx.init),
  ).catch((err: unknown) => {
    throw new MarketError(
      { code: 'MARKET_GATEWAY_UNREACHABLE' },
      `cannot reach the gateway ${gateway}: ${(err as Error).message}; check that it runs and --bootstrap points at it`,
    )
  })
  const response = decodeSubmitResponse(frames[0] ?? new Uint8Array(0))
  if (!response.ok) {
    throw new MarketError(
      { code: 'MARKET_GATEWAY_REFUSED', reason: response.code ?? 'unknown' },
      `the gateway refused the ${'order' in request ? 'order' : 'cancel'}: ${response.code ?? 'no reason given'}`,
    )
  }
}
