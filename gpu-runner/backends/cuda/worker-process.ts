// The worker.py child process as request/reply over frames: one request in flight at a time,
// writes that wait for the pipe to drain, replies read with a size cap, and one settled outcome
// when the process ends (spawn failure, exit, kill), with the tail of what it wrote to stderr.
import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { streamTail } from '../../../concurrency/stream-tail.ts'
import { encodeFrame, type Frame, type FrameHeader, frameDecoder } from './frames.ts'

/** Enough of stderr to show a Python traceback's last lines. */
const STDERR_TAIL_BYTES = 4096

export interface WorkerCommand {
  readonly python: string
  readonly script: string
  readonly args: readonly string[]
}

/** Why the worker is gone: it could not start, it exited, or hcx stopped it. */
export class WorkerGoneError extends Error {
  readonly stderrTail: string
  /** The spawn error's code (`ENOENT` for a missing interpreter), if it never started. */
  readonly spawnCode: string | undefined

  constructor(message: string, stderrTail: string, spawnCode?: string) {
    super(message)
    this.name = 'WorkerGoneError'
    this.stderrTail = stderrTail
    this.spawnCode = spawnCode
  }
}

/** The worker broke the protocol: a malformed or unexpected reply. */
export class WorkerProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WorkerProtocolError'
  }
}

export interface WorkerRequest {
  readonly header: FrameHeader
  readonly payloads?: readonly Uint8Array[]
  /** The most payload bytes the reply may carry. */
  readonly replyLimit: (reply: FrameHeader) => number
}

export interface WorkerProcess {
  readonly pid: number | undefined
  /** Sends one request and resolves with its reply; rejects with WorkerGoneError or WorkerProtocolError. */
  request(request: WorkerRequest): Promise<Frame>
  /** Ends the process now (SIGKILL); pending and later requests reject with `why`. */
  kill(why: string): void
  /** Closes the worker's stdin: worker.py exits at the end of its input. */
  endInput(): void
  /** Resolves once the process has ended, however it ended. */
  readonly ended: Promise<void>
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>

export function startWorker(command: WorkerCommand): WorkerProcess {
  const child: Child = spawn(command.python, ['-u', command.script, ...command.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  })
  let gone: WorkerGoneError | undefined
  let busy = false
  let waiting:
    | { resolve: (frame: Frame) => void; reject: (err: Error) => void; limit: WorkerRequest['replyLimit'] }
    | undefined
  let markEnded: () => void = () => undefined
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve
  })

  const tail = streamTail(child.stderr, STDERR_TAIL_BYTES)

  function fail(err: Error): void {
    const pending = waiting
    waiting = undefined
    pending?.reject(err)
  }

  function finish(err: WorkerGoneError): void {
    if (gone === undefined) gone = err
    fail(gone)
  }

  const decoder = frameDecoder({
    payloadLimit: (header) => (waiting === undefined ? 0 : waiting.limit(header)),
  })

  child.stdout.on('data', (chunk: Buffer) => {
    if (gone !== undefined) return
    let frames: Frame[]
    try {
      frames = decoder.push(chunk)
    } catch (err) {
      // A corrupt stream cannot be trusted for the next reply either.
      const message = `the cuda worker sent a malformed reply: ${(err as Error).message}`
      fail(new WorkerProtocolError(message))
      stop(message)
      return
    }
    for (const frame of frames) {
      const pending = waiting
      if (pending === undefined) {
        const message = 'the cuda worker sent a reply to no request'
        fail(new WorkerProtocolError(message))
        stop(message)
        return
      }
      waiting = undefined
      pending.resolve(frame)
    }
  })
  // Writes to a worker that has died fail with EPIPE; its exit says why, so the write error is noise.
  child.stdin.on('error', () => undefined)
  child.on('error', (err: NodeJS.ErrnoException) => {
    // Only a spawn failure lands here before exit; later errors (kill on a dead process) add nothing.
    if (child.pid === undefined) {
      finish(new WorkerGoneError(`${command.python} could not be started: ${err.message}`, tail(), err.code))
      markEnded()
    }
  })
  child.on('close', (code, signal) => {
    const how = signal === null ? `exited with status ${code}` : `was ended by ${signal}`
    const stderrTail = tail()
    finish(
      new WorkerGoneError(
        `the cuda worker ${how}${stderrTail === '' ? '' : `: ${lastLines(stderrTail)}`}`,
        stderrTail,
      ),
    )
    markEnded()
  })

  function stop(why: string): void {
    if (gone === undefined) gone = new WorkerGoneError(why, tail())
    fail(gone)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }

  async function write(chunks: readonly Uint8Array[]): Promise<void> {
    for (const chunk of chunks) {
      if (gone !== undefined) return
      if (!child.stdin.write(chunk)) await drained()
    }
  }

  // Resolves when the pipe can take more, or when the worker is gone (the reply then rejects).
  function drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        child.stdin.off('drain', done)
        child.stdin.off('close', done)
        resolve()
      }
      child.stdin.once('drain', done)
      child.stdin.once('close', done)
      ended.then(done)
    })
  }

  return {
    get pid() {
      return child.pid
    },
    async request(request) {
      if (gone !== undefined) throw gone
      if (busy) throw new WorkerProtocolError('a cuda worker request is already in flight')
      // Encoded first, so a header that cannot be sent fails before anything is written.
      const chunks = encodeFrame(request.header, request.payloads)
      busy = true
      try {
        const reply = new Promise<Frame>((resolve, reject) => {
          waiting = { resolve, reject, limit: request.replyLimit }
        })
        const written = write(chunks).catch((err: unknown) =>
          stop(`writing to the cuda worker failed: ${String(err)}`),
        )
        // The next request may start only when this one is fully written, even if a worker
        // answered before reading all of it.
        const [frame] = await Promise.all([reply, written])
        return frame
      } finally {
        busy = false
      }
    },
    kill(why) {
      stop(why)
    },
    endInput() {
      child.stdin.end()
    },
    ended,
  }
}

function lastLines(text: string, count = 3): string {
  return text.split('\n').slice(-count).join(' | ')
}
