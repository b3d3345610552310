import { describe, expect, it } from 'vitest'
import { createActor, SimulatedClock } from 'xstate'
import { type MarketPort, marketMachine } from '../../../../actors/market/market.machine.ts'

const SWEEP_MS = 1_000

/** A market that counts its calls; each step can be made to fail or to hang until released. */
class FakeMarket implements MarketPort {
  starts = 0
  sweeps = 0
  failStart = false
  failSweep = false
  holdSweeps = false
  private pendingSweep: (() => void) | undefined

  async start(): Promise<void> {
    this.starts++
    if (this.failStart) throw new Error('store is locked')
  }

  sweepExpired(): Promise<void> {
    this.sweeps++
    if (this.failSweep) return Promise.reject(new Error('disk full'))
    if (!this.holdSweeps) return Promise.resolve()
    return new Promise((resolve) => {
      this.pendingSweep = resolve
    })
  }

  finishSweep(): void {
    this.pendingSweep?.()
    this.pendingSweep = undefined
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function start(market = new FakeMarket()) {
  const clock = new SimulatedClock()
  const errors: unknown[] = []
  const actor = createActor(marketMachine, { clock, input: { market, sweepIntervalMs: SWEEP_MS } })
  // The supervisor observes errors; without an observer xstate reports them as unhandled.
  actor.subscribe({ error: (err) => errors.push(err) })
  actor.start()
  return { clock, market, actor, errors }
}

describe('market actor', () => {
  it('starts the market once, then sweeps expired orders every sweepIntervalMs', async () => {
    const { clock, market, actor } = start()
    await settle()
    expect(market.starts).toBe(1)
    expect(market.sweeps).toBe(0)

    clock.increment(SWEEP_MS - 1)
    await settle()
    expect(market.sweeps).toBe(0)
    clock.increment(1)
    await settle()
    expect(market.sweeps).toBe(1)

    for (let beat = 2; beat <= 5; beat++) {
      clock.increment(SWEEP_MS)
      await settle()
      expect(market.sweeps).toBe(beat)
    }
    expect(market.starts).toBe(1)
    expect(actor.getSnapshot().status).toBe('active')
  })

  it('does not sweep before the market has started', async () => {
    const market = new FakeMarket()
    let finishStart: () => void = () => {}
    market.start = () => {
      market.starts++
      return new Promise((resolve) => {
        finishStart = resolve
      })
    }
    const { clock } = start(market)
    clock.increment(5 * SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(0)

    finishStart()
    await settle()
    clock.increment(SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(1)
  })

  it('never runs two sweeps at once, and waits a full interval after a slow sweep', async () => {
    const { clock, market } = start()
    market.holdSweeps = true
    await settle()
    clock.increment(SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(1)

    clock.increment(3 * SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(1)

    market.finishSweep()
    await settle()
    clock.increment(SWEEP_MS - 1)
    await settle()
    expect(market.sweeps).toBe(1)
    clock.increment(1)
    await settle()
    expect(market.sweeps).toBe(2)
  })

  it('fails when the market cannot start, so the supervisor restarts it', async () => {
    const market = new FakeMarket()
    market.failStart = true
    const { actor, errors, clock } = start(market)
    await settle()
    expect(actor.getSnapshot().status).toBe('error')
    expect(errors).toHaveLength(1)
    clock.increment(10 * SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(0)
  })

  it('fails when a sweep fails', async () => {
    const { actor, market, clock, errors } = start()
    await settle()
    market.failSweep = true
    clock.increment(SWEEP_MS)
    await settle()
    expect(actor.getSnapshot().status).toBe('error')
    expect(errors).toHaveLength(1)
  })

  it('stops sweeping once stopped', async () => {
    const { actor, market, clock } = start()
    await settle()
    actor.stop()
    clock.increment(10 * SWEEP_MS)
    await settle()
    expect(market.sweeps).toBe(0)
  })
})
