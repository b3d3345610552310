// The root supervisor: spawns the node's actors by systemId and, when one crashes, records
// why and restarts it after an exponential backoff. A child that then stays up for
// `stableAfterMs` has its backoff reset. One actor's failure never stops the others.

import { type AnyActorLogic, assign, enqueueActions, setup } from 'xstate'

export interface ChildSpec {
  systemId: string
  logic: AnyActorLogic
  /** Called at every (re)start, so a restarted child gets its latest checkpoint. */
  input?: () => unknown
}

export interface RestartPolicy {
  baseMs: number
  maxMs: number
  stableAfterMs: number
}

export interface ChildRecord {
  restarts: number
  /** Failures since the child was last stable; drives the backoff. */
  streak: number
  lastError: string | null
  restarting: boolean
}

export interface SupervisorInput {
  children: ChildSpec[]
  policy: RestartPolicy
}

export interface SupervisorContext extends SupervisorInput {
  records: Record<string, ChildRecord>
}

export type SupervisorEvent =
  | { type: 'supervisor.start'; systemId: string }
  | { type: 'supervisor.restart'; systemId: string }
  | { type: 'supervisor.stable'; systemId: string }
  | { type: `xstate.error.actor.${string}`; error: unknown }

export function restartDelay(policy: RestartPolicy, streak: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, streak - 1))
}

const ERROR_PREFIX = 'xstate.error.actor.'

export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  // Children are given at run time, so their logic is not known by name here.
  actors: {} as Record<string, AnyActorLogic>,
  actions: {
    /** Named so the node can log failures; a no-op by default. */
    reportFailure: (_, _params: { systemId: string; error: unknown; restartInMs: number }) => {},
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    ...input,
    records: Object.fromEntries(
      input.children.map((child) => [
        child.systemId,
        { restarts: 0, streak: 0, lastError: null, restarting: false },
      ]),
    ),
  }),
  entry: enqueueActions(({ context, enqueue }) => {
    for (const child of context.children)
      enqueue.raise({ type: 'supervisor.start', systemId: child.systemId })
  }),
  on: {
    'xstate.error.actor.*': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const systemId = event.type.slice(ERROR_PREFIX.length)
        const record = context.records[systemId]
        if (record === undefined || record.restarting) return
        const streak = record.streak + 1
        const restartInMs = restartDelay(context.policy, streak)
        const error = 'error' in event ? event.error : undefined
        enqueue.assign({
          records: {
            ...context.records,
            [systemId]: {
              restarts: record.restarts,
              streak,
              lastError: error instanceof Error ? error.message : String(error),
              restarting: true,
            },
          },
        })
        enqueue.cancel(`stable:${systemId}`)
        enqueue.stopChild(systemId)
        enqueue({ type: 'reportFailure', params: { systemId, error, restartInMs } })
        enqueue.raise(
          { type: 'supervisor.restart', systemId },
          { id: `restart:${systemId}`, delay: restartInMs },
        )
      }),
    },
    'supervisor.restart': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const record = context.records[event.systemId]
        if (record === undefined) return
        enqueue.assign({
          records: {
            ...context.records,
            [event.systemId]: { ...record, restarts: record.restarts + 1, restarting: false },
          },
        })
        enqueue.raise({ type: 'supervisor.start', systemId: event.systemId })
      }),
    },
    'supervisor.start': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const child = context.children.find((c) => c.systemId === event.systemId)
        if (child === undefined) return
        enqueue.spawnChild(child.logic, {
          id: child.systemId,
          systemId: child.systemId,
          input: child.input?.(),
        })
        enqueue.raise(
          { type: 'supervisor.stable', systemId: child.systemId },
          { id: `stable:${child.systemId}`, delay: context.policy.stableAfterMs },
        )
      }),
    },
    'supervisor.stable': {
      actions: assign({
        records: ({ context, event }) => {
          const record = context.records[event.systemId]
          return record === undefined
            ? context.records
            : { ...context.records, [event.systemId]: { ...record, streak: 0 } }
        },
      }),
    },
  },
})
