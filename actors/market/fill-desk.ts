// Answers /hcx/fill/1.0.0: only the maker's own node decides a fill. It checks the proposed
// trade against both signed orders and the taker's signature, reserves the quantity in one
// synchronous step (racing takers cannot both get it), co-signs, persists, and only then
// answers and gossips the fill. A full node forwards for its light clients.

import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../../errors/hcx-error.ts'
import {
  decodeFillRequest,
  decodeFillResponse,
  encodeExchange,
  type FillRefusal,
  type FillRequest,
  MARKET_PROTOCOLS,
} from '../../protocols/market/exchange-messages.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import {
  decodeTradeBody,
  messageId,
  SIGNING_DOMAINS,
  type SignedOrder,
  type SignedTrade,
  type TradeBody,
} from '../../protocols/market/messages.ts'
import { sameBytes } from '../../protocols/market/validate.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { exchangeLimits, type MarketContext } from './market-context.ts'
import { hex, type OrderEntry } from './market-state.ts'

const refuse = (code: FillRefusal, available = 0n) =>
  encodeExchange({ ok: false, code, available: Number(available) })

export async function answerFill(
  ctx: MarketContext,
  requestBytes: Uint8Array,
  requester: string,
): Promise<Uint8Array> {
  let request: FillRequest
  let trade: TradeBody
  try {
    request = decodeFillRequest(requestBytes)
    trade = decodeTradeBody(request.trade)
  } catch {
    return refuse('FILL_MALFORMED')
  }
  const maker = ctx.state.orders.get(hex(trade.maker))
  if (maker === undefined) return refuse('FILL_UNKNOWN_ORDER')
  if (!maker.own) return forwardFill(ctx, maker, requestBytes, request, requester)

  const { init, state, validator } = ctx
  const now = init.now()
  const takerOrder = validator.validateOrder(
    { bodyBytes: request.takerOrder[0], signature: request.takerOrder[1] },
    { fresh: false, record: false },
  )
  if (takerOrder.result !== 'accept') return refuse('FILL_BAD_TERMS')
  const refusal = termsRefusal(maker, takerOrder.value, trade, init.network, now)
  if (refusal !== undefined) return refuse(refusal)
  if (!validator.verifier.verify(trade.takerOwner, SIGNING_DOMAINS.trade, request.trade, request.takerSig)) {
    return refuse('FILL_BAD_SIGNATURE')
  }
  if (init.reputation(validator.verifier.peerId(trade.takerOwner)) < maker.order.body.minRep) {
    return refuse('FILL_REPUTATION')
  }
  const tradeId = messageId(request.trade)
  const known = ctx.ledger.get(tradeId)
  if (known !== undefined) return encodeExchange({ ok: true, makerSig: known.makerSignature })

  if (request.stage === 'release') {
    ctx.holds.release(tradeId)
    return encodeExchange({ ok: true, held: false })
  }
  // A held trade already carries its reservation (a commit takes it over); otherwise check
  // and reserve now, in one synchronous step.
  const held = request.stage === 'hold' ? ctx.holds.has(tradeId) : ctx.holds.take(tradeId)
  if (!held) {
    const available = state.available(maker, now)
    if (available < trade.qty) return refuse('FILL_UNAVAILABLE', available)
    state.reserve(maker, trade.qty, now)
    if (request.stage === 'hold') ctx.holds.place(tradeId, () => state.release(maker, trade.qty))
  }
  if (request.stage === 'hold') return encodeExchange({ ok: true, held: true })
  const signed: SignedTrade = {
    id: tradeId,
    body: trade,
    bodyBytes: request.trade,
    makerSignature: init.signer.sign(SIGNING_DOMAINS.trade, request.trade),
    takerSignature: request.takerSig,
  }
  let released = false
  const release = () => {
    if (!released) state.release(maker, trade.qty)
    released = true
  }
  try {
    await ctx.ledger.record(signed, release)
  } catch (err) {
    release()
    init.logger.error({ err: describeError(err) }, 'could not persist a fill; refused it')
    return refuse('FILL_BUSY')
  }
  ctx.publishTrade(signed)
  return encodeExchange({ ok: true, makerSig: signed.makerSignature })
}

/**
 * A full node answers for its light clients' orders by forwarding to them, and forwards
 * its light clients' own requests to the maker's node: never more than those two hops.
 */
async function forwardFill(
  ctx: MarketContext,
  maker: OrderEntry,
  requestBytes: Uint8Array,
  request: FillRequest,
  requester: string,
): Promise<Uint8Array> {
  let target: string | undefined
  if (maker.viaPeerId === ctx.peerId && maker.ownerPeerId !== requester) target = maker.ownerPeerId
  else if (ctx.clients.has(requester) && maker.viaPeerId !== ctx.peerId) target = maker.viaPeerId
  if (target === undefined) return refuse('FILL_NOT_ROUTABLE')
  try {
    const frames = await sendRequest(
      ctx.init.host,
      peerIdFromString(target),
      MARKET_PROTOCOLS.fill,
      requestBytes,
      exchangeLimits(ctx.init),
    )
    const answer = frames[0] ?? new Uint8Array(0)
    const response = decodeFillResponse(answer)
    if (response.ok && 'makerSig' in response && target === maker.ownerPeerId) {
      // A light client does not gossip; its gateway publishes the trade it co-signed.
      const outcome = ctx.validator.validateTrade(
        { bodyBytes: request.trade, makerSignature: response.makerSig, takerSignature: request.takerSig },
        { fresh: false },
      )
      if (outcome.result === 'accept') {
        await ctx.ledger.record(outcome.value)
        ctx.publishTrade(outcome.value)
      }
    }
    return answer
  } catch {
    return refuse('FILL_NOT_ROUTABLE')
  }
}

/** Why a maker refuses the proposed trade, if it does: it must match both signed orders. */
function termsRefusal(
  maker: OrderEntry,
  takerOrder: SignedOrder,
  trade: TradeBody,
  network: string,
  now: number,
): FillRefusal | undefined {
  const { body: m } = maker.order
  const { body: t } = takerOrder
  if (trade.net !== network || trade.inst !== m.inst || t.inst !== m.inst) return 'FILL_BAD_TERMS'
  if (hex(trade.taker) !== takerOrder.id || trade.takerSide !== t.side || t.side === m.side)
    return 'FILL_BAD_TERMS'
  if (trade.px !== m.px || (t.side === 'buy' ? t.px < m.px : t.px > m.px)) return 'FILL_BAD_TERMS'
  if (!sameBytes(trade.makerOwner, m.owner) || !sameBytes(trade.makerAcct, m.acct)) return 'FILL_BAD_TERMS'
  if (!sameBytes(trade.takerOwner, t.owner) || !sameBytes(trade.takerAcct, t.acct)) return 'FILL_BAD_TERMS'
  if (trade.qty > t.qty || Math.abs(trade.ts - now) > MARKET_LIMITS.freshnessMs) return 'FILL_BAD_TERMS'
  if (t.exp !== 0 && t.exp <= now) return 'FILL_BAD_TERMS'
  return undefined
}
