// The embedded chain's journal kept in the node's store.

import type { Store } from '../store/store.ts'
import type { ChainJournal } from './journal.ts'

export async function storeJournal(store: Store): Promise<ChainJournal> {
  const existing = await store.entries('chain')
  let next = existing.length === 0 ? 0 : Number(existing[existing.length - 1]?.[0]) + 1
  return {
    load: async () => existing.map(([, entry]) => entry),
    append: async (entry) => {
      const key = String(next++).padStart(12, '0')
      await store.put('chain', key, entry)
      return key
    },
    remove: (key) => store.batch([{ type: 'del', sublevel: 'chain', key }]),
  }
}
