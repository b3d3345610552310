import { describe, expect, it } from 'vitest'
import { WorkerPool } from '../../../concurrency/worker-pool.ts'

// A worker given as a data URL keeps the test self-contained: it echoes, fails or exits on request.
const ECHO = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads'
    parentPort.on('message', (job) => {
      if (job === 'exit') process.exit(3)
      if (job === 'fail') parentPort.postMessage({ ok: false, message: 'asked to fail' })
      else parentPort.postMessage({ ok: true, value: job * 2 })
    })
  `)}`,
)

describe('the worker pool', () => {
  it('posts one job per thread and collects the results in order', async () => {
    const pool = new WorkerPool<number | string, number>(ECHO, 'test thread', 2)
    expect(await pool.run([1, 2])).toEqual([2, 4])
    expect(await pool.run([5])).toEqual([10])
    await pool.close()
  })

  it("fails a job with the thread's message", async () => {
    const pool = new WorkerPool<number | string, number>(ECHO, 'test thread', 2)
    await expect(pool.run([1, 'fail'])).rejects.toThrow('test thread 1 failed: asked to fail')
    await pool.close()
  })

  it('fails a job whose thread exits, and starts a fresh thread for the next', async () => {
    const pool = new WorkerPool<number | string, number>(ECHO, 'test thread', 1)
    await expect(pool.run(['exit'])).rejects.toThrow('test thread 0 exited with code 3')
    expect(await pool.run([21])).toEqual([42])
    await pool.close()
  })

  it('refuses a job of more parts than threads', () => {
    const pool = new WorkerPool<number, number>(ECHO, 'test thread', 1)
    expect(() => pool.run([1, 2])).toThrow(/2 parts does not fit a pool of 1/)
  })
})
