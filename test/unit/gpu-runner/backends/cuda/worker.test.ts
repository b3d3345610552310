// worker.py driven directly with frames, on its numpy engine: the protocol as any client sees it.
import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import {
  encodeFrame,
  type Frame,
  type FrameHeader,
  frameDecoder,
} from '../../../../../gpu-runner/backends/cuda/frames.ts'

const WORKER = fileURLToPath(new URL('../../../../../gpu-runner/backends/cuda/worker.py', import.meta.url))

interface DrivenWorker {
  send(header: FrameHeader, payloads?: Uint8Array[]): void
  sendRaw(bytes: Uint8Array): void
  next(): Promise<Frame>
  endInput(): void
  /** The exit status, once it has exited. */
  readonly exit: Promise<number | null>
  readonly stdoutBytes: () => number
}

const running: ChildProcessByStdio<Writable, Readable, Readable>[] = []

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

function driveWorker(engine = 'numpy'): DrivenWorker {
  const child = spawn('python3', ['-u', WORKER, '--engine', engine], { stdio: ['pipe', 'pipe', 'pipe'] })
  running.push(child)
  const decoder = frameDecoder({ payloadLimit: () => 1 << 24 })
  const frames: Frame[] = []
  const waiters: ((frame: Frame) => void)[] = []
  let received = 0
  child.stdout.on('data', (chunk: Buffer) => {
    received += chunk.length
    for (const frame of decoder.push(chunk)) {
      const waiter = waiters.shift()
      if (waiter === undefined) frames.push(frame)
      else waiter(frame)
    }
  })
  child.stderr.resume()
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    send: (header, payloads = []) => {
      for (const chunk of encodeFrame(header, payloads)) child.stdin.write(chunk)
    },
    sendRaw: (bytes) => child.stdin.write(bytes),
    next: () => {
      const ready = frames.shift()
      return ready === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(ready)
    },
    endInput: () => child.stdin.end(),
    exit,
    stdoutBytes: () => received,
  }
}

function rawFrame(headerJson: string, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(headerJson, 'utf8')
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32LE(json.length, 0)
  return Buffer.concat([prefix, json, payload])
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer)

describe('worker.py protocol', () => {
  it('answers hello, a product and quit, then exits with status 0', async () => {
    const worker = driveWorker()
    worker.send({ op: 'hello' })
    const hello = await worker.next()
    expect(hello.header).toMatchObject({
      ok: true,
      engine: 'numpy',
      device: { computeCapability: null, driver: null },
    })
    expect(typeof (hello.header.device as { name: unknown }).name).toBe('string')
    // [1 2 3; 4 5 6] x [1; 0; -1]
    worker.send({ op: 'matmul', n: 2, k: 3, m: 1 }, [f32([1, 2, 3, 4, 5, 6]), f32([1, 0, -1])])
    const product = await worker.next()
    expect(product.header).toMatchObject({ ok: true, bytes: 8, peakMemoryBytes: 4 * (6 + 3 + 2) })
    expect(product.header.deviceMs).toBeGreaterThanOrEqual(0)
    expect([...new Float32Array(product.payload.buffer)]).toEqual([-2, -2])
    worker.send({ op: 'quit' })
    expect((await worker.next()).header).toEqual({ ok: true, bytes: 0 })
    expect(await worker.exit).toBe(0)
  })

  it('answers well framed but wrong requests with ok:false and keeps serving', async () => {
    const worker = driveWorker()
    const refusals: [FrameHeader, Uint8Array[], RegExp][] = [
      [{ op: 'launch' }, [], /unknown op "launch"/],
      [{ n: 1 }, [], /unknown op null/],
      [{ op: 'matmul', n: 0, k: 1, m: 1 }, [f32([1])], /"n" must be a whole number from 1 to 32768, got 0/],
      [{ op: 'matmul', n: 1, k: 32769, m: 1 }, [], /"k" must be a whole number/],
      [{ op: 'matmul', n: 1, k: 1, m: 1.5 }, [], /"m" must be a whole number/],
      [{ op: 'matmul', n: 1, k: 1, m: '1' }, [], /"m" must be a whole number/],
      [{ op: 'matmul', n: 1, k: 1, m: true }, [], /"m" must be a whole number/],
      [{ op: 'matmul', n: 2, k: 2, m: 2 }, [f32([1, 2, 3])], /needs 32 payload bytes .* got 12/],
      [{ op: 'hello' }, [f32([1])], /carries no payload/],
    ]
    for (const [header, payloads, message] of refusals) {
      worker.send(header, payloads)
      const reply = await worker.next()
      expect(reply.header).toMatchObject({ ok: false, kind: 'request' })
      expect(reply.header.error).toMatch(message)
    }
    worker.send({ op: 'matmul', n: 1, k: 1, m: 1 }, [f32([3]), f32([-4])])
    const product = await worker.next()
    expect([...new Float32Array(product.payload.buffer)]).toEqual([-12])
  })

  it('answers a frame it cannot find the end of, then exits with status 2', async () => {
    for (const bad of [
      rawFrame('{"op":"hello"'),
      rawFrame('["hello"]'),
      rawFrame('{"op":"matmul","bytes":-4}'),
      rawFrame('{"op":"matmul","bytes":"lots"}'),
    ]) {
      const worker = driveWorker()
      worker.sendRaw(bad)
      const reply = await worker.next()
      expect(reply.header).toMatchObject({ ok: false })
      expect(reply.header.error).toMatch(/cannot find the next frame/)
      expect(await worker.exit).toBe(2)
    }
  })

  it('refuses a header longer than 64 KiB without reading it', async () => {
    const worker = driveWorker()
    const prefix = Buffer.alloc(4)
    prefix.writeUInt32LE(64 * 1024 + 1, 0)
    worker.sendRaw(prefix)
    const reply = await worker.next()
    expect(reply.header.error).toMatch(/the header is 65537 bytes; at most 65536/)
    expect(await worker.exit).toBe(2)
  })

  it('exits with status 0 and writes nothing at the end of its input, even inside a frame', async () => {
    const idle = driveWorker()
    idle.endInput()
    expect(await idle.exit).toBe(0)
    expect(idle.stdoutBytes()).toBe(0)
    const cut = driveWorker()
    cut.sendRaw(rawFrame('{"op":"matmul","n":1,"k":1,"m":1,"bytes":8}', f32([1])))
    cut.endInput()
    expect(await cut.exit).toBe(0)
    expect(cut.stdoutBytes()).toBe(0)
  })
})
