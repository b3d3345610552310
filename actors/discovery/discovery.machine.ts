// The discovery actor: keeps `target` connections open (re-dialling after a loss with
// exponential backoff), walks the DHT to meet more peers (often at first, then every
// walkIntervalMs), and keeps this node's capacity provider records fresh. Its counters are
// checkpointed so they survive a restart.

import { and, assign, enqueueActions, fromCallback, fromPromise, setup } from 'xstate'
import type { SaveCheckpoint } from '../supervisor/actor-system.ts'
import {
  type ConnectionChange,
  type DiscoveryNetwork,
  type DiscoveryStats,
  EMPTY_STATS,
  type MaintainResult,
} from './discovery-network.ts'

export interface DiscoverySettings {
  target: number
  maintainIntervalMs: number
  walkIntervalMs: number
  /** The first walks come sooner: 1 s, 2 s, 4 s ... up to walkIntervalMs. */
  firstWalkDelayMs: number
  advertiseIntervalMs: number
  redialBaseMs: number
  redialMaxMs: number
  capacityClasses: string[]
}

export interface DiscoveryInput {
  settings: DiscoverySettings
  network: DiscoveryNetwork
  checkpoint?: unknown
  saveCheckpoint?: SaveCheckpoint
}

export interface DiscoveryContext {
  settings: DiscoverySettings
  network: DiscoveryNetwork
  saveCheckpoint: SaveCheckpoint
  stats: DiscoveryStats
  /** Maintenance rounds in a row that ended below target without a new connection. */
  redialAttempt: number
  /** Walks since this actor started; paces the first walks. */
  walksThisRun: number
}

export type DiscoveryEvent =
  | { type: 'discovery.connection'; change: ConnectionChange }
  | { type: 'discovery.maintain' }

export function restoreStats(checkpoint: unknown): DiscoveryStats {
  if (typeof checkpoint !== 'object' || checkpoint === null) return { ...EMPTY_STATS }
  const stats = { ...EMPTY_STATS }
  for (const key of Object.keys(stats) as Array<keyof DiscoveryStats>) {
    const value = (checkpoint as Record<string, unknown>)[key]
    if (Number.isSafeInteger(value) && (value as number) >= 0) stats[key] = value as number
  }
  return stats
}

