import { describe, expect, it } from 'vitest'
import { jobQueue } from '../../../../gpu-runner/backends/job-queue.ts'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('the job queue', () => {
  it('runs jobs one at a time in call order, a failure not stopping the next', async () => {
    const queue = jobQueue()
    const events: string[] = []
    const gate = deferred()
    const first = queue.run(async () => {
      events.push('first starts')
      await gate.promise
      events.push('first ends')
      throw new Error('first failed')
    })
    const second = queue.run(async () => {
      events.push('second starts')
      return 2
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(events).toEqual(['first starts'])
    gate.resolve()
    await expect(first).rejects.toThrow('first failed')
    expect(await second).toBe(2)
    expect(events).toEqual(['first starts', 'first ends', 'second starts'])
  })

  it('lets a waiting job whose signal aborts leave at once, without the next starting early', async () => {
    const queue = jobQueue()
    const gate = deferred()
    const events: string[] = []
    const running = queue.run(async () => {
      await gate.promise
      events.push('running ends')
    })
    const controller = new AbortController()
    const waiting = queue.run(async () => events.push('aborted job ran'), controller.signal)
    const after = queue.run(async () => events.push('after starts'))
    controller.abort(new Error('no longer wanted'))
    await expect(waiting).rejects.toThrow('no longer wanted')
    expect(events).toEqual([])
    gate.resolve()
    await running
    await after
    expect(events).toEqual(['running ends', 'after starts'])
  })

  it('is idle once every queued job has settled', async () => {
    const queue = jobQueue()
    const gate = deferred()
    let done = false
    void queue.run(async () => {
      await gate.promise
      done = true
    })
    const idle = queue.idle()
    gate.resolve()
    await idle
    expect(done).toBe(true)
  })
})
