import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { computeAddress, SigningKey } from 'ethers'
import { describe, expect, it } from 'vitest'
import { ethereumAddress } from '../../../../node/identity/ethereum-address.ts'
import { initKeys, keyPaths, loadKeys, loadOrInitKeys } from '../../../../node/identity/keys.ts'

const tempDir = () => mkdtemp(join(tmpdir(), 'hcx-keys-'))

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

describe('node keys', () => {
  it('creates an Ed25519 peer key and a settlement key, both mode 0600, and loads them back', async () => {
    const dir = await tempDir()
    const created = await initKeys(dir)
    expect(created.peerKey.type).toBe('Ed25519')
    expect(created.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const paths = keyPaths(dir)
    for (const path of [paths.peerKey, paths.settlementKey])
      expect((await stat(path)).mode & 0o777).toBe(0o600)
    const loaded = await loadKeys(dir)
    expect(loaded.peerId.toString()).toBe(created.peerId.toString())
    expect(loaded.address).toBe(created.address)
  })

  it('never overwrites keys without force', async () => {
    const dir = await tempDir()
    const first = await initKeys(dir)
    expect(await codeOf(initKeys(dir))).toBe('KEYS_EXIST')
    expect((await loadKeys(dir)).peerId.toString()).toBe(first.peerId.toString())
    const replaced = await initKeys(dir, { force: true })
    expect(replaced.peerId.toString()).not.toBe(first.peerId.toString())
  })

  it('creates keys on first start only', async () => {
    const dir = await tempDir()
    const first = await loadOrInitKeys(dir)
    const second = await loadOrInitKeys(dir)
    expect(second.peerId.toString()).toBe(first.peerId.toString())
  })

  it('refuses missing, world-readable and corrupt key files', async () => {
    const dir = await tempDir()
    expect(await codeOf(loadKeys(dir))).toBe('KEYS_MISSING')
    await initKeys(dir)
    const paths = keyPaths(dir)
    await chmod(paths.settlementKey, 0o644)
    expect(await codeOf(loadKeys(dir))).toBe('KEY_FILE_UNSAFE')
    await writeFile(paths.settlementKey, 'nonsense', { mode: 0o600 })
    await chmod(paths.settlementKey, 0o600)
    expect(await codeOf(loadKeys(dir))).toBe('KEY_FILE_INVALID')
    await writeFile(paths.peerKey, 'garbage')
    expect(await codeOf(loadKeys(dir))).toBe('KEY_FILE_INVALID')
  })

  it('derives the same checksummed address as ethers', () => {
    const key = Buffer.from('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', 'hex')
    expect(ethereumAddress(key)).toBe('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23')
    for (let i = 1; i <= 20; i++) {
      const k = Buffer.alloc(32, i)
      expect(ethereumAddress(k)).toBe(computeAddress(new SigningKey(k)))
    }
  })
})
