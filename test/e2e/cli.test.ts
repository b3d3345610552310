// End-to-end tests of the `hcx` command line: each test spawns the real bin/hcx as a child
// process, on temporary data dirs, listening on 127.0.0.1 only, and checks what a user sees:
// stdout lines, the one `error CODE: message` line on stderr, exit codes and files written.

import { readFile, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectCleanFailure,
  HcxProcesses,
  LOCAL,
  type RunningNode,
  type RunResult,
} from '../helpers/hcx-process.ts'

const PEER_ID = /^12D3Koo[1-9A-HJ-NP-Za-km-z]{45}$/

// This file's children and temporary dirs; afterAll ends and removes what a failed test left behind.
const hcx = new HcxProcesses()

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

async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

afterAll(() => hcx.cleanup())

describe('hcx keys', () => {
  let dataDir: string
  let first: RunResult
  let second: RunResult
  let forced: RunResult
  let shown: RunResult

  beforeAll(async () => {
    dataDir = join(await hcx.tempDir(), 'node')
    first = await hcx.run(['keys', 'init', '--data-dir', dataDir, '--json'])
    second = await hcx.run(['keys', 'init', '--data-dir', dataDir, '--json'])
    forced = await hcx.run(['keys', 'init', '--data-dir', dataDir, '--force', '--json'])
    shown = await hcx.run(['keys', 'show', '--data-dir', dataDir, '--json'])
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
    ;[dirA, dirB] = await Promise.all([hcx.tempDir(), hcx.tempDir()])
    ;[nodeA, nodeB] = await Promise.all([hcx.startNode(dirA), hcx.startNode(dirB)])
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
    const shown = await hcx.run(['keys', 'show', '--data-dir', dirA, '--json'])
    expect(shown.code).toBe(0)
    expect((JSON.parse(shown.stdout) as { peerId: string }).peerId).toBe(nodeA.ready.peerId)
    expect(await fileMode(join(dirA, 'keys', 'peer.key'))).toBe(0o600)
    expect(await fileMode(join(dirA, 'keys', 'settlement.key'))).toBe(0o600)
  })

  it('status reports the peer id, addresses, peers and the discovery actor state', async () => {
    const result = await hcx.run(['status', '--data-dir', dirA, '--json'])
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
    const restarted = await hcx.startNode(dirA)
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
    const dir = join(await hcx.tempDir(), 'node')
    const first = await hcx.startNode(dir)
    const killed = await first.stop('SIGKILL')
    expect(killed.signal).toBe('SIGKILL')

    // The stale api.json of the killed node points at a dead port: status says so clearly.
    expectCleanFailure(await hcx.run(['status', '--data-dir', dir, '--json']), 'API_NOT_RUNNING')

    const second = await hcx.startNode(dir)
    try {
      expect(second.ready.peerId).toBe(first.ready.peerId)
      const status = await hcx.run(['status', '--data-dir', dir, '--json'])
      expect(status.code).toBe(0)
      expect(JSON.parse(status.stdout).peerId).toBe(first.ready.peerId)
    } finally {
      expect((await second.stop('SIGTERM')).code).toBe(0)
    }
  })
})

describe.concurrent('hcx refuses bad input with one error line and a non-zero exit', () => {
  const start = (dataDir: string, args: string[]) =>
    hcx.run(['node', 'start', '--data-dir', dataDir, '--json', ...args])

  it('an unknown flag', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [...LOCAL, '--bogus'])
    expectCleanFailure(result, 'CLI_USAGE', { expect })
    expect(result.stderr).toContain('--bogus')
  })

  it('a command group without its subcommand', async ({ expect }) => {
    for (const group of [[], ['node'], ['keys'], ['consortium']]) {
      const result = await hcx.run(group)
      expectCleanFailure(result, 'CLI_USAGE', { expect })
      expect(result.stderr).toContain(`hcx ${group.join(' ')}`.trim())
    }
  })

  it('a listen address that is not a multiaddr', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [
      '--listen',
      'not-a-multiaddr',
      '--api-port',
      '0',
    ])
    expectCleanFailure(result, 'CONFIG_INVALID', { expect })
    expect(result.stderr).toContain('not-a-multiaddr')
  })

  it('a bootstrap address without /p2p/<peer id>', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [
      ...LOCAL,
      '--bootstrap',
      '/ip4/1.2.3.4/tcp/1',
    ])
    expectCleanFailure(result, 'CONFIG_INVALID', { expect })
    expect(result.stderr).toContain('/p2p/')
  })

  it('a swarm key file that cannot be read', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [
      ...LOCAL,
      '--swarm-key',
      '/nonexistent/file',
    ])
    expectCleanFailure(result, 'SWARM_KEY_UNREADABLE', { expect })
    expect(result.stderr).toContain('/nonexistent/file')
  })

  it('a swarm key file with garbage contents', async ({ expect }) => {
    const dir = await hcx.tempDir()
    const keyFile = join(dir, 'swarm.key')
    await writeFile(keyFile, 'this is not a swarm key\n\u0000\u0001garbage\n', { mode: 0o600 })
    const result = await start(join(dir, 'node'), [...LOCAL, '--swarm-key', keyFile])
    expectCleanFailure(result, 'SWARM_KEY_INVALID', { expect })
    expect(result.stderr).toContain(keyFile)
  })

  it('an unknown role, naming the key, the value and the allowed roles', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [...LOCAL, '--role', 'banker'])
    expectCleanFailure(result, 'CONFIG_INVALID', { expect })
    expect(result.stderr).toContain('role')
    expect(result.stderr).toContain('banker')
    expect(result.stderr).toContain('provider')
  })

  it('an API port that is not a number', async ({ expect }) => {
    const result = await start(join(await hcx.tempDir(), 'node'), [
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--api-port',
      'abc',
    ])
    expectCleanFailure(result, 'CONFIG_INVALID', { expect })
    expect(result.stderr).toContain('abc')
  })

  it('a TCP listen port already in use', async ({ expect }) => {
    const server = await occupyPort()
    try {
      const result = await start(join(await hcx.tempDir(), 'node'), [
        '--listen',
        `/ip4/127.0.0.1/tcp/${portOf(server)}`,
        '--api-port',
        '0',
      ])
      expectCleanFailure(result, 'LISTEN_ADDRESS_IN_USE', { expect })
    } finally {
      server.close()
    }
  })

  it('an API port already in use', async ({ expect }) => {
    const server = await occupyPort()
    try {
      const result = await start(join(await hcx.tempDir(), 'node'), [
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--api-port',
        String(portOf(server)),
      ])
      expectCleanFailure(result, 'API_PORT_IN_USE', { expect })
    } finally {
      server.close()
    }
  })

  it('status on a data dir where no node runs', async ({ expect }) => {
    const result = await hcx.run(['status', '--data-dir', await hcx.tempDir(), '--json'])
    expectCleanFailure(result, 'API_NOT_RUNNING', { expect })
  })
})

describe('hcx consortium init', () => {
  it('writes a swarm key file in the libp2p PSK v1 format and never overwrites it', async () => {
    const out = join(await hcx.tempDir(), 'swarm.key')
    const created = await hcx.run(['consortium', 'init', '--out', out])
    expect(created.code).toBe(0)
    const text = await readFile(out, 'utf8')
    expect(text.trimEnd().split('\n')).toHaveLength(3)
    expect(text).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-fA-F]{64}\n?$/)

    const again = await hcx.run(['consortium', 'init', '--out', out])
    expectCleanFailure(again)
    expect(await readFile(out, 'utf8')).toBe(text)
  })
})