export const discoveryMachine = setup({
  types: {
    input: {} as DiscoveryInput,
    context: {} as DiscoveryContext,
    events: {} as DiscoveryEvent,
  },
  actors: {
    watchConnections: fromCallback<DiscoveryEvent, { network: DiscoveryNetwork }>(({ input, sendBack }) =>
      input.network.onConnectionChange((change) => sendBack({ type: 'discovery.connection', change })),
    ),
    maintainConnections: fromPromise<MaintainResult, { network: DiscoveryNetwork; target: number }>(
      ({ input, signal }) => input.network.maintain(input.target, signal),
    ),
    walkDht: fromPromise<number, { network: DiscoveryNetwork }>(({ input, signal }) =>
      input.network.walk(signal),
    ),
    advertiseCapacity: fromPromise<number, { network: DiscoveryNetwork; classes: string[] }>(
      async ({ input, signal }) => {
        for (const capacityClass of input.classes) await input.network.provide(capacityClass, signal)
        return input.classes.length
      },
    ),
  },
  delays: {
    maintainInterval: ({ context }) => context.settings.maintainIntervalMs,
    redialDelay: ({ context }) =>
      Math.min(context.settings.redialMaxMs, context.settings.redialBaseMs * 2 ** context.redialAttempt),
    walkDelay: ({ context }) =>
      Math.min(
        context.settings.walkIntervalMs,
        context.settings.firstWalkDelayMs * 2 ** (context.walksThisRun - 1),
      ),
    advertiseInterval: ({ context }) => context.settings.advertiseIntervalMs,
    advertiseRetry: ({ context }) =>
      Math.min(context.settings.advertiseIntervalMs, context.settings.redialMaxMs),
  },
  guards: {
    belowTarget: ({ context }) => context.network.connectionCount() < context.settings.target,
    lostConnection: ({ event }) =>
      event.type === 'discovery.connection' && event.change.type === 'disconnected',
    hasCapacityClasses: ({ context }) => context.settings.capacityClasses.length > 0,
  },
  actions: {
    checkpoint: ({ context }) => context.saveCheckpoint(context.stats),
    backOff: assign({ redialAttempt: ({ context }) => Math.min(context.redialAttempt + 1, 30) }),
    countDials: assign(({ context, event }) => {
      const { dialled, failed } = (event as unknown as { output: MaintainResult }).output
      return {
        stats: {
          ...context.stats,
          dials: context.stats.dials + dialled,
          dialFailures: context.stats.dialFailures + failed,
        },
      }
    }),
  },
}).createMachine({
  id: 'discovery',
  context: ({ input }) => ({
    settings: input.settings,
    network: input.network,
    saveCheckpoint: input.saveCheckpoint ?? (() => {}),
    stats: restoreStats(input.checkpoint),
    redialAttempt: 0,
    walksThisRun: 0,
  }),
  invoke: { src: 'watchConnections', input: ({ context }) => ({ network: context.network }) },
  type: 'parallel',
  states: {
    connections: {
      initial: 'maintaining',
      states: {
        idle: {
          // Re-entered when the target is met, so the check repeats every maintainInterval.
          after: {
            maintainInterval: [
              { target: 'maintaining', guard: 'belowTarget' },
              { target: 'idle', reenter: true },
            ],
          },
          on: {
            'discovery.connection': {
              target: 'waitingToRedial',
              guard: and(['lostConnection', 'belowTarget']),
            },
            'discovery.maintain': { target: 'maintaining', guard: 'belowTarget' },
          },
        },
        waitingToRedial: {
          after: { redialDelay: 'maintaining' },
          // Peers met on a DHT walk are worth a try before the backoff ends.
          on: { 'discovery.maintain': 'maintaining' },
        },
        maintaining: {
          invoke: {
            src: 'maintainConnections',
            input: ({ context }) => ({ network: context.network, target: context.settings.target }),
            onDone: [
              {
                // Below target and nothing gained: wait longer before the next round.
                guard: ({ context, event }) =>
                  event.output.connected < context.settings.target &&
                  event.output.dialled <= event.output.failed,
                target: 'waitingToRedial',
                actions: ['countDials', 'backOff', 'checkpoint'],
              },
              { target: 'idle', actions: ['countDials', assign({ redialAttempt: 0 }), 'checkpoint'] },
            ],
            onError: { target: 'waitingToRedial', actions: 'backOff' },
          },
        },
      },
    },
    walk: {
      initial: 'walking',
      states: {
        idle: { after: { walkDelay: 'walking' } },
        walking: {
          invoke: {
            src: 'walkDht',
            input: ({ context }) => ({ network: context.network }),
            onDone: {
              target: 'idle',
              actions: [
                assign(({ context, event }) => ({
                  walksThisRun: context.walksThisRun + 1,
                  stats: {
                    ...context.stats,
                    walks: context.stats.walks + 1,
                    peersFound: context.stats.peersFound + event.output,
                  },
                })),
                'checkpoint',
                // Newly met peers are dialled now rather than at the next maintenance tick.
                enqueueActions(({ event, enqueue }) => {
                  if (event.output > 0) enqueue.raise({ type: 'discovery.maintain' })
                }),
              ],
            },
            onError: {
              target: 'idle',
              actions: assign({ walksThisRun: ({ context }) => context.walksThisRun + 1 }),
            },
          },
        },
      },
    },
    advertise: {
      initial: 'checking',
      states: {
        checking: {
          always: [{ target: 'advertising', guard: 'hasCapacityClasses' }, { target: 'off' }],
        },
        off: { type: 'final' },
        idle: { after: { advertiseInterval: 'advertising' } },
        retrying: { after: { advertiseRetry: 'advertising' } },
        advertising: {
          invoke: {
            src: 'advertiseCapacity',
            input: ({ context }) => ({ network: context.network, classes: context.settings.capacityClasses }),
            onDone: {
              target: 'idle',
              actions: [
                assign({
                  stats: ({ context, event }) => ({
                    ...context.stats,
                    advertisements: context.stats.advertisements + event.output,
                  }),
                }),
                'checkpoint',
              ],
            },
            onError: 'retrying',
          },
        },
      },
    },
  },
})
