// The embedded chain's journal over a real in-process EVM: every call that changes chain state
// is recorded (each mined block with the time it was given), reads are not, a refused
// transaction is forgotten, calls that cannot be replayed are refused, and replaying the
// journal into a fresh chain rebuilds the same blocks and state.

import {
  BrowserProvider,
  type Eip1193Provider,
  id,
  keccak256,
  toQuantity,
  Wallet,
  zeroPadValue,
} from 'ethers'
import { afterEach, describe, expect, it } from 'vitest'
import { DEV_CHAIN_ID, startEmbeddedChain } from '../../../../ledger/chain/embedded-chain.ts'
import { ChainError } from '../../../../ledger/chain/errors.ts'
import { type ChainJournal, type JournalEntry, journaledChain } from '../../../../ledger/chain/journal.ts'

/** 2026-01-01T00:00:00Z, the embedded chain's genesis (DEV_GENESIS_DATE). */
const GENESIS_SECONDS = 1_767_225_600
const GAS_FUNDS = toQuantity(10n ** 21n)

/**
 * Init code that stores 42 in slot 0 and deploys RUNTIME, which stores the first calldata
 * word in slot 0: PUSH1 42 PUSH1 0 SSTORE, CODECOPY(0, 17, 7), RETURN(0, 7).
 */
const RUNTIME = '0x60003560005500'
const INIT_CODE = `0x602a6000556007601160003960076000f3${RUNTIME.slice(2)}`

class MemoryJournal implements ChainJournal {
  private readonly stored = new Map<string, JournalEntry>()
  private next = 0

  constructor(entries: JournalEntry[] = []) {
    for (const entry of entries) this.stored.set(this.key(), structuredClone(entry))
  }

  get entries(): JournalEntry[] {
    return [...this.stored.values()].map((e) => structuredClone(e))
  }

  async load(): Promise<JournalEntry[]> {
    return this.entries
  }

  async append(entry: JournalEntry): Promise<string> {
    const key = this.key()
    this.stored.set(key, structuredClone(entry))
    return key
  }

  async remove(key: string): Promise<void> {
    this.stored.delete(key)
  }

  private key(): string {
    return String(this.next++).padStart(12, '0')
  }
}

interface Journaled {
  provider: Eip1193Provider
  ethers: BrowserProvider
  /** Every method the journaled provider forwarded to the chain, in order. */
  forwarded: string[]
}

const opened: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()))
})

/** A fresh embedded chain behind `journal`, stamping transactions at `clock()`. */
async function journaled(journal: ChainJournal, clock: () => number): Promise<Journaled> {
  const chain = await startEmbeddedChain()
  opened.push(chain)
  const forwarded: string[] = []
  const spy: Eip1193Provider = {
    request: (call) => {
      forwarded.push(call.method)
      return chain.provider.request(call)
    },
  }
  const { provider } = await journaledChain(spy, journal, clock)
  const ethers = new BrowserProvider(provider, DEV_CHAIN_ID, { cacheTimeout: -1 })
  opened.push({ close: async () => ethers.destroy() })
  return { provider, ethers, forwarded }
}

/** A wallet with gas on `chain`, funded through the journaled provider. */
async function fundedWallet(chain: Journaled, label: string): Promise<Wallet> {
  const wallet = new Wallet(id(`hcx journal test ${label}`), chain.ethers)
  await chain.provider.request({ method: 'hardhat_setBalance', params: [wallet.address, GAS_FUNDS] })
  return wallet
}

async function send(wallet: Wallet, tx: { to?: string; value?: bigint; data?: string }) {
  const receipt = await (await wallet.sendTransaction(tx)).wait()
  if (receipt === null || receipt.status !== 1) throw new Error('transaction failed')
  return receipt
}

async function latestBlock(chain: Journaled) {
  const block = await chain.ethers.getBlock('latest')
  if (block === null) throw new Error('no latest block')
  return block
}

/** Every block's number, timestamp and hash, genesis included. */
async function blocks(chain: Journaled) {
  const latest = await chain.ethers.getBlockNumber()
  const all = []
  for (let n = 0; n <= latest; n++) {
    const block = await chain.ethers.getBlock(n)
    all.push({ number: block?.number, timestamp: block?.timestamp, hash: block?.hash })
  }
  return all
}

