// Drives the real bin/hcx as a child process for end-to-end tests: one-shot commands, long-running
// nodes that report ready on stdout, and the check that a failure reads as one clean error line.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ExpectStatic, expect as globalExpect } from 'vitest'

const HCX = fileURLToPath(new URL('../../bin/hcx', import.meta.url))
const SPAWN_TIMEOUT_MS = 20_000
const ERROR_LINE = /^error [A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*: [^\n]+\n$/

/** Listen on 127.0.0.1 only, on ports the system picks, so tests never collide or leave the host. */
export const LOCAL = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

// HCX_* variables of the calling shell must not change what the tests see.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HCX_')))

export interface RunResult {
  /** The exit code; null when the process was ended by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface ReadyEvent {
  event: 'ready'
  peerId: string
  multiaddrs: string[]
  api: string
}

export interface RunningNode {
  dataDir: string
  ready: ReadyEvent
  /** Every stdout line so far, the ready line first. */
  lines: string[]
  stderr: () => string
  /** Sends the signal unless the node already exited; resolves when it has. */
  stop: (signal: NodeJS.Signals) => Promise<RunResult>
  /** Sends the signal unless the node already exited, without waiting for an exit (SIGSTOP, SIGCONT). */
  signal: (signal: NodeJS.Signals) => void
}

/**
 * The hcx children and temporary dirs of one test file. Each file owns its own instance, so
 * cleanup() in its afterAll ends only what that file started, whatever a failed test left behind.
 */
export class HcxProcesses {
  private readonly live = new Set<ChildProcess>()
  private readonly dirs: string[] = []
  private readonly prefix: string

  /** `prefix` names the temporary dirs, so a leftover one shows which file made it. */
  constructor(prefix = 'hcx-e2e-') {
    this.prefix = prefix
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), this.prefix))
    this.dirs.push(dir)
    return dir
  }

  /** Runs one command to its end and collects its output; kills it after `timeoutMs`. */
  run(args: string[], timeoutMs = SPAWN_TIMEOUT_MS, env: Record<string, string> = {}): Promise<RunResult> {
    return collect(this.spawn(args, env), timeoutMs)
  }

  /** Runs a `--json` command that must succeed quietly and parses its one line of stdout. */
  async json<T>(args: string[]): Promise<T> {
    const result = await this.run([...args, '--json'])
    globalExpect(result.code, `hcx ${args.join(' ')} failed: ${result.stderr}`).toBe(0)
    globalExpect(result.stderr).toBe('')
    const lines = result.stdout.trimEnd().split('\n')
    globalExpect(lines, `hcx ${args.join(' ')} printed more than one line`).toHaveLength(1)
    return JSON.parse(lines[0] ?? '') as T
  }

  /** Starts `hcx node start --json` and resolves once its first stdout line, the ready event, arrives. */
  async startNode(dataDir: string, extra: string[] = []): Promise<RunningNode> {
    const child = this.spawn(['node', 'start', '--data-dir', dataDir, ...LOCAL, '--json', ...extra])
    const lines: string[] = []
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    let pending = ''
    let onLine: (() => void) | undefined
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      let end = pending.indexOf('\n')
      while (end >= 0) {
        lines.push(pending.slice(0, end))
        pending = pending.slice(end + 1)
        end = pending.indexOf('\n')
      }
      onLine?.()
    })
    const exited = new Promise<RunResult>((resolve) => {
      child.once('close', (code, signal) =>
        resolve({ code, signal, stdout: lines.map((line) => `${line}\n`).join(''), stderr, timedOut: false }),
      )
    })

    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no ready line within ${SPAWN_TIMEOUT_MS} ms; stderr: ${stderr}`))
      }, SPAWN_TIMEOUT_MS)
      onLine = () => {
        const line = lines[0]
        if (line === undefined) return
        clearTimeout(timer)
        resolve(line)
      }
      exited.then((result) => {
        clearTimeout(timer)
        reject(
          new Error(`hcx node start exited (code ${result.code}) before it was ready; stderr: ${stderr}`),
        )
      })
    })

    return {
      dataDir,
      ready: JSON.parse(firstLine) as ReadyEvent,
      lines,
      stderr: () => stderr,
      stop: async (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
        return exited
      },
      signal: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      },
    }
  }

  /** Kills every child still running, then removes every temporary dir; for afterAll. */
  async cleanup(): Promise<void> {
    await Promise.all(
      [...this.live].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve()
              return
            }
            child.once('exit', () => resolve())
            child.kill('SIGKILL')
          }),
      ),
    )
    await Promise.all(this.dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  }

  private spawn(args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(HCX, args, { env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    this.live.add(child)
    child.once('exit', () => this.live.delete(child))
    return child
  }
}

function collect(child: ChildProcess, timeoutMs: number): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    // 'close' fires after the process exited and its stdout/stderr were read to the end.
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })
}

/**
 * The shape every CLI failure must have: a non-zero exit (`exitCode` when given), one
 * `error CODE: message` line on stderr (of `code` when given), no stack, nothing on stdout.
 * Concurrent tests pass their own `expect`, so a failure is charged to the right test.
 */
export function expectCleanFailure(
  result: RunResult,
  code?: string,
  { exitCode, expect = globalExpect }: { exitCode?: number; expect?: ExpectStatic } = {},
): void {
  expect(result.timedOut, 'the process did not exit by itself').toBe(false)
  expect(result.signal).toBeNull()
  expect(result.code).not.toBe(0)
  // Soft, so that a wrong exit code does not hide what else is wrong with the same run.
  if (exitCode !== undefined) expect.soft(result.code, `exit code of: ${result.stderr}`).toBe(exitCode)
  expect(result.stderr).toMatch(ERROR_LINE)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  if (code !== undefined) expect(result.stderr.startsWith(`error ${code}: `), result.stderr).toBe(true)
  expect(result.stdout).toBe('')
}
