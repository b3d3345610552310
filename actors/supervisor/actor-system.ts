// The node's actor system: the root supervisor plus the wiring around it — each child's
// latest checkpoint (kept in memory, persisted through the given store port, handed back at
// every restart) and a report of each actor's state.

import type { Logger } from 'pino'
import { type Actor, type ActorOptions, type AnyActorLogic, type AnyActorRef, createActor } from 'xstate'
import { describeError } from '../../errors/hcx-error.ts'
import { stateLabel } from '../state-label.ts'
import { SYSTEM_IDS } from '../system-ids.ts'
import { type ChildRecord, type RestartPolicy, supervisorMachine } from './supervisor.machine.ts'

export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>

export type SaveCheckpoint = (data: unknown) => void

export interface ActorDefinition {
  systemId: string
  logic: AnyActorLogic
  /** Builds the child's input from its last checkpoint (if any) and a function to save a new one. */
  input: (checkpoint: unknown, saveCheckpoint: SaveCheckpoint) => unknown
}

export interface CheckpointPort {
  load(): Promise<Map<string, unknown>>
  save(systemId: string, data: unknown): Promise<void>
}

export interface ActorSystemInit {
  actors: ActorDefinition[]
  checkpoints: CheckpointPort
  logger: Logger
  policy?: Partial<RestartPolicy>
  clock?: Clock
}

export interface ActorReport extends ChildRecord {
  state: string
  /** The actor's latest checkpoint, restored from the store at start. */
  checkpoint: unknown
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { baseMs: 500, maxMs: 30_000, stableAfterMs: 60_000 }

export class ActorSystem {
  private readonly init: ActorSystemInit
  private readonly latest = new Map<string, unknown>()
  private readonly pendingSaves = new Map<string, Promise<void>>()
  private root: Actor<typeof supervisorMachine> | undefined

  constructor(init: ActorSystemInit) {
    this.init = init
  }

  async start(): Promise<void> {
    if (this.root !== undefined) return
    for (const [systemId, data] of await this.init.checkpoints.load()) this.latest.set(systemId, data)
    const { logger } = this.init
    const machine = supervisorMachine.provide({
      actions: {
        reportFailure: (_, { systemId, error, restartInMs }) =>
          logger.error(
            { actor: systemId, err: describeError(error), restartInMs },
            'actor crashed; restarting',
          ),
      },
    })
    const children = this.init.actors.map((actor) => ({
      systemId: actor.systemId,
      logic: actor.logic,
      input: () =>
        actor.input(this.latest.get(actor.systemId), (data) => this.saveCheckpoint(actor.systemId, data)),
    }))
    this.root = createActor(machine, {
      systemId: SYSTEM_IDS.supervisor,
      input: { children, policy: { ...DEFAULT_RESTART_POLICY, ...this.init.policy } },
      ...(this.init.clock === undefined ? {} : { clock: this.init.clock }),
    })
    // The supervisor handles its children's errors; this only guards against a bug in itself.
    this.root.subscribe({ error: (err) => logger.fatal({ err: describeError(err) }, 'supervisor failed') })
    this.root.start()
  }

  /** Each actor's current state label, by systemId. */
  states(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.report()).map(([id, report]) => [id, report.state]))
  }

  report(): Record<string, ActorReport> {
    const out: Record<string, ActorReport> = {}
    if (this.root === undefined) return out
    const snapshot = this.root.getSnapshot()
    for (const [systemId, record] of Object.entries(snapshot.context.records)) {
      out[systemId] = {
        ...record,
        state: record.restarting ? 'restarting' : this.childState(systemId),
        checkpoint: this.latest.get(systemId) ?? null,
      }
    }
    return out
  }

  async stop(): Promise<void> {
    this.root?.stop()
    this.root = undefined
    await Promise.all(this.pendingSaves.values())
  }

  private childState(systemId: string): string {
    const children = (this.root?.getSnapshot().children ?? {}) as Record<string, AnyActorRef | undefined>
    const child = children[systemId]
    if (child === undefined) return 'stopped'
    const snapshot = child.getSnapshot() as { status: string; value?: unknown }
    if (snapshot.status !== 'active') return snapshot.status === 'error' ? 'failed' : snapshot.status
    return snapshot.value === undefined ? 'active' : stateLabel(snapshot.value as never)
  }

  private saveCheckpoint(systemId: string, data: unknown): void {
    this.latest.set(systemId, data)
    // Saves of one actor are chained, so an older checkpoint never lands after a newer one.
    const previous = this.pendingSaves.get(systemId) ?? Promise.resolve()
    const next = previous
      .then(() => this.init.checkpoints.save(systemId, data))
      .catch((err) =>
        this.init.logger.warn({ actor: systemId, err: describeError(err) }, 'checkpoint not saved'),
      )
    this.pendingSaves.set(systemId, next)
  }
}
