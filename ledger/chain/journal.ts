// EDR cannot dump its state, so the embedded chain keeps a journal instead: every call that
// changes chain state is recorded before it is forwarded, and replayed in order at start.
// Each transaction gets an explicit block timestamp, recorded with it, so a replayed
// chain has the same blocks and time-dependent contract logic gives the same results.

import type { Eip1193Provider } from 'ethers'
import { ChainError } from './errors.ts'

export interface JournalEntry {
  method: string
  params: unknown[]
}

export interface ChainJournal {
  load(): Promise<JournalEntry[]>
  /** Persists the entry; resolves with a key that `remove` accepts. */
  append(entry: JournalEntry): Promise<string>
  remove(key: string): Promise<void>
}

const STATE_CHANGING = new Set([
  'eth_sendRawTransaction',
  'hardhat_setBalance',
  'hardhat_setCode',
  'hardhat_setStorageAt',
  'hardhat_setNonce',
  'evm_setNextBlockTimestamp',
  'evm_increaseTime',
  'evm_mine',
])

/** Methods the journaled chain refuses: they cannot be replayed faithfully. */
const UNREPLAYABLE = new Set(['eth_sendTransaction', 'evm_revert', 'evm_snapshot', 'hardhat_reset'])

export interface JournaledChain {
  provider: Eip1193Provider
}

/** Replays `journal` into `chain`, then returns a provider that records as it goes. */
export async function journaledChain(
  chain: Eip1193Provider,
  journal: ChainJournal,
  nowSeconds: () => number,
): Promise<JournaledChain> {
  const entries = await journal.load()
  // Seconds evm_increaseTime has added; block times follow the clock plus this offset.
  let offset = 0
  for (const [index, entry] of entries.entries()) {
    try {
      await chain.request(entry)
    } catch (cause) {
      throw new ChainError(
        { code: 'CHAIN_REPLAY_FAILED', index },
        `the embedded chain's journal entry ${index} (${entry.method}) failed on replay; the chain state under this data dir is inconsistent`,
        { cause },
      )
    }
    if (entry.method === 'evm_increaseTime') offset += Number(entry.params[0])
  }

  const record = async (entry: JournalEntry): Promise<unknown> => {
    const key = await journal.append(entry)
    try {
      return await chain.request(entry)
    } catch (err) {
      // Refused before it changed anything (a bad nonce, a malformed call): forget it.
      await journal.remove(key)
      throw err
    }
  }

  /** The next block's time, made explicit so that a replay mines it at the same time. */
  const nextTimestamp = async (): Promise<number> => {
    const latest = (await chain.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
      timestamp: string
    }
    return Math.max(nowSeconds() + offset, Number(BigInt(latest.timestamp)) + 1)
  }

  // A caller's own evm_setNextBlockTimestamp already pins the next block.
  let pinned = false
  const provider: Eip1193Provider = {
    async request(call) {
      const entry = { method: call.method, params: (call.params as unknown[] | undefined) ?? [] }
      if (UNREPLAYABLE.has(entry.method)) {
        throw new Error(`${entry.method} is not available on the embedded chain: sign transactions locally`)
      }
      if (!STATE_CHANGING.has(entry.method)) return chain.request(call)
      const minesBlock = entry.method === 'eth_sendRawTransaction' || entry.method === 'evm_mine'
      if (minesBlock && !pinned && entry.method === 'eth_sendRawTransaction') {
        await record({ method: 'evm_setNextBlockTimestamp', params: [await nextTimestamp()] })
      } else if (minesBlock && !pinned && entry.params.length === 0) {
        entry.params = [await nextTimestamp()]
      }
      const result = await record(entry)
      if (entry.method === 'evm_increaseTime') offset += Number(entry.params[0])
      if (entry.method === 'evm_setNextBlockTimestamp') pinned = true
      else if (minesBlock) pinned = false
      return result
    },
  }
  return { provider }
}
