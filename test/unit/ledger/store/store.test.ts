import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Store } from '../../../../ledger/store/store.ts'

describe('store', () => {
  it('keeps typed sublevels apart and survives a reopen', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'hcx-store-')), 'store')
    const store = await Store.open(path)
    await store.put('peers', 'p1', { addrs: ['/ip4/127.0.0.1/tcp/1'], lastConnectedAt: 5 })
    await store.put('checkpoints', 'p1', { savedAt: 1, data: { walks: 3 } })
    await store.close()

    const reopened = await Store.open(path)
    expect(await reopened.get('peers', 'p1')).toEqual({ addrs: ['/ip4/127.0.0.1/tcp/1'], lastConnectedAt: 5 })
    expect(await reopened.get('checkpoints', 'p1')).toEqual({ savedAt: 1, data: { walks: 3 } })
    expect(await reopened.get('meta', 'p1')).toBeUndefined()
    await reopened.close()
  })

  it('applies a batch across sublevels atomically: all of it or none of it', async () => {
    const store = await Store.open(join(await mkdtemp(join(tmpdir(), 'hcx-store-')), 'store'))
    await store.batch([
      { type: 'put', sublevel: 'peers', key: 'a', value: { addrs: [], lastConnectedAt: 1 } },
      { type: 'put', sublevel: 'meta', key: 'node', value: { peerId: 'x', createdAt: 1, network: 'main' } },
    ])
    expect((await store.entries('peers')).map(([key]) => key)).toEqual(['a'])

    // A batch with one value that cannot be encoded fails whole: the first put must not land.
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expect(
      store.batch([
        { type: 'del', sublevel: 'peers', key: 'a' },
        { type: 'put', sublevel: 'checkpoints', key: 'c', value: { savedAt: 1, data: circular } },
      ]),
    ).rejects.toThrow()
    expect(await store.get('peers', 'a')).toBeDefined()
    expect(await store.get('checkpoints', 'c')).toBeUndefined()
    await store.close()
  })

  it('refuses a second opener of the same store with STORE_LOCKED', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'hcx-store-')), 'store')
    const store = await Store.open(path)
    await expect(Store.open(path)).rejects.toMatchObject({ code: 'STORE_LOCKED' })
    await store.close()
  })
})
