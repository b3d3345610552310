// End-to-end tests of the market through the `hcx` command line: two real nodes (bin/hcx node
// start), B bootstrapped to A, on temporary data dirs and 127.0.0.1 only. Orders are placed,
// cancelled and left to expire with `hcx order`, and what each node shows is read back with
// `hcx book`, `hcx trades` and the control API's server-sent event stream.

import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanFailure, HcxProcesses, type RunningNode } from '../helpers/hcx-process.ts'
import { pollUntil, sleep } from '../helpers/poll.ts'

const STOP_TIMEOUT_MS = 5_000
const ORDER_ID = /^[0-9a-f]{64}$/
const SIGNATURE = /^[0-9a-f]{128}$/
/** Time for gossipsub to build its mesh once the two nodes are connected. */
const GOSSIP_MESH_MS = 2_000

// Each scenario trades its own instrument, so no scenario sees another's orders.
const H100 = 'SPOT:gpu.h100'
const A100 = 'SPOT:gpu.a100'
const B200 = 'SPOT:gpu.b200'
const X86 = 'SPOT:cpu.x86'

// This file's children and temporary dirs; afterAll ends and removes what a failed test left behind.
const hcx = new HcxProcesses('hcx-e2e-market-')

interface TradeJson {
  tradeId: string
  instrument: string
  price: string
  qty: string
  takerSide: string
  makerOrderId: string
  takerOrderId: string
  maker: string
  taker: string
  makerAccount: string
  takerAccount: string
  state: string
  at: string
  makerSignature: string
  takerSignature: string
}

interface PlaceJson {
  orderId: string
  status: 'open' | 'filled' | 'partial' | 'cancelled'
  fills: TradeJson[]
}

type Level = [price: string, qty: string]

interface BookJson {
  bids: Level[]
  asks: Level[]
}

interface BookEvent extends BookJson {
  instrument: string
  orderIds: string[]
}

interface StatusJson {
  peerId: string
  peers: Array<{ peerId: string }>
}

/** SIGTERM, and SIGKILL when the node has not exited within STOP_TIMEOUT_MS. */
async function stopNode(node: RunningNode | undefined): Promise<void> {
  if (node === undefined) return
  let timer: ReturnType<typeof setTimeout> | undefined
  const stopped = await Promise.race([
    node.stop('SIGTERM').then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)
    }),
  ])
  clearTimeout(timer)
  if (!stopped) await node.stop('SIGKILL')
}

function place(node: RunningNode, order: string[]): Promise<PlaceJson> {
  return hcx.json<PlaceJson>(['order', 'place', '--data-dir', node.dataDir, ...order])
}

function book(node: RunningNode, instrument: string): Promise<BookJson> {
  return hcx.json<BookJson>(['book', '--data-dir', node.dataDir, '--instrument', instrument])
}

function trades(node: RunningNode, instrument?: string): Promise<TradeJson[]> {
  return hcx.json<TradeJson[]>([
    'trades',
    '--data-dir',
    node.dataDir,
    ...(instrument === undefined ? [] : ['--instrument', instrument]),
  ])
}

function expectCosigned(trade: TradeJson): void {
  expect(trade.state).toBe('cosigned')
  expect(trade.makerSignature).toMatch(SIGNATURE)
  expect(trade.takerSignature).toMatch(SIGNATURE)
  expect(trade.makerSignature).not.toBe(trade.takerSignature)
}

interface SseEvent {
  event: string
  data: string
  /** Date.now() when the event was read. */
  at: number
  /** Its place in the stream: 0 for the first event. */
  seq: number
}

interface EventStream {
  events: SseEvent[]
  /** Resolves with the first event, past or future, that `match` accepts; rejects after `timeoutMs`. */
  waitFor: (what: string, match: (event: SseEvent) => boolean, timeoutMs: number) => Promise<SseEvent>
  close: () => void
}

