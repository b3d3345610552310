import { afterAll, describe, expect, it } from 'vitest'
import { fromPromise } from 'xstate'
import { apiGet } from '../../node/api/client.ts'
import type { NodeStatus } from '../../node/api/server.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

describe('supervision inside a running node', () => {
  const cluster = new TestCluster()
  afterAll(() => cluster.stopAll())

  it('restarts an actor that throws, and the node stays up and keeps answering', async () => {
    const starts = { count: 0 }
    // Throws on its first two starts, then runs until stopped.
    const flaky = fromPromise<void, { attempt: number }>(async ({ input, signal }) => {
      if (input.attempt <= 2) throw new Error(`flaky failure ${input.attempt}`)
      await new Promise((resolve) => signal.addEventListener('abort', resolve))
    })
    const node = await cluster.start({
      extra: {
        extraActors: [{ systemId: 'flaky', logic: flaky, input: () => ({ attempt: ++starts.count }) }],
        restartPolicy: { baseMs: 50, maxMs: 200 },
      },
    })

    expect(await waitFor(() => node.actorReport().flaky?.restarts === 2, 5_000)).toBe(true)
    const report = node.actorReport()
    expect(report.flaky).toMatchObject({ restarts: 2, lastError: 'flaky failure 2', state: 'active' })
    expect(report.discovery?.restarts).toBe(0)

    const status = await apiGet<NodeStatus>(node.config.dataDir, '/v1/status')
    expect(status.peerId).toBe(node.peerId)
    expect(status.actors).toMatchObject({ flaky: 'active' })
    expect(status.actors.discovery).toEqual(expect.any(String))
  })
})
