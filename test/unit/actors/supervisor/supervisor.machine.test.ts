import { describe, expect, it } from 'vitest'
import { type AnyActorRef, createActor, createMachine, SimulatedClock } from 'xstate'
import { restartDelay, supervisorMachine } from '../../../../actors/supervisor/supervisor.machine.ts'

const policy = { baseMs: 100, maxMs: 1_000, stableAfterMs: 5_000 }

/** A child that throws from an action whenever it receives `crash`. */
const crasher = createMachine({
  id: 'crasher',
  initial: 'up',
  states: {
    up: {
      on: {
        crash: {
          actions: () => {
            throw new Error('boom')
          },
        },
      },
    },
  },
})
const steady = createMachine({ id: 'steady', initial: 'working', states: { working: {} } })

function startSupervisor() {
  const clock = new SimulatedClock()
  const starts = { crasher: 0 }
  const root = createActor(supervisorMachine, {
    clock,
    input: {
      policy,
      children: [
        {
          systemId: 'crasher',
          logic: crasher,
          input: () => {
            starts.crasher++
            return undefined
          },
        },
        { systemId: 'steady', logic: steady },
      ],
    },
  })
  root.start()
  const child = (id: string) => root.system.get(id) as AnyActorRef | undefined
  const record = (id: string) => root.getSnapshot().context.records[id]
  return { clock, root, child, record, starts }
}

describe('supervisor', () => {
  it('restarts a child that throws after a backoff, and keeps its siblings running', () => {
    const { clock, root, child, record, starts } = startSupervisor()
    expect(starts.crasher).toBe(1)

    child('crasher')?.send({ type: 'crash' })
    expect(record('crasher')).toMatchObject({ restarting: true, streak: 1, lastError: 'boom', restarts: 0 })
    expect(root.getSnapshot().status).toBe('active')
    expect(child('steady')?.getSnapshot().status).toBe('active')

    clock.increment(policy.baseMs - 1)
    expect(starts.crasher).toBe(1)
    clock.increment(1)
    expect(starts.crasher).toBe(2)
    expect(record('crasher')).toMatchObject({ restarting: false, restarts: 1 })
    expect(child('crasher')?.getSnapshot().status).toBe('active')
  })

  it('doubles the backoff on repeated crashes and resets it once the child stays up', () => {
    const { clock, child, record, starts } = startSupervisor()
    child('crasher')?.send({ type: 'crash' })
    clock.increment(100)
    child('crasher')?.send({ type: 'crash' })
    expect(record('crasher')?.streak).toBe(2)
    clock.increment(199)
    expect(starts.crasher).toBe(2)
    clock.increment(1)
    expect(starts.crasher).toBe(3)

    clock.increment(policy.stableAfterMs)
    expect(record('crasher')?.streak).toBe(0)
    child('crasher')?.send({ type: 'crash' })
    clock.increment(100)
    expect(starts.crasher).toBe(4)
    expect(record('crasher')?.restarts).toBe(3)
  })

  it('caps the backoff at maxMs', () => {
    expect(restartDelay(policy, 1)).toBe(100)
    expect(restartDelay(policy, 3)).toBe(400)
    expect(restartDelay(policy, 20)).toBe(1_000)
  })
})
