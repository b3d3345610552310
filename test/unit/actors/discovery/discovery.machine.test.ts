import { describe, expect, it } from 'vitest'
import { createActor, SimulatedClock } from 'xstate'
import {
  type DiscoverySettings,
  discoveryMachine,
  restoreStats,
} from '../../../../actors/discovery/discovery.machine.ts'
import type {
  ConnectionChange,
  DiscoveryNetwork,
  MaintainResult,
} from '../../../../actors/discovery/discovery-network.ts'

const settings: DiscoverySettings = {
  target: 3,
  maintainIntervalMs: 1_000,
  walkIntervalMs: 8_000,
  firstWalkDelayMs: 1_000,
  advertiseIntervalMs: 60_000,
  redialBaseMs: 500,
  redialMaxMs: 4_000,
  capacityClasses: [],
}

/** A network whose peers connect when dialled, as many as `reachable` allows. */
class FakeNetwork implements DiscoveryNetwork {
  connections = 0
  reachable = 10
  maintainCalls = 0
  walkCalls = 0
  newPeersPerWalk = 2
  provided: string[] = []
  private listener: ((change: ConnectionChange) => void) | undefined

  connectionCount(): number {
    return this.connections
  }
  async maintain(target: number): Promise<MaintainResult> {
    this.maintainCalls++
    const dialled = Math.max(0, target - this.connections)
    const reached = Math.min(dialled, this.reachable - this.connections)
    this.connections += reached
    return { connected: this.connections, dialled, failed: dialled - reached }
  }
  async walk(): Promise<number> {
    this.walkCalls++
    return this.newPeersPerWalk
  }
  async provide(capacityClass: string): Promise<void> {
    this.provided.push(capacityClass)
  }
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    this.listener = listener
    return () => {
      this.listener = undefined
    }
  }
  lose(peerId: string): void {
    this.connections--
    this.listener?.({ type: 'disconnected', peerId })
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function start(overrides: Partial<DiscoverySettings> = {}, checkpoint?: unknown) {
  const clock = new SimulatedClock()
  const network = new FakeNetwork()
  const checkpoints: unknown[] = []
  const actor = createActor(discoveryMachine, {
    clock,
    input: {
      settings: { ...settings, ...overrides },
      network,
      checkpoint,
      saveCheckpoint: (data) => checkpoints.push(data),
    },
  })
  actor.start()
  return { clock, network, actor, checkpoints }
}

describe('discovery actor', () => {
  it('dials up to its target at start and walks the DHT', async () => {
    const { network, actor } = start()
    await settle()
    expect(network.connections).toBe(3)
    expect(network.walkCalls).toBe(1)
    expect(actor.getSnapshot().context.stats).toMatchObject({ walks: 1, peersFound: 2, dials: 3 })
  })

  it('re-dials after losing a connection, once the redial delay has passed', async () => {
    const { clock, network } = start()
    await settle()
    const before = network.maintainCalls
    network.lose('peer-a')
    await settle()
    expect(network.connections).toBe(2)
    clock.increment(settings.redialBaseMs - 1)
    await settle()
    expect(network.maintainCalls).toBe(before)
    clock.increment(1)
    await settle()
    expect(network.maintainCalls).toBe(before + 1)
    expect(network.connections).toBe(3)
  })

  it('backs off exponentially while no peer can be reached', async () => {
    const { clock, network, actor } = start()
    await settle()
    network.reachable = 0
    network.newPeersPerWalk = 0
    network.connections = 1
    network.lose('peer-a')
    await settle()
    // Each failed round doubles the wait: 500, 1000, 2000, 4000 (the cap), 4000.
    for (const wait of [500, 1_000, 2_000, 4_000, 4_000]) {
      const calls = network.maintainCalls
      clock.increment(wait - 1)
      await settle()
      expect(network.maintainCalls).toBe(calls)
      clock.increment(1)
      await settle()
      expect(network.maintainCalls).toBe(calls + 1)
    }
    expect(actor.getSnapshot().context.redialAttempt).toBeGreaterThan(3)
  })

  it('walks often at first, then every walkIntervalMs', async () => {
    const { clock, network } = start()
    await settle()
    const times: number[] = []
    for (let t = 1; t <= 40_000; t += 500) {
      clock.increment(500)
      await settle()
      if (network.walkCalls > times.length + 1) times.push(t + 499)
    }
    // Delays 1 s, 2 s, 4 s, then the 8 s interval.
    expect(times.slice(0, 5)).toEqual([1_000, 3_000, 7_000, 15_000, 23_000])
  })

  it('advertises its capacity classes at start and again every advertiseIntervalMs', async () => {
    const { clock, network, actor } = start({ capacityClasses: ['cpu.x86', 'qpu.sim'] })
    await settle()
    expect(network.provided).toEqual(['cpu.x86', 'qpu.sim'])
    clock.increment(settings.advertiseIntervalMs)
    await settle()
    expect(network.provided).toHaveLength(4)
    expect(actor.getSnapshot().context.stats.advertisements).toBe(4)
  })

  it('checkpoints its counters and continues from a checkpoint after a restart', async () => {
    const first = start()
    await settle()
    const saved = first.checkpoints.at(-1)
    expect(saved).toMatchObject({ walks: 1, dials: 3 })
    first.actor.stop()

    const second = start({}, saved)
    await settle()
    expect(second.actor.getSnapshot().context.stats).toMatchObject({ walks: 2, peersFound: 4, dials: 6 })
  })

  it('ignores malformed checkpoint fields', () => {
    expect(restoreStats({ walks: -1, dials: 'x', peersFound: 7 })).toMatchObject({
      walks: 0,
      dials: 0,
      peersFound: 7,
    })
    expect(restoreStats(null).walks).toBe(0)
  })
})

describe('discovery actor, steady state', () => {
  it('keeps checking every maintainInterval after the target is met', async () => {
    const { clock, network } = start()
    await settle()
    network.connections = 1
    // No disconnect event: the periodic check alone must notice the drop.
    for (let i = 0; i < 3; i++) {
      clock.increment(settings.maintainIntervalMs)
      await settle()
    }
    expect(network.connections).toBe(3)
  })
})
