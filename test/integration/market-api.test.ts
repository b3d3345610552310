import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readApiToken } from '../../node/api/api-files.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import { TestCluster } from '../helpers/test-node.ts'

describe('the market routes of the control API', () => {
  const cluster = new TestCluster()
  let node: HcxNode
  let call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: unknown }>

  beforeAll(async () => {
    node = await cluster.start()
    const token = await readApiToken(node.config.dataDir)
    call = async (method, path, body) => {
      const response = await fetch(`${node.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: response.status, json: await response.json() }
    }
  })
  afterAll(() => cluster.stopAll())

  it('places, reports, shows and cancels an order with decimal strings at the edge', async () => {
    const placed = await call('POST', '/v1/orders', {
      instrument: 'SPOT:gpu.h100',
      side: 'buy',
      price: '2.5',
      qty: '3',
      expires: '10m',
    })
    expect(placed.status).toBe(200)
    const { orderId, status, fills } = placed.json as { orderId: string; status: string; fills: unknown[] }
    expect([status, fills]).toEqual(['open', []])
    expect((await call('GET', `/v1/orders/${orderId}`)).json).toEqual({
      orderId,
      status: 'open',
      filled: '0',
      qty: '3',
    })
    expect((await call('GET', '/v1/book/SPOT:gpu.h100?depth=5')).json).toEqual({
      bids: [['2.5000', '3']],
      asks: [],
    })
    expect((await call('DELETE', `/v1/orders/${orderId}`)).json).toEqual({ orderId, status: 'cancelled' })
    expect((await call('GET', '/v1/book/SPOT:gpu.h100')).json).toEqual({ bids: [], asks: [] })
    expect((await call('GET', '/v1/trades')).json).toEqual([])
  })

  it('refuses bad orders with a named error and status 400 or 404', async () => {
    const cases: Array<[unknown, string]> = [
      [{ instrument: 'SPOT:gpu.h100', side: 'buy', price: '2.50005', qty: '1' }, 'PRICE_INVALID'],
      [{ instrument: 'SPOT:tpu.v5', side: 'buy', price: '1', qty: '1' }, 'INSTRUMENT_INVALID'],
      [{ instrument: 'SPOT:gpu.h100', side: 'hold', price: '1', qty: '1' }, 'API_BAD_ORDER'],
      [{ instrument: 'SPOT:gpu.h100', side: 'buy', price: '1', qty: '1', expires: 'soon' }, 'API_BAD_ORDER'],
    ]
    for (const [body, code] of cases) {
      const refused = await call('POST', '/v1/orders', body)
      expect(refused.status).toBe(400)
      expect((refused.json as { error: string }).error).toBe(code)
    }
    const missing = await call('DELETE', `/v1/orders/${'0'.repeat(64)}`)
    expect([missing.status, (missing.json as { error: string }).error]).toEqual([404, 'ORDER_NOT_FOUND'])
    const depth = await call('GET', '/v1/book/SPOT:gpu.h100?depth=0')
    expect([depth.status, (depth.json as { error: string }).error]).toEqual([400, 'API_BAD_DEPTH'])
  })

  it('streams book events and still stops at once with a stream open', async () => {
    const token = await readApiToken(node.config.dataDir)
    const response = await fetch(`${node.apiUrl}/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    await call('POST', '/v1/orders', { instrument: 'SPOT:cpu.x86', side: 'sell', price: '3', qty: '2' })
    let text = ''
    while (!text.includes('event: book')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toContain('"asks":[["3.000000","2"]]')
    const started = Date.now()
    await cluster.stopAll()
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