/** Opens GET /v1/events with the bearer token and the URL that the node wrote into its data dir. */
async function openEvents(node: RunningNode): Promise<EventStream> {
  const { url } = JSON.parse(await readFile(join(node.dataDir, 'api.json'), 'utf8')) as { url: string }
  const token = (await readFile(join(node.dataDir, 'api-token'), 'utf8')).trim()
  const controller = new AbortController()
  // Only the opening is timed: the stream itself stays open until close().
  const opening = setTimeout(() => controller.abort(new Error('GET /v1/events: no answer in 10 s')), 10_000)
  const response = await fetch(`${url}/v1/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  }).finally(() => clearTimeout(opening))
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  if (response.body === null) throw new Error('the event stream has no body')

  const events: SseEvent[] = []
  const listeners = new Set<() => void>()
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  const readAll = async () => {
    let pending = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      pending += value
      let end = pending.indexOf('\n\n')
      while (end >= 0) {
        const block = pending.slice(0, end)
        pending = pending.slice(end + 2)
        end = pending.indexOf('\n\n')
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice('event: '.length)
          else if (line.startsWith('data: ')) data.push(line.slice('data: '.length))
        }
        // A block of comments only (`: hcx market events`) is no event.
        if (data.length > 0) events.push({ event, data: data.join('\n'), at: Date.now(), seq: events.length })
      }
      for (const listener of listeners) listener()
    }
  }
  // Ends with an abort error once close() is called.
  void readAll().catch(() => {})

  return {
    events,
    waitFor: (what, match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match)
          if (found === undefined) return false
          clearTimeout(timer)
          listeners.delete(listener)
          resolve(found)
          return true
        }
        const listener = () => void check()
        const timer = setTimeout(() => {
          listeners.delete(listener)
          reject(
            new Error(
              `${what}: no such event within ${timeoutMs} ms; saw ${events.map((e) => e.event).join(', ') || 'none'}`,
            ),
          )
        }, timeoutMs)
        if (!check()) listeners.add(listener)
      }),
    close: () => controller.abort(),
  }
}

let nodeA: RunningNode | undefined
let nodeB: RunningNode | undefined

/** The nodes started by beforeAll; a test that runs without them fails here. */
function nodes(): { a: RunningNode; b: RunningNode } {
  if (nodeA === undefined || nodeB === undefined) throw new Error('the two nodes did not start')
  return { a: nodeA, b: nodeB }
}

beforeAll(async () => {
  const [dirA, dirB] = await Promise.all([hcx.tempDir(), hcx.tempDir()])
  const a = await hcx.startNode(dirA)
  nodeA = a
  const bootstrap = a.ready.multiaddrs[0]
  if (bootstrap === undefined) throw new Error('node A listens on no address')
  const b = await hcx.startNode(dirB, ['--bootstrap', bootstrap])
  nodeB = b

  const sees = (node: RunningNode, other: RunningNode) =>
    pollUntil(
      `${node === a ? 'A' : 'B'} lists the other node among its peers`,
      () => hcx.json<StatusJson>(['status', '--data-dir', node.dataDir]),
      (status) => status.peers.some((peer) => peer.peerId === other.ready.peerId),
      10_000,
    )
  await Promise.all([sees(a, b), sees(b, a)])
  await sleep(GOSSIP_MESH_MS)
}, 40_000)

afterAll(async () => {
  await Promise.all([stopNode(nodeA), stopNode(nodeB)])
  await hcx.cleanup()
}, 20_000)

describe('a trade between two nodes', () => {
  it('a resting sell on A is taken by an ioc buy on B, and both nodes hold the co-signed trade', async () => {
    const { a, b } = nodes()
    const sell = await place(a, ['--instrument', H100, '--side', 'sell', '--price', '2.50', '--qty', '10'])
    expect(sell.orderId).toMatch(ORDER_ID)
    expect(sell.status).toBe('open')
    expect(sell.fills).toEqual([])

    const seen = await pollUntil(
      'B shows the sell of A',
      () => book(b, H100),
      (view) => view.asks.length > 0,
      5_000,
    )
    expect(seen).toEqual({ bids: [], asks: [['2.5000', '10']] })

    const buy = await place(b, [
      '--instrument',
      H100,
      '--side',
      'buy',
      '--price',
      '2.60',
      '--qty',
      '4',
      '--tif',
      'ioc',
    ])
    expect(buy.orderId).toMatch(ORDER_ID)
    expect(buy.status).toBe('filled')
    expect(buy.fills).toHaveLength(1)
    const fill = buy.fills[0] as TradeJson
    expect(fill).toMatchObject({
      instrument: H100,
      price: '2.5000',
      qty: '4',
      takerSide: 'buy',
      makerOrderId: sell.orderId,
      takerOrderId: buy.orderId,
      maker: a.ready.peerId,
      taker: b.ready.peerId,
    })
    expect(fill.tradeId).toMatch(ORDER_ID)
    expect(fill.makerAccount).toMatch(/^0x[0-9a-f]{40}$/)
    expect(fill.takerAccount).toMatch(/^0x[0-9a-f]{40}$/)
    expect(fill.makerAccount).not.toBe(fill.takerAccount)
    expect(Number.isNaN(Date.parse(fill.at))).toBe(false)
    expectCosigned(fill)

    const after: BookJson = { bids: [], asks: [['2.5000', '6']] }
    const [onA, onB, bookA, bookB] = await Promise.all([
      trades(a),
      trades(b, H100),
      book(a, H100),
      book(b, H100),
    ])
    for (const list of [onA, onB]) {
      expect(list.filter((trade) => trade.tradeId === fill.tradeId)).toEqual([fill])
      for (const trade of list) expectCosigned(trade)
    }
    expect(onB.every((trade) => trade.instrument === H100)).toBe(true)
    // Maker and taker both applied the trade before the taker's order place returned.
    expect(bookA).toEqual(after)
    expect(bookB).toEqual(after)
  })
})

describe('orders leaving the book', () => {
  /** A `book` event of X86 that lists `orderId` among the orders that just arrived by gossip. */
  const announces =
    (orderId: string) =>
    ({ event, data }: SseEvent): boolean =>
      event === 'book' && (JSON.parse(data) as BookEvent).orderIds.includes(orderId)
  const bookOf = (event: SseEvent) => JSON.parse(event.data) as BookEvent

  it('an order placed with --expires 2s leaves both books after about 2 s', async () => {
    const { a, b } = nodes()
    const [streamA, streamB] = await Promise.all([openEvents(a), openEvents(b)])
    try {
      const placedAt = Date.now()
      const order = await place(a, [
        '--instrument',
        X86,
        '--side',
        'sell',
        '--price',
        '0.123456',
        '--qty',
        '5',
        '--expires',
        '2s',
      ])
      expect(order.orderId).toMatch(ORDER_ID)
      expect(order.status).toBe('open')

      // Both nodes put it on their book: A when it was placed, B when it arrived by gossip.
      const resting: Level = ['0.123456', '5']
      const onBook = (event: SseEvent) =>
        event.event === 'book' && bookOf(event).instrument === X86 && bookOf(event).asks.length > 0
      const [shownA, shownB] = await Promise.all([
        streamA.waitFor('A shows the order', onBook, 5_000),
        streamB.waitFor('B shows the order', announces(order.orderId), 5_000),
      ])
      expect(bookOf(shownA).asks).toEqual([resting])
      expect(bookOf(shownB).asks).toEqual([resting])

      const emptied = (shown: SseEvent) => (event: SseEvent) =>
        event.seq > shown.seq &&
        event.event === 'book' &&
        bookOf(event).instrument === X86 &&
        bookOf(event).asks.length === 0
      const [goneA, goneB] = await Promise.all([
        streamA.waitFor('A drops the expired order', emptied(shownA), 6_000),
        streamB.waitFor('B drops the expired order', emptied(shownB), 6_000),
      ])
      // A stamped the expiry after placedAt and before it showed the order, so no node may drop it
      // sooner than 2 s after placedAt; expired orders are swept once a second.
      for (const gone of [goneA, goneB]) {
        expect(gone.at - placedAt).toBeGreaterThanOrEqual(2_000)
        expect(gone.at - shownA.at).toBeLessThan(4_500)
      }
      const [bookA, bookB] = await Promise.all([book(a, X86), book(b, X86)])
      expect(bookA.asks).toEqual([])
      expect(bookB.asks).toEqual([])
    } finally {
      streamA.close()
      streamB.close()
    }
  })

  it('order cancel takes a resting order off both books; only its own node can cancel it', async () => {
    const { a, b } = nodes()
    const streamB = await openEvents(b)
    let orderId = ''
    try {
      const order = await place(a, ['--instrument', X86, '--side', 'buy', '--price', '0.1', '--qty', '7'])
      orderId = order.orderId
      expect(order.status).toBe('open')
      const [shown, foreign] = await Promise.all([
        streamB.waitFor('B shows the bid of A', announces(order.orderId), 5_000),
        hcx.run(['order', 'cancel', '--data-dir', b.dataDir, order.orderId, '--json']),
      ])
      expect(bookOf(shown).bids).toEqual([['0.100000', '7']])
      expectCleanFailure(foreign, 'ORDER_NOT_FOUND', { exitCode: 1 })
    } finally {
      streamB.close()
    }

    const cancelled = await hcx.json<{ orderId: string; status: string }>([
      'order',
      'cancel',
      '--data-dir',
      a.dataDir,
      orderId,
    ])
    expect(cancelled).toEqual({ orderId, status: 'cancelled' })
    const noBids = (view: BookJson) => view.bids.length === 0
    const [bookA, bookB] = await Promise.all([
      book(a, X86),
      pollUntil('B drops the cancelled bid', () => book(b, X86), noBids, 5_000),
    ])
    expect(bookA.bids).toEqual([])
    expect(bookB.bids).toEqual([])
  })

  it('cancelling an order id that no node knows exits 1 with ORDER_NOT_FOUND', async () => {
    const { a } = nodes()
    const unknown = randomBytes(32).toString('hex')
    const result = await hcx.run(['order', 'cancel', '--data-dir', a.dataDir, unknown])
    expectCleanFailure(result, 'ORDER_NOT_FOUND', { exitCode: 1 })
    expect(result.stderr).toContain(unknown)
  })
})

describe('bad order input is refused with one error line', () => {
  const placeArgs = (dataDir: string, overrides: Record<string, string>) => {
    const options = { instrument: B200, side: 'sell', price: '2.5', qty: '1', ...overrides }
    return [
      'order',
      'place',
      '--data-dir',
      dataDir,
      ...Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]),
      '--json',
    ]
  }

  it('refuses each bad value by its code, and none of them reaches a book', async () => {
    const { a } = nodes()
    const [offTick, instrument, side, tif, fraction, badId] = await Promise.all([
      hcx.run(placeArgs(a.dataDir, { instrument: H100, price: '2.50005' })),
      hcx.run(placeArgs(a.dataDir, { instrument: 'SPOT:tpu.v5' })),
      hcx.run(placeArgs(a.dataDir, { side: 'hold' })),
      hcx.run(placeArgs(a.dataDir, { tif: 'day' })),
      hcx.run(placeArgs(a.dataDir, { qty: '1.5' })),
      hcx.run(['order', 'cancel', '--data-dir', a.dataDir, 'not-an-order-id', '--json']),
    ])

    expectCleanFailure(offTick, 'PRICE_INVALID')
    expect(offTick.stderr).toContain('2.50005')
    expectCleanFailure(instrument, 'INSTRUMENT_INVALID')
    expect(instrument.stderr).toContain('SPOT:tpu.v5')
    expectCleanFailure(fraction, 'QUANTITY_INVALID')
    expect(fraction.stderr).toContain('1.5')
    // Usage errors exit with 2, like the usage errors commander itself finds.
    expectCleanFailure(side, 'CLI_USAGE', { exitCode: 2 })
    expect(side.stderr).toContain('hold')
    expectCleanFailure(tif, 'CLI_USAGE', { exitCode: 2 })
    expect(tif.stderr).toContain('day')
    expectCleanFailure(badId, 'CLI_USAGE', { exitCode: 2 })
    expect(badId.stderr).toContain('not-an-order-id')

    expect(await book(a, B200)).toEqual({ bids: [], asks: [] })
  })
})

describe('the control API event stream', () => {
  it('sends book events as orders arrive and a trade event on both nodes when they trade', async () => {
    const { a, b } = nodes()
    const [streamA, streamB] = await Promise.all([openEvents(a), openEvents(b)])
    try {
      const sell = await place(a, ['--instrument', A100, '--side', 'sell', '--price', '1.25', '--qty', '3'])
      expect(sell.status).toBe('open')
      const arrived = await streamB.waitFor(
        'B announces the sell of A',
        ({ event, data }) =>
          event === 'book' && (JSON.parse(data) as BookEvent).orderIds.includes(sell.orderId),
        5_000,
      )
      expect(JSON.parse(arrived.data)).toEqual({
        instrument: A100,
        bids: [],
        asks: [['1.2500', '3']],
        orderIds: [sell.orderId],
      })

      const buy = await place(b, [
        '--instrument',
        A100,
        '--side',
        'buy',
        '--price',
        '1.25',
        '--qty',
        '3',
        '--tif',
        'fok',
      ])
      expect(buy.status).toBe('filled')
      const fill = buy.fills[0] as TradeJson
      expect(buy.fills).toHaveLength(1)

      const isTrade = ({ event, data }: SseEvent) =>
        event === 'trade' && (JSON.parse(data) as TradeJson).tradeId === fill.tradeId
      const [onA, onB] = await Promise.all([
        streamA.waitFor('A sends the trade', isTrade, 5_000),
        streamB.waitFor('B sends the trade', isTrade, 5_000),
      ])
      for (const event of [onA, onB]) {
        const trade = JSON.parse(event.data) as TradeJson
        expect(trade).toEqual(fill)
        expectCosigned(trade)
      }
      // The trade took all of the sell: each node then sends the book of A100 without it.
      const emptied =
        (trade: SseEvent) =>
        ({ event, data, seq }: SseEvent) => {
          if (event !== 'book' || seq < trade.seq) return false
          const view = JSON.parse(data) as BookEvent
          return view.instrument === A100 && view.asks.length === 0
        }
      await Promise.all([
        streamA.waitFor('A sends the emptied book', emptied(onA), 5_000),
        streamB.waitFor('B sends the emptied book', emptied(onB), 5_000),
      ])
    } finally {
      streamA.close()
      streamB.close()
    }
  })
})
