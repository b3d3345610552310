import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FillHolds, HOLD_MS } from '../../../../actors/market/fill-holds.ts'

describe('fill-or-kill holds', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('frees a hold nobody commits once it lapses, and only once', () => {
    const holds = new FillHolds()
    const free = vi.fn()
    holds.place('t1', free)
    vi.advanceTimersByTime(HOLD_MS - 1)
    expect(free).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(free).toHaveBeenCalledTimes(1)
    holds.release('t1')
    expect(free).toHaveBeenCalledTimes(1)
    expect(holds.has('t1')).toBe(false)
  })

  it('hands a committed hold over without freeing it', () => {
    const holds = new FillHolds()
    const free = vi.fn()
    holds.place('t1', free)
    expect(holds.take('t1')).toBe(true)
    expect(holds.take('t1')).toBe(false)
    vi.advanceTimersByTime(2 * HOLD_MS)
    expect(free).not.toHaveBeenCalled()
  })

  it('frees released holds at once and every hold at stop', () => {
    const holds = new FillHolds()
    const frees = [vi.fn(), vi.fn(), vi.fn()]
    for (const [i, free] of frees.entries()) holds.place(`t${i}`, free)
    holds.release('t0')
    expect(frees[0]).toHaveBeenCalledTimes(1)
    holds.stop()
    for (const free of frees) expect(free).toHaveBeenCalledTimes(1)
  })
})
