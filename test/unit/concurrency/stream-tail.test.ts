import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { streamTail } from '../../../concurrency/stream-tail.ts'

describe('the tail of a stream', () => {
  it('keeps only the last characters written, trimmed', async () => {
    const stream = new PassThrough()
    const tail = streamTail(stream, 10)
    stream.write('first line\n')
    stream.write('Traceback: boom\n')
    await new Promise((resolve) => setImmediate(resolve))
    expect(tail()).toBe('ack: boom')
  })
})
