import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../config/errors.ts'
import { loadConfig } from '../../../config/load.ts'

function refusal(load: () => unknown): ConfigError {
  try {
    load()
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected the config to be refused')
}

describe('loadConfig', () => {
  it('fills in the defaults of the chosen role', () => {
    const full = loadConfig({ flags: { dataDir: '/d' } })
    expect(full.role).toBe('full')
    expect(full.listen.length).toBeGreaterThan(0)
    expect(full.capacity.classes).toEqual([])

    const light = loadConfig({ flags: { dataDir: '/d', role: 'light' } })
    expect(light.listen).toEqual([])
    expect(light.connections.target).toBeLessThan(full.connections.target)

    const provider = loadConfig({ flags: { dataDir: '/d', role: 'provider' } })
    expect(provider.capacity.classes).toContain('qpu.sim')
  })

  it('reads the settlement chain and epoch, and refuses them named', () => {
    const config = loadConfig({
      env: { HCX_SETTLE_EPOCH: '5m' },
      flags: { dataDir: '/d', settlement: { rpcUrl: 'http://127.0.0.1:8545', contractsFile: '/c.json' } },
    })
    expect(config.settlement).toMatchObject({
      rpcUrl: 'http://127.0.0.1:8545',
      contractsFile: '/c.json',
      epochMs: 300_000,
    })
    expect(loadConfig({ flags: { dataDir: '/d' } }).settlement).toMatchObject({
      rpcUrl: null,
      epochMs: 60_000,
    })

    const badEpoch = refusal(() =>
      loadConfig({ env: { HCX_SETTLE_EPOCH: 'soon' }, flags: { dataDir: '/d' } }),
    )
    expect(badEpoch.message).toContain('settlement.epochMs')
    expect(badEpoch.message).toContain('a duration such as 60s')
    expect(
      refusal(() => loadConfig({ flags: { dataDir: '/d', settlement: { epochMs: 10 } } })).message,
    ).toContain('at least 1s')
    const alone = refusal(() =>
      loadConfig({ flags: { dataDir: '/d', settlement: { rpcUrl: 'http://127.0.0.1:8545' } } }),
    )
    expect(alone.message).toContain('--rpc-url and --contracts together')
    const badUrl = refusal(() =>
      loadConfig({ flags: { dataDir: '/d', settlement: { rpcUrl: 'ftp://x', contractsFile: '/c.json' } } }),
    )
    expect(badUrl.message).toContain('JSON-RPC URL')
  })

  it('layers file < environment < flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcx-config-'))
    const file = join(dir, 'hcx.json')
    await writeFile(
      file,
      JSON.stringify({ network: 'from-file', api: { port: 1111 }, connections: { target: 7 } }),
    )
    const config = loadConfig({
      file,
      env: { HCX_NETWORK: 'from-env', HCX_API_PORT: '2222', UNRELATED: 'x' },
      flags: { dataDir: '/d', api: { port: 3333 }, listen: undefined },
    })
    expect(config.network).toBe('from-env')
    expect(config.api.port).toBe(3333)
    expect(config.connections.target).toBe(7)
    expect(config.connections.max).toBe(256)
  })

  it('refuses a wrong value naming the key, the value, its source and what is allowed', () => {
    const err = refusal(() => loadConfig({ flags: { dataDir: '/d', role: 'banker' } }))
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.message).toContain("'role'")
    expect(err.message).toContain('"banker"')
    expect(err.message).toContain('flags')
    expect(err.message).toMatch(/provider.*full.*light/)
  })

  it('refuses a malformed multiaddr and a bootstrap address without a peer id', () => {
    const bad = refusal(() =>
      loadConfig({ flags: { dataDir: '/d', listen: ['/ip4/127.0.0.1/tcp/0', 'not-a-multiaddr'] } }),
    )
    expect(bad.message).toContain("'listen[1]'")
    expect(bad.message).toContain('not-a-multiaddr')
    const noPeer = refusal(() =>
      loadConfig({ flags: { dataDir: '/d', bootstrap: ['/ip4/1.2.3.4/tcp/4001'] } }),
    )
    expect(noPeer.message).toContain("'bootstrap[0]'")
    expect(noPeer.message).toContain('/p2p/')
  })

  it('refuses listen addresses for a light client', () => {
    const err = refusal(() =>
      loadConfig({ flags: { dataDir: '/d', role: 'light', listen: ['/ip4/127.0.0.1/tcp/0'] } }),
    )
    expect(err.message).toContain("'listen'")
    expect(err.message).toContain('light client listens on nothing')
  })

  it('refuses a non-numeric port from the environment, naming the environment', () => {
    const err = refusal(() => loadConfig({ env: { HCX_API_PORT: 'eighty' }, flags: { dataDir: '/d' } }))
    expect(err.message).toContain("'api.port'")
    expect(err.message).toContain('"eighty"')
    expect(err.message).toContain('environment')
  })

  it('refuses out-of-range numbers and unknown keys in a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcx-config-'))
    const file = join(dir, 'hcx.json')
    await writeFile(file, JSON.stringify({ api: { port: 70_000 } }))
    const range = refusal(() => loadConfig({ file, flags: { dataDir: '/d' } }))
    expect(range.message).toContain("'api.port' = 70000")
    expect(range.message).toContain(`file ${file}`)

    await writeFile(file, JSON.stringify({ conections: {} }))
    const unknown = refusal(() => loadConfig({ file, flags: { dataDir: '/d' } }))
    expect(unknown.message).toContain("'conections'")
  })

  it('reports an unreadable or malformed config file with its path', async () => {
    expect(refusal(() => loadConfig({ file: '/nonexistent/hcx.json' })).code).toBe('CONFIG_FILE_UNREADABLE')
    const dir = await mkdtemp(join(tmpdir(), 'hcx-config-'))
    const file = join(dir, 'hcx.json')
    await writeFile(file, '{ not json')
    expect(refusal(() => loadConfig({ file })).code).toBe('CONFIG_FILE_MALFORMED')
  })
})
