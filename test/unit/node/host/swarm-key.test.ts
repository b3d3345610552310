import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  formatSwarmKey,
  parseSwarmKey,
  readSwarmKey,
  writeNewSwarmKey,
} from '../../../../node/host/swarm-key.ts'

describe('swarm keys', () => {
  it('writes a v1 key file that parses back, and never overwrites one', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'hcx-psk-')), 'swarm.key')
    await writeNewSwarmKey(path)
    const text = await readFile(path, 'utf8')
    expect(text).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    expect(new TextDecoder().decode(await readSwarmKey(path))).toBe(text.trimEnd())
    await expect(writeNewSwarmKey(path)).rejects.toThrow()
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('refuses malformed keys with the reason', () => {
    const good = formatSwarmKey(new Uint8Array(32).fill(7))
    expect(() => parseSwarmKey(good, 'k')).not.toThrow()
    expect(() => parseSwarmKey(good.replace('/base16/', '/base64/'), 'k')).toThrow(/line 2/)
    expect(() => parseSwarmKey(good.replace('07', 'zz'), 'k')).toThrow(/64 hex digits/)
    expect(() => parseSwarmKey('\u0000\u0001binary', 'k')).toThrow(/line 1/)
  })

  it('reports an unreadable file by code', async () => {
    await expect(readSwarmKey('/nonexistent/swarm.key')).rejects.toMatchObject({
      code: 'SWARM_KEY_UNREADABLE',
    })
  })
})
