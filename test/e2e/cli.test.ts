// End-to-end tests of the `hcx` command line: each test spawns the real bin/hcx as a child
// process, on temporary data dirs, listening on 127.0.0.1 only, and checks what a user sees:
// stdout lines, the one `error CODE: message` line on stderr, exit codes and files written.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, type ExpectStatic, expect, it } from 'vitest'

const globalExpect = expect
const HCX = fileURLToPath(new URL('../../bin/hcx', import.meta.url))
const LOCAL = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const SPAWN_TIMEOUT_MS = 20_000
const PEER_ID = /^12D3Koo[1-9A-HJ-NP-Za-km-z]{45}$/
const ERROR_LINE = /^error [A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*: [^\n]+\n$/

// The children still running and the temporary dirs made, so afterAll can clean up whatever a
// failed test left behind.
const live = new Set<ChildProcess>()
const tempDirs: string[] = []

// HCX_* variables of the calling shell must not change what the tests see.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HCX_')))

interface RunResult {
  /** The exit code; null when the process was ended by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

interface ReadyEvent {
  event: 'ready'
  peerId: string
  multiaddrs: string[]
  api: string
}

interface RunningNode {
  ready: ReadyEvent
  /** Every stdout line so far, the ready line first. */
  lines: string[]
  stderr: () => string
  /** Sends the signal unless the node already exited; resolves when it has. */
  stop: (signal: NodeJS.Signals) => Promise<RunResult>
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hcx-e2e-'))
  tempDirs.push(dir)
  return dir
}

function spawnHcx(args: string[]): ChildProcess {
  const child = spawn(HCX, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Runs one command to its end and collects its output; kills it after `timeoutMs`. */
function runHcx(args: string[], timeoutMs = SPAWN_TIMEOUT_MS): Promise<RunResult> {
  const child = spawnHcx(args)
  return collect(child, timeoutMs)
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

/** Starts `hcx node start --json` and resolves once its first stdout line, the ready event, arrives. */
async function startNode(dataDir: string, extra: string[] = []): Promise<RunningNode> {
  const child = spawnHcx(['node', 'start', '--data-dir', dataDir, ...LOCAL, '--json', ...extra])
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
      reject(new Error(`hcx node start exited (code ${result.code}) before it was ready; stderr: ${stderr}`))
    })
  })

  return {
    ready: JSON.parse(firstLine) as ReadyEvent,
    lines,
    stderr: () => stderr,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** A server holding a TCP port on 127.0.0.1, so a node started on that port finds it in use. */
async function occupyPort(): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return server
}

function portOf(server: Server): number {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP port')
  return address.port
}

/**
 * The shape every CLI failure must have: one `error CODE: message` line, no stack, non-zero exit.
 * Concurrent tests pass their own `expect`.
 */
function expectCleanFailure(result: RunResult, code?: string, expect: ExpectStatic = globalExpect): void {
  expect(result.timedOut, 'the process did not exit by itself').toBe(false)
  expect(result.signal).toBeNull()
  expect(result.code).not.toBe(0)
  expect(result.stderr).toMatch(ERROR_LINE)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  if (code !== undefined) expect(result.stderr.startsWith(`error ${code}: `), result.stderr).toBe(true)
}

async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

afterAll(async () => {
  await Promise.all(
    [...live].map(
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
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('hcx keys', () => {
  let dataDir: string
  let first: RunResult
  let second: RunResult
  let forced: RunResult
  let shown: RunResult

  beforeAll(async () => {
    dataDir = join(await tempDir(), 'node')
    first = await runHcx(['keys', 'init', '--data-dir', dataDir, '--json'])
    second = await runHcx(['keys', 'init', '--data-dir', dataDir, '--json'])
    forced = await runHcx(['keys', 'init', '--data-dir', dataDir, '--force', '--json'])
    shown = await runHcx(['keys', 'show', '--data-dir', dataDir, '--json'])
  })

  it('init prints the new peer id and settlement address as one JSON line', () => {
    expect(first.code).toBe(0)
    const lines = first.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const identity = JSON.parse(lines[0] ?? '') as Record<string, unknown>
    expect(Object.keys(identity).sort()).toEqual(['address', 'peerId'])
    expect(identity.peerId).toMatch(PEER_ID)
    expect(identity.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
  })

  it('init writes both key files readable by the owner only (mode 0600)', async () => {
    expect(first.code).toBe(0)
    expect(await fileMode(join(dataDir, 'keys', 'peer.key'))).toBe(0o600)
    expect(await fileMode(join(dataDir, 'keys', 'settlement.key'))).toBe(0o600)
  })

  it('a second init without --force is refused with KEYS_EXIST', () => {
    expectCleanFailure(second, 'KEYS_EXIST')
    expect(second.stdout).toBe('')
  })

  it('init --force replaces the keys, so the peer id changes', () => {
    expect(forced.code).toBe(0)
    const before = JSON.parse(first.stdout) as { peerId: string; address: string }
    const after = JSON.parse(forced.stdout) as { peerId: string; address: string }
    expect(after.peerId).toMatch(PEER_ID)
    expect(after.peerId).not.toBe(before.peerId)
    expect(after.address).not.toBe(before.address)
  })

  it('show prints the peer id and address of the last init', () => {
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(forced.stdout))
  })
})

describe('hcx node start', () => {
  let dirA: string
  let dirB: string
  let nodeA: RunningNode
  let nodeB: RunningNode

  beforeAll(async () => {
    ;[dirA, dirB] = await Promise.all([tempDir(), tempDir()])
    ;[nodeA, nodeB] = await Promise.all([startNode(dirA), startNode(dirB)])
  })

  afterAll(async () => {
    await Promise.all([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')])
  })

  it('prints a ready event with peerId, multiaddrs and api as its first stdout line', () => {
    const { ready } = nodeA
    expect(Object.keys(ready).sort()).toEqual(['api', 'event', 'multiaddrs', 'peerId'])
    expect(ready.event).toBe('ready')
    expect(ready.peerId).toMatch(PEER_ID)
    expect(ready.multiaddrs.length).toBeGreaterThan(0)
    for (const addr of ready.multiaddrs) {
      expect(addr).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/[1-9]\d*\/p2p\//)
      expect(addr.endsWith(`/p2p/${ready.peerId}`)).toBe(true)
    }
    expect(ready.api).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
  })

  it('creates the keys on first start, and keys show reports the same peer id', async () => {
    const shown = await runHcx(['keys', 'show', '--data-dir', dirA, '--json'])
    expect(shown.code).toBe(0)
    expect((JSON.parse(shown.stdout) as { peerId: string }).peerId).toBe(nodeA.ready.peerId)
    expect(await fileMode(join(dirA, 'keys', 'peer.key'))).toBe(0o600)
    expect(await fileMode(join(dirA, 'keys', 'settlement.key'))).toBe(0o600)
  })

  it('status reports the peer id, addresses, peers and the discovery actor state', async () => {
    const result = await runHcx(['status', '--data-dir', dirA, '--json'])
    expect(result.code).toBe(0)
    const status = JSON.parse(result.stdout) as Record<string, unknown>
    expect(Object.keys(status).sort()).toEqual(['actors', 'multiaddrs', 'peerId', 'peers'])
    expect(status.peerId).toBe(nodeA.ready.peerId)
    expect(status.multiaddrs).toEqual(nodeA.ready.multiaddrs)
    expect(Array.isArray(status.peers)).toBe(true)
    const actors = status.actors as Record<string, unknown>
    expect(typeof actors.discovery).toBe('string')
  })

  it('the control API refuses a request without the bearer token and answers one with it', async () => {
    const url = `${nodeA.ready.api}/v1/status`
    const token = (await readFile(join(dirA, 'api-token'), 'utf8')).trim()
    expect(token).not.toBe('')

    const anonymous = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    expect(anonymous.status).toBe(401)
    const wrong = await fetch(url, {
      headers: { authorization: `Bearer ${'0'.repeat(token.length)}` },
      signal: AbortSignal.timeout(10_000),
    })
    expect(wrong.status).toBe(401)
    const authorised = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    })
    expect(authorised.status).toBe(200)
    expect(((await authorised.json()) as { peerId: string }).peerId).toBe(nodeA.ready.peerId)
  })

  it('stops on SIGTERM with exit code 0 and a stopped event after the ready line', async () => {
    const result = await nodeA.stop('SIGTERM')
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0)
    const events = nodeA.lines.map((line) => JSON.parse(line) as { event?: string })
    expect(events[0]?.event).toBe('ready')
    expect(events.slice(1)).toContainEqual({ event: 'stopped' })
  })

  it('stops on SIGINT with exit code 0 and a stopped event after the ready line', async () => {
    const result = await nodeB.stop('SIGINT')
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0)
    const events = nodeB.lines.map((line) => JSON.parse(line) as { event?: string })
    expect(events[0]?.event).toBe('ready')
    expect(events.slice(1)).toContainEqual({ event: 'stopped' })
  })

  it('a restart on the same data dir keeps the peer id', async () => {
    await nodeA.stop('SIGTERM')
    const restarted = await startNode(dirA)
    try {
      expect(restarted.ready.peerId).toBe(nodeA.ready.peerId)
    } finally {
      const result = await restarted.stop('SIGTERM')
      expect(result.code).toBe(0)
    }
  })
})

describe('hcx node start after a crash', () => {
  it('comes back with the same peer id and a working API after SIGKILL', async () => {
    const dir = join(await tempDir(), 'node')
    const first = await startNode(dir)
    const killed = await first.stop('SIGKILL')
    expect(killed.signal).toBe('SIGKILL')

    // The stale api.json of the killed node points at a dead port: status says so clearly.
    expectCleanFailure(await runHcx(['status', '--data-dir', dir, '--json']), 'API_NOT_RUNNING')

    const second = await startNode(dir)
    try {
      expect(second.ready.peerId).toBe(first.ready.peerId)
      const status = await runHcx(['status', '--data-dir', dir, '--json'])
      expect(status.code).toBe(0)
      expect(JSON.parse(status.stdout).peerId).toBe(first.ready.peerId)
    } finally {
      expect((await second.stop('SIGTERM')).code).toBe(0)
    }
  })
})

describe.concurrent('hcx refuses bad input with one error line and a non-zero exit', () => {
  const start = (dataDir: string, args: string[]) =>
    runHcx(['node', 'start', '--data-dir', dataDir, '--json', ...args])

  it('an unknown flag', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [...LOCAL, '--bogus'])
    expectCleanFailure(result, 'CLI_USAGE', expect)
    expect(result.stderr).toContain('--bogus')
  })

  it('a command group without its subcommand', async ({ expect }) => {
    for (const group of [[], ['node'], ['keys'], ['consortium']]) {
      const result = await runHcx(group)
      expectCleanFailure(result, 'CLI_USAGE', expect)
      expect(result.stderr).toContain(`hcx ${group.join(' ')}`.trim())
    }
  })

  it('a listen address that is not a multiaddr', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [
      '--listen',
      'not-a-multiaddr',
      '--api-port',
      '0',
    ])
    expectCleanFailure(result, 'CONFIG_INVALID', expect)
    expect(result.stderr).toContain('not-a-multiaddr')
  })

  it('a bootstrap address without /p2p/<peer id>', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [...LOCAL, '--bootstrap', '/ip4/1.2.3.4/tcp/1'])
    expectCleanFailure(result, 'CONFIG_INVALID', expect)
    expect(result.stderr).toContain('/p2p/')
  })

  it('a swarm key file that cannot be read', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [...LOCAL, '--swarm-key', '/nonexistent/file'])
    expectCleanFailure(result, 'SWARM_KEY_UNREADABLE', expect)
    expect(result.stderr).toContain('/nonexistent/file')
  })

  it('a swarm key file with garbage contents', async ({ expect }) => {
    const dir = await tempDir()
    const keyFile = join(dir, 'swarm.key')
    await writeFile(keyFile, 'this is not a swarm key\n\u0000\u0001garbage\n', { mode: 0o600 })
    const result = await start(join(dir, 'node'), [...LOCAL, '--swarm-key', keyFile])
    expectCleanFailure(result, 'SWARM_KEY_INVALID', expect)
    expect(result.stderr).toContain(keyFile)
  })

  it('an unknown role, naming the key, the value and the allowed roles', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [...LOCAL, '--role', 'banker'])
    expectCleanFailure(result, 'CONFIG_INVALID', expect)
    expect(result.stderr).toContain('role')
    expect(result.stderr).toContain('banker')
    expect(result.stderr).toContain('provider')
  })

  it('an API port that is not a number', async ({ expect }) => {
    const result = await start(join(await tempDir(), 'node'), [
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--api-port',
      'abc',
    ])
    expectCleanFailure(result, 'CONFIG_INVALID', expect)
    expect(result.stderr).toContain('abc')
  })

  it('a TCP listen port already in use', async ({ expect }) => {
    const server = await occupyPort()
    try {
      const result = await start(join(await tempDir(), 'node'), [
        '--listen',
        `/ip4/127.0.0.1/tcp/${portOf(server)}`,
        '--api-port',
        '0',
      ])
      expectCleanFailure(result, 'LISTEN_ADDRESS_IN_USE', expect)
    } finally {
      server.close()
    }
  })

  it('an API port already in use', async ({ expect }) => {
    const server = await occupyPort()
    try {
      const result = await start(join(await tempDir(), 'node'), [
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--api-port',
        String(portOf(server)),
      ])
      expectCleanFailure(result, 'API_PORT_IN_USE', expect)
    } finally {
      server.close()
    }
  })

  it('status on a data dir where no node runs', async ({ expect }) => {
    const result = await runHcx(['status', '--data-dir', await tempDir(), '--json'])
    expectCleanFailure(result, 'API_NOT_RUNNING', expect)
    expect(result.stdout).toBe('')
  })
})

describe('hcx consortium init', () => {
  it('writes a swarm key file in the libp2p PSK v1 format and never overwrites it', async () => {
    const out = join(await tempDir(), 'swarm.key')
    const created = await runHcx(['consortium', 'init', '--out', out])
    expect(created.code).toBe(0)
    const text = await readFile(out, 'utf8')
    expect(text.trimEnd().split('\n')).toHaveLength(3)
    expect(text).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-fA-F]{64}\n?$/)

    const again = await runHcx(['consortium', 'init', '--out', out])
    expectCleanFailure(again)
    expect(await readFile(out, 'utf8')).toBe(text)
  })
})
