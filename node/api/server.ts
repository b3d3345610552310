// The node's local control API: HTTP on 127.0.0.1 only, every request carrying the bearer
// token from the data dir. Routes are thin: they ask the node and return JSON.

import { timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Market } from '../../actors/market/market.ts'
import type { Settlement } from '../../actors/settlement/settlement.ts'
import type { ActorReport } from '../../actors/supervisor/actor-system.ts'
import { isCapacityClass } from '../../ledger/instruments/capacity-class.ts'
import type { ClearingClient } from '../../ledger/settlement/clearing-client.ts'
import { ApiError } from './errors.ts'
import { registerMarketRoutes } from './market-routes.ts'
import { registerSettlementRoutes } from './settlement-routes.ts'

export interface NodeStatus {
  peerId: string
  multiaddrs: string[]
  peers: Array<{ peerId: string; addrs: string[] }>
  actors: Record<string, string>
}

export interface ControlApiNode {
  status(): Promise<NodeStatus>
  actorReport(): Record<string, ActorReport>
  findProviders(capacityClass: string, options: { signal: AbortSignal; limit: number }): Promise<string[]>
  readonly market: Market
  readonly settlement: Settlement
  readonly clearing: ClearingClient
  now(): number
}

export interface ControlApiInit {
  node: ControlApiNode
  token: string
  port: number
}

const PROVIDER_LOOKUP_TIMEOUT_MS = 10_000

export class ControlApi {
  private readonly init: ControlApiInit
  private server: FastifyInstance | undefined
  private address = ''

  constructor(init: ControlApiInit) {
    this.init = init
  }

  get url(): string {
    return this.address
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return
    // Event streams never end on their own: closing the server must close them too.
    const server = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true })
    const expected = Buffer.from(`Bearer ${this.init.token}`)
    server.addHook('onRequest', async (request, reply) => {
      const given = Buffer.from(request.headers.authorization ?? '')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply.code(401).send({
          error: 'API_UNAUTHORIZED',
          message: 'missing or wrong bearer token; it is in the data dir, file api-token',
        })
      }
    })
    this.routes(server)
    try {
      await server.listen({ host: '127.0.0.1', port: this.init.port })
    } catch (err) {
      await server.close().catch(() => {})
      if ((err as { code?: string }).code === 'EADDRINUSE') {
        throw new ApiError(
          { code: 'API_PORT_IN_USE', port: this.init.port },
          `cannot serve the control API on 127.0.0.1:${this.init.port}: address already in use; pick another --api-port (0 picks a free one)`,
          { cause: err },
        )
      }
      throw err
    }
    const bound = server.server.address()
    if (bound === null || typeof bound === 'string') throw new Error('control API bound to no TCP port')
    this.address = `http://127.0.0.1:${bound.port}`
    this.server = server
  }

  async stop(): Promise<void> {
    await this.server?.close()
    this.server = undefined
  }

  private routes(server: FastifyInstance): void {
    const { node } = this.init
    registerMarketRoutes(
      server,
      node.market,
      () => node.now(),
      (id) => node.settlement.settlementOf(id),
    )
    registerSettlementRoutes(server, node.settlement, node.clearing)
    server.get('/v1/status', async () => node.status())
    server.get('/v1/actors', async () => node.actorReport())
    server.get<{ Params: { capacityClass: string }; Querystring: { limit?: string } }>(
      '/v1/providers/:capacityClass',
      async (request, reply) => {
        const { capacityClass } = request.params
        if (!isCapacityClass(capacityClass)) {
          return reply.code(400).send({
            error: 'API_BAD_CAPACITY_CLASS',
            message: `'${capacityClass}' is not a capacity class; expected a name like gpu.h100, cpu.x86 or qpu.sim`,
          })
        }
        const limit = Math.min(Math.max(Number.parseInt(request.query.limit ?? '20', 10) || 20, 1), 100)
        const providers = await node.findProviders(capacityClass, {
          signal: AbortSignal.timeout(PROVIDER_LOOKUP_TIMEOUT_MS),
          limit,
        })
        return { capacityClass, providers }
      },
    )
  }
}