describe('the journaled embedded chain', () => {
  it('records each state change, a transaction after its block timestamp, and no reads', async () => {
    const journal = new MemoryJournal()
    const clock = GENESIS_SECONDS + 1_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    const bob = Wallet.createRandom()
    const receipt = await send(alice, { to: bob.address, value: 5n })
    // Reads reach the chain but leave no trace in the journal.
    expect(await chain.ethers.getBalance(bob.address)).toBe(5n)
    await chain.ethers.getTransactionCount(alice.address)
    await chain.ethers.call({ to: bob.address, data: '0x' })
    await chain.ethers.getBlockNumber()
    await chain.provider.request({ method: 'hardhat_setNonce', params: [bob.address, '0x7'] })

    expect(journal.entries.map((e) => e.method)).toEqual([
      'hardhat_setBalance',
      'evm_setNextBlockTimestamp',
      'eth_sendRawTransaction',
      'hardhat_setNonce',
    ])
    const [setBalance, stamp, raw] = journal.entries
    expect(setBalance?.params).toEqual([alice.address, GAS_FUNDS])
    expect(stamp?.params).toEqual([clock])
    expect(keccak256(String(raw?.params[0]))).toBe(receipt.hash)
    expect((await latestBlock(chain)).timestamp).toBe(clock)
    for (const read of ['eth_getBalance', 'eth_getTransactionCount', 'eth_call', 'eth_blockNumber']) {
      expect(chain.forwarded).toContain(read)
    }
  })

  it('stamps each transaction at the clock, and never earlier than one second after the last', async () => {
    const journal = new MemoryJournal()
    let clock = GENESIS_SECONDS + 5_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    const to = Wallet.createRandom().address
    await send(alice, { to, value: 1n })
    expect((await latestBlock(chain)).timestamp).toBe(clock)
    // A clock that stands still or goes back still gives increasing timestamps.
    await send(alice, { to, value: 1n })
    clock -= 100
    await send(alice, { to, value: 1n })
    const stamps = journal.entries.filter((e) => e.method === 'evm_setNextBlockTimestamp')
    expect(stamps.map((e) => e.params[0])).toEqual([clock + 100, clock + 101, clock + 102])
    expect((await latestBlock(chain)).timestamp).toBe(clock + 102)
  })

  it('replays into a fresh chain with the same blocks, balances, code and storage', async () => {
    const journal = new MemoryJournal()
    let clock = GENESIS_SECONDS + 10_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    const bob = await fundedWallet(chain, 'bob')
    const deployed = await send(alice, { data: INIT_CODE })
    const contract = deployed.contractAddress ?? ''
    expect(await chain.ethers.getCode(contract)).toBe(RUNTIME)
    expect(BigInt(await chain.ethers.getStorage(contract, 0))).toBe(42n)
    clock += 60
    await send(bob, { to: contract, data: zeroPadValue('0xbeef', 32) })
    expect(BigInt(await chain.ethers.getStorage(contract, 0))).toBe(0xbeefn)
    clock += 3_600
    await send(alice, { to: bob.address, value: 12_345n })
    await chain.provider.request({
      method: 'hardhat_setStorageAt',
      params: [contract, '0x1', zeroPadValue('0x07', 32)],
    })

    const state = async (c: Journaled) => ({
      blocks: await blocks(c),
      balances: await Promise.all([alice, bob].map((w) => c.ethers.getBalance(w.address))),
      nonces: await Promise.all([alice, bob].map((w) => c.ethers.getTransactionCount(w.address))),
      code: await c.ethers.getCode(contract),
      storage: await Promise.all([0, 1].map((slot) => c.ethers.getStorage(contract, slot))),
    })
    const before = await state(chain)
    expect(before.blocks).toHaveLength(4)
    expect(before.blocks.slice(1).map((b) => b.timestamp)).toEqual([
      GENESIS_SECONDS + 10_000,
      GENESIS_SECONDS + 10_060,
      GENESIS_SECONDS + 13_660,
    ])
    expect(BigInt(before.storage[1] ?? '0')).toBe(7n)

    // The replay reads the recorded timestamps, not its own clock.
    const replayed = await journaled(new MemoryJournal(journal.entries), () => GENESIS_SECONDS)
    expect(await state(replayed)).toEqual(before)
    expect(replayed.forwarded.slice(0, journal.entries.length)).toEqual(journal.entries.map((e) => e.method))

    // The replayed chain goes on after the replayed transactions, however far back its clock is.
    const again = new Wallet(alice.privateKey, replayed.ethers)
    await send(again, { to: bob.address, value: 1n })
    expect((await latestBlock(replayed)).timestamp).toBe(GENESIS_SECONDS + 13_661)
  })

  it('forgets a transaction the chain refuses, and replays without it', async () => {
    const journal = new MemoryJournal()
    const chain = await journaled(journal, () => GENESIS_SECONDS + 1_000)
    const alice = await fundedWallet(chain, 'alice')
    const to = Wallet.createRandom().address
    const first = await alice.signTransaction(await alice.populateTransaction({ to, value: 1n }))
    await chain.provider.request({ method: 'eth_sendRawTransaction', params: [first] })
    const entries = journal.entries
    // The same nonce again: refused, and gone from the journal.
    const reused = await alice.signTransaction(await alice.populateTransaction({ to, value: 2n, nonce: 0 }))
    await expect(
      chain.provider.request({ method: 'eth_sendRawTransaction', params: [reused] }),
    ).rejects.toThrow(/nonce/i)
    const raws = journal.entries.filter((e) => e.method === 'eth_sendRawTransaction')
    expect(raws.map((e) => e.params[0])).toEqual([first])
    expect(journal.entries.slice(0, entries.length)).toEqual(entries)
    expect(await chain.ethers.getBalance(to)).toBe(1n)

    const replayed = await journaled(new MemoryJournal(journal.entries), () => GENESIS_SECONDS)
    expect(await replayed.ethers.getBalance(to)).toBe(1n)
    expect(await replayed.ethers.getTransactionCount(alice.address)).toBe(1)
  })

  it('takes a transaction after evm_increaseTime and evm_mine moved the chain past the clock', async () => {
    const journal = new MemoryJournal()
    const clock = GENESIS_SECONDS + 1_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    const to = Wallet.createRandom().address
    await send(alice, { to, value: 1n })
    await chain.provider.request({ method: 'evm_increaseTime', params: [86_400] })
    await chain.provider.request({ method: 'evm_mine', params: [] })
    const mined = await latestBlock(chain)
    expect(mined.timestamp).toBeGreaterThanOrEqual(clock + 86_400)

    const receipt = await send(alice, { to, value: 1n })
    const block = await chain.ethers.getBlock(receipt.blockNumber)
    expect(block?.timestamp).toBe(mined.timestamp + 1)
    expect(await chain.ethers.getBalance(to)).toBe(2n)
    expect(journal.entries.map((e) => e.method)).toContain('evm_mine')
  })

  it('refuses calls it cannot replay, with a clear error, and records nothing', async () => {
    const journal = new MemoryJournal()
    const chain = await journaled(journal, () => GENESIS_SECONDS + 1_000)
    const alice = await fundedWallet(chain, 'alice')
    const recorded = journal.entries
    const forwarded = chain.forwarded.length
    const calls = [
      { method: 'eth_sendTransaction', params: [{ from: alice.address, to: alice.address, value: '0x1' }] },
      { method: 'evm_snapshot', params: [] },
      { method: 'evm_revert', params: ['0x1'] },
      { method: 'hardhat_reset', params: [] },
    ]
    for (const call of calls) {
      await expect(chain.provider.request(call)).rejects.toThrow(
        `${call.method} is not available on the embedded chain: sign transactions locally`,
      )
    }
    expect(journal.entries).toEqual(recorded)
    expect(chain.forwarded).toHaveLength(forwarded)
  })

  it('fails the start with CHAIN_REPLAY_FAILED naming the entry that does not replay', async () => {
    const journal = new MemoryJournal()
    const chain = await journaled(journal, () => GENESIS_SECONDS + 1_000)
    const alice = await fundedWallet(chain, 'alice')
    await send(alice, { to: alice.address, value: 1n })
    const [, stamp, raw] = journal.entries as [JournalEntry, JournalEntry, JournalEntry]
    // The transaction without the funding before it: its sender cannot pay for gas.
    const broken = new MemoryJournal([stamp, raw])
    const fresh = await startEmbeddedChain()
    opened.push(fresh)
    const err = await journaledChain(fresh.provider, broken, () => GENESIS_SECONDS).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChainError)
    expect((err as ChainError).type).toEqual({ code: 'CHAIN_REPLAY_FAILED', index: 1 })
    expect((err as ChainError).message).toContain('journal entry 1 (eth_sendRawTransaction)')
  })

  // Regression: a bare evm_mine was journaled without a timestamp, so the chain took its
  // block's time from the wall clock, and a replay at another moment rebuilt other blocks.
  it('replays a bare evm_mine at the time it was first mined, however long ago that was', async () => {
    const journal = new MemoryJournal()
    const chain = await journaled(journal, () => GENESIS_SECONDS + 1_000)
    const alice = await fundedWallet(chain, 'alice')
    await send(alice, { to: alice.address, value: 1n })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await chain.provider.request({ method: 'evm_increaseTime', params: [600] })
    await chain.provider.request({ method: 'evm_mine', params: [] })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await chain.provider.request({ method: 'evm_mine', params: [] })
    const before = await blocks(chain)
    expect(before.slice(1).map((b) => b.timestamp)).toEqual([
      GENESIS_SECONDS + 1_000,
      GENESIS_SECONDS + 1_600,
      GENESIS_SECONDS + 1_601,
    ])
    const replayed = await journaled(new MemoryJournal(journal.entries), () => GENESIS_SECONDS + 1_000)
    expect(await blocks(replayed)).toEqual(before)
  })

  it('keeps evm_increaseTime’s offset on the clock, also after a replay', async () => {
    const journal = new MemoryJournal()
    const clock = GENESIS_SECONDS + 2_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    await chain.provider.request({ method: 'evm_increaseTime', params: [3_600] })
    await send(alice, { to: alice.address, value: 1n })
    expect((await latestBlock(chain)).timestamp).toBe(clock + 3_600)

    // A later start, its clock 100 seconds on: blocks follow that clock, offset included.
    const replayed = await journaled(new MemoryJournal(journal.entries), () => clock + 100)
    expect((await latestBlock(replayed)).timestamp).toBe(clock + 3_600)
    await send(new Wallet(alice.privateKey, replayed.ethers), { to: alice.address, value: 1n })
    expect((await latestBlock(replayed)).timestamp).toBe(clock + 3_700)
  })

  it('mines the next block at a time the caller pinned, and adds no time of its own', async () => {
    const journal = new MemoryJournal()
    const clock = GENESIS_SECONDS + 3_000
    const chain = await journaled(journal, () => clock)
    const alice = await fundedWallet(chain, 'alice')
    await chain.provider.request({ method: 'evm_setNextBlockTimestamp', params: [clock + 500] })
    await send(alice, { to: alice.address, value: 1n })
    expect((await latestBlock(chain)).timestamp).toBe(clock + 500)
    await chain.provider.request({ method: 'evm_mine', params: [clock + 900] })
    expect((await latestBlock(chain)).timestamp).toBe(clock + 900)
    // Unpinned again: the next transaction goes one second after the last block.
    await send(alice, { to: alice.address, value: 1n })
    expect((await latestBlock(chain)).timestamp).toBe(clock + 901)
    expect(journal.entries.slice(1).map((e) => [e.method, e.params[0]])).toEqual([
      ['evm_setNextBlockTimestamp', clock + 500],
      ['eth_sendRawTransaction', expect.any(String)],
      ['evm_mine', clock + 900],
      ['evm_setNextBlockTimestamp', clock + 901],
      ['eth_sendRawTransaction', expect.any(String)],
    ])
  })
})
