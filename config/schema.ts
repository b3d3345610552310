// The node's one config schema. Every setting a component receives is declared, typed and
// bounded here; `loadConfig` validates the merged layers against it before anything starts.

import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { CAPACITY_CLASS_PATTERN } from '../ledger/instruments/capacity-class.ts'

export const ROLES = ['provider', 'full', 'light'] as const
export type Role = (typeof ROLES)[number]

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function isMultiaddr(value: string): boolean {
  try {
    multiaddr(value)
    return value.startsWith('/')
  } catch {
    return false
  }
}

const multiaddrString = z
  .string()
  .refine(isMultiaddr, { message: 'not a valid multiaddr; expected a form like /ip4/127.0.0.1/tcp/4101' })

const bootstrapAddr = multiaddrString.refine((value) => /\/p2p\/[1-9A-HJ-NP-Za-km-z]{32,}$/.test(value), {
  message: 'a bootstrap address must end in /p2p/<peer id>',
})

const millis = z.int().min(10).max(86_400_000)

export const nodeConfigSchema = z
  .strictObject({
    role: z.enum(ROLES),
    dataDir: z.string().min(1),
    network: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,31}$/,
        'expected 1-32 characters of a-z, 0-9 and -, starting with a letter or digit',
      ),
    listen: z.array(multiaddrString).max(16),
    bootstrap: z.array(bootstrapAddr).max(64),
    mdns: z.boolean(),
    swarmKeyFile: z.string().min(1).nullable(),
    allowPeersFile: z.string().min(1).nullable(),
    api: z.strictObject({
      port: z.int().min(0).max(65_535),
    }),
    connections: z.strictObject({
      /** Connections the discovery actor keeps open by dialling known peers. */
      target: z.int().min(0).max(1_000),
      /** Hard cap enforced by libp2p's connection manager. */
      max: z.int().min(1).max(10_000),
      /** Inbound connections accepted per second from one host. */
      inboundPerSecond: z.int().min(1).max(10_000),
      dialTimeoutMs: millis,
    }),
    discovery: z.strictObject({
      /** How often connections are checked against the target. */
      maintainIntervalMs: millis,
      /** How often a random DHT walk looks for more peers. */
      walkIntervalMs: millis,
      /** How often provider records for our capacity classes are renewed. */
      advertiseIntervalMs: millis,
      /** First delay before re-dialling a lost peer; doubles up to redialMaxMs. */
      redialBaseMs: millis,
      redialMaxMs: millis,
    }),
    capacity: z.strictObject({
      /** Capacity classes this node advertises as a provider. */
      classes: z
        .array(z.string().regex(CAPACITY_CLASS_PATTERN, 'expected a class like gpu.h100 or qpu.sim'))
        .max(64),
    }),
    settlement: z.strictObject({
      /** An existing chain; null runs the embedded one. */
      rpcUrl: z
        .url({ protocol: /^(https?|wss?)$/, error: 'expected an http(s):// or ws(s):// JSON-RPC URL' })
        .nullable(),
      /** The contract addresses on `rpcUrl`, as `hcx chain start --json` prints them. */
      contractsFile: z.string().min(1).nullable(),
      /** How often trades are netted and settled. */
      epochMs: z
        .int({ error: 'expected a duration such as 60s, 5m or 1h' })
        .min(1_000, 'an epoch must be at least 1s')
        .max(86_400_000, 'an epoch must be at most 1d'),
      /** How long a counterparty has to sign its net lines before its trades roll over. */
      signTimeoutMs: millis,
    }),
    log: z.strictObject({
      level: z.enum(LOG_LEVELS),
    }),
  })
  // A light client serves nothing, so it has nothing to listen on.
  .refine((config) => config.role !== 'light' || config.listen.length === 0, {
    path: ['listen'],
    message: 'a light client listens on nothing; remove --listen or choose --role full',
  })

  .refine((config) => (config.settlement.rpcUrl === null) === (config.settlement.contractsFile === null), {
    path: ['settlement', 'contractsFile'],
    message: 'give --rpc-url and --contracts together, or neither for the embedded chain',
  })

export type NodeConfig = z.infer<typeof nodeConfigSchema>
