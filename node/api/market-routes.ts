// The control API's market routes: place and cancel orders, read a book and the trades,
// and follow book and trade events as a server-sent event stream. Prices and quantities
// are decimal strings here; below this edge they are integers.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Market } from '../../actors/market/market.ts'
import type { MarketEvent, TradeView } from '../../actors/market/market-types.ts'
import { parseDurationMs } from '../../config/duration.ts'
import { formatPrice, formatQuantity, parsePrice, parseQuantity } from '../../ledger/instruments/decimal.ts'
import { instrumentSpec, parseInstrumentId } from '../../ledger/instruments/instrument-id.ts'
import { answer as answerWith } from './answer.ts'

const placeSchema = z.strictObject({
  instrument: z.string().max(128),
  side: z.enum(['buy', 'sell']),
  price: z.string().max(40),
  qty: z.string().max(40),
  tif: z.enum(['gtc', 'ioc', 'fok']).default('gtc'),
  /** How long the order lives, e.g. `30s`, `10m`, `2h`. */
  expires: z.string().max(20).optional(),
  minReputation: z.number().int().min(0).max(10_000).optional(),
})

const STATUS_BY_CODE: Record<string, number> = {
  ORDER_NOT_FOUND: 404,
  MARKET_GATEWAY_UNREACHABLE: 502,
  MARKET_GATEWAY_REFUSED: 502,
}

/** Where a trade settled, if it has: its view then says `settled`, with the epoch and tx hash. */
export type SettlementLookup = (tradeId: string) => { epoch: number; txHash: string | null } | undefined

export function registerMarketRoutes(
  server: FastifyInstance,
  market: Market,
  now: () => number,
  settlementOf: SettlementLookup = () => undefined,
): void {
  server.post('/v1/orders', async (request, reply) => {
    const parsed = placeSchema.safeParse(request.body ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return badRequest(reply, 'API_BAD_ORDER', `${issue?.path.join('.') || 'body'}: ${issue?.message}`)
    }
    const body = parsed.data
    return answer(reply, async () => {
      const spec = instrumentSpec(parseInstrumentId(body.instrument))
      let expiresAt: number | undefined
      if (body.expires !== undefined) {
        const ms = parseDurationMs(body.expires)
        if (ms === undefined) {
          return badRequest(
            reply,
            'API_BAD_ORDER',
            `expires '${body.expires}' is not a duration like 30s, 10m or 2h`,
          )
        }
        expiresAt = now() + ms
      }
      const result = await market.place({
        instrument: body.instrument,
        side: body.side,
        price: parsePrice(body.price, spec),
        qty: parseQuantity(body.qty, spec),
        tif: body.tif,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(body.minReputation === undefined ? {} : { minReputation: body.minReputation }),
      })
      return {
        orderId: result.orderId,
        status: result.status,
        fills: result.fills.map((fill) => tradeJson(fill)),
      }
    })
  })

  server.delete<{ Params: { id: string } }>('/v1/orders/:id', async (request, reply) =>
    answer(reply, () => market.cancel(request.params.id)),
  )

  server.get<{ Params: { id: string } }>('/v1/orders/:id', async (request, reply) => {
    const status = market.orderStatus(request.params.id)
    if (status === undefined) {
      return reply
        .code(404)
        .send({ error: 'ORDER_NOT_FOUND', message: `no order ${request.params.id} is known here` })
    }
    // Quantities are whole class units: their decimal form is the integer itself.
    return { ...status, filled: status.filled.toString(), qty: status.qty.toString() }
  })

  server.get<{ Params: { instrument: string }; Querystring: { depth?: string } }>(
    '/v1/book/:instrument',
    async (request, reply) =>
      answer(reply, async () => {
        const depth = request.query.depth === undefined ? undefined : Number.parseInt(request.query.depth, 10)
        if (depth !== undefined && !(depth > 0)) {
          return badRequest(
            reply,
            'API_BAD_DEPTH',
            `depth '${request.query.depth}' is not a positive integer`,
          )
        }
        return bookJson(market, request.params.instrument, depth)
      }),
  )

  server.get<{ Querystring: { instrument?: string } }>('/v1/trades', async (request) =>
    market.tradeList(request.query.instrument).map((trade) => tradeJson(trade, settlementOf(trade.tradeId))),
  )

  server.get('/v1/capacity', async () =>
    market.capacity().map((advert) => ({ ...advert, at: new Date(advert.at).toISOString() })),
  )

  server.get('/v1/events', (request, reply) => streamEvents(market, request.raw, reply))
}

function bookJson(market: Market, instrument: string, depth?: number) {
  const spec = instrumentSpec(parseInstrumentId(instrument))
  const rows = (levels: Array<[bigint, bigint]>) =>
    levels.map(([price, qty]) => [formatPrice(price, spec), formatQuantity(qty, spec)])
  const book = market.depth(instrument, depth)
  return { bids: rows(book.bids), asks: rows(book.asks) }
}

export function tradeJson(trade: TradeView, settled?: ReturnType<SettlementLookup>) {
  const spec = instrumentSpec(parseInstrumentId(trade.instrument))
  return {
    ...(settled === undefined ? {} : { epoch: settled.epoch, txHash: settled.txHash }),
    tradeId: trade.tradeId,
    instrument: trade.instrument,
    price: formatPrice(trade.price, spec),
    qty: formatQuantity(trade.qty, spec),
    takerSide: trade.takerSide,
    makerOrderId: trade.makerOrderId,
    takerOrderId: trade.takerOrderId,
    maker: trade.maker,
    taker: trade.taker,
    makerAccount: trade.makerAccount,
    takerAccount: trade.takerAccount,
    state: settled === undefined ? trade.state : 'settled',
    at: new Date(trade.at).toISOString(),
    makerSignature: trade.makerSignature,
    takerSignature: trade.takerSignature,
  }
}

/** Server-sent events: `book` (top 10 levels) and `trade`, one JSON object per event. */
function streamEvents(market: Market, raw: import('node:http').IncomingMessage, reply: FastifyReply): void {
  reply.hijack()
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  reply.raw.write(': hcx market events\n\n')
  const send = (event: MarketEvent) => {
    if (event.type === 'trade') {
      reply.raw.write(`event: trade\ndata: ${JSON.stringify(tradeJson(event.trade))}\n\n`)
    } else if (event.type === 'book') {
      const book = bookJson(market, event.instrument, 10)
      const payload = { instrument: event.instrument, ...book, orderIds: event.orderIds ?? [] }
      reply.raw.write(`event: book\ndata: ${JSON.stringify(payload)}\n\n`)
    } else {
      reply.raw.write(`event: order\ndata: ${JSON.stringify(event)}\n\n`)
    }
  }
  market.events.on('event', send)
  raw.on('close', () => market.events.off('event', send))
}

function badRequest(reply: FastifyReply, code: string, message: string) {
  return reply.code(400).send({ error: code, message })
}

function answer(reply: FastifyReply, run: () => Promise<unknown>): Promise<unknown> {
  return answerWith(reply, run, STATUS_BY_CODE)
}
