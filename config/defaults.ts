// Typed defaults for each role: a provider sells capacity, a full node keeps the network
// going, a light client dials out only and serves nothing.

import type { NodeConfig, Role } from './schema.ts'

type RoleDefaults = Omit<NodeConfig, 'dataDir' | 'role'>

const shared: RoleDefaults = {
  network: 'main',
  listen: ['/ip4/0.0.0.0/tcp/4101', '/ip4/0.0.0.0/tcp/4102/ws'],
  bootstrap: [],
  mdns: false,
  swarmKeyFile: null,
  allowPeersFile: null,
  api: { port: 0 },
  connections: { target: 16, max: 256, inboundPerSecond: 50, dialTimeoutMs: 5_000 },
  discovery: {
    maintainIntervalMs: 2_000,
    walkIntervalMs: 30_000,
    advertiseIntervalMs: 600_000,
    redialBaseMs: 1_000,
    redialMaxMs: 60_000,
  },
  capacity: { classes: [] },
  settlement: { rpcUrl: null, contractsFile: null, epochMs: 60_000, signTimeoutMs: 10_000 },
  log: { level: 'info' },
}

export const ROLE_DEFAULTS: Record<Role, RoleDefaults> = {
  full: shared,
  provider: { ...shared, capacity: { classes: ['cpu.x86', 'qpu.sim'] } },
  light: {
    ...shared,
    listen: [],
    connections: { ...shared.connections, target: 4, max: 32 },
  },
}

export const DEFAULT_ROLE: Role = 'full'
