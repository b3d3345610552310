// ClearingHouse.settleEpoch on the embedded chain: a valid epoch moves positions and vault
// balances and records its root; every malformed batch is refused with its named error and
// leaves the chain as it was.

import type { Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { epochRoot } from '../../../../ledger/netting/epoch-root.ts'
import { instrumentKey } from '../../../../ledger/netting/instrument-key.ts'
import { type AccountLines, netLinesDigest, signNetLines } from '../../../../ledger/settlement/batch.ts'
import {
  revertOf,
  rootedTrade,
  type SignedBatch,
  startTestChain,
  type TestChain,
} from '../../../helpers/chain-fixture.ts'

const GPU = 'SPOT:gpu.h100'
const CPU = 'SPOT:cpu.x86'
const GPU_KEY = instrumentKey(GPU)
const CPU_KEY = instrumentKey(CPU)
const DEPOSIT = 1_000_000n

let chain: TestChain
let a: Wallet
let b: Wallet
let c: Wallet
let firstBatch: SignedBatch

const balance = async (w: Wallet) => (await chain.vault.getFunction('balanceOf')(w.address)) as bigint
const position = async (w: Wallet, key: string) =>
  (await chain.clearing.getFunction('position')(w.address, key)) as bigint

/** Everything a refused batch must leave alone. */
async function snapshot() {
  const wallets = [a, b, c]
  return {
    lastEpoch: await chain.lastEpoch(),
    balances: await Promise.all(wallets.map(balance)),
    positions: await Promise.all(wallets.flatMap((w) => [position(w, GPU_KEY), position(w, CPU_KEY)])),
    vaultTokens: (await chain.token.getFunction('balanceOf')(
      chain.session.contracts.CollateralVault,
    )) as bigint,
  }
}

async function refusal(signed: SignedBatch): Promise<string> {
  const before = await snapshot()
  const reason = await revertOf(() => chain.submit(signed))
  expect(await snapshot()).toEqual(before)
  return reason
}

const line = (instrument: string, position: bigint, cash: bigint) => ({
  instrument: instrumentKey(instrument),
  position,
  cash,
})
const entry = (w: Wallet, ...lines: ReturnType<typeof line>[]): AccountLines => ({
  account: w.address.toLowerCase(),
  lines,
})
/** Entries in increasing account order, as the contract wants them. */
const sorted = (...entries: AccountLines[]) =>
  entries.sort((x, y) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0))

const nextEpoch = async () => (await chain.lastEpoch()) + 1n
const ROOT = `0x${'11'.repeat(32)}`

beforeAll(async () => {
  chain = await startTestChain()
  ;[a, b, c] = (await chain.wallets(3)) as [Wallet, Wallet, Wallet]
  for (const w of [a, b, c]) await chain.fundCollateral(w, DEPOSIT)
})

afterAll(async () => {
  await chain?.close()
})

describe('ClearingHouse.settleEpoch', () => {
  it('settles a valid epoch: positions, cash, last epoch and trades root', async () => {
    const trades = [
      rootedTrade(GPU, a, b, 100n, 5n),
      rootedTrade(GPU, c, a, 110n, 2n),
      rootedTrade(CPU, b, c, 40n, 3n),
    ]
    expect(await chain.lastEpoch()).toBe(0n)
    firstBatch = await chain.batch(1n, trades, [a, b, c])
    const receipt = await chain.submit(firstBatch)

    expect(await chain.lastEpoch()).toBe(1n)
    expect(await chain.clearing.getFunction('epochRoot')(1n)).toBe(epochRoot(trades))
    expect(epochRoot(trades)).not.toBe(`0x${'0'.repeat(64)}`)
    expect(await chain.clearing.getFunction('epochRoot')(2n)).toBe(`0x${'0'.repeat(64)}`)

    expect(await position(a, GPU_KEY)).toBe(3n)
    expect(await position(b, GPU_KEY)).toBe(-5n)
    expect(await position(c, GPU_KEY)).toBe(2n)
    expect(await position(a, CPU_KEY)).toBe(0n)
    expect(await position(b, CPU_KEY)).toBe(3n)
    expect(await position(c, CPU_KEY)).toBe(-3n)

    // a: -500 + 220; b: +500 - 120; c: -220 + 120.
    expect(await balance(a)).toBe(DEPOSIT - 280n)
    expect(await balance(b)).toBe(DEPOSIT + 380n)
    expect(await balance(c)).toBe(DEPOSIT - 100n)
    expect(await chain.vault.getFunction('totalBalances')()).toBe(3n * DEPOSIT)
    expect(await chain.token.getFunction('balanceOf')(chain.session.contracts.CollateralVault)).toBe(
      3n * DEPOSIT,
    )

    const events = receipt.logs
      .map((log) => chain.clearing.interface.parseLog(log))
      .filter((parsed) => parsed?.name === 'EpochSettled')
    expect(events.map((e) => [...(e?.args ?? [])])).toEqual([[1n, epochRoot(trades), 3n, 5n]])
  })

  it('computes the same EIP-712 digest in TypeScript as the contract', async () => {
    for (const signed of firstBatch.entries) {
      const message = { epoch: 1n, tradesRoot: firstBatch.tradesRoot, entry: signed }
      const onChain = await chain.clearing.getFunction('netLinesDigest')(
        1n,
        firstBatch.tradesRoot,
        signed.account,
        signed.lines,
      )
      expect(onChain).toBe(netLinesDigest(chain.domain, message))
    }
    const entry = firstBatch.entries[0] as AccountLines
    const other = await chain.clearing.getFunction('netLinesDigest')(
      2n,
      firstBatch.tradesRoot,
      entry.account,
      [...entry.lines],
    )
    expect(other).not.toBe(
      netLinesDigest(chain.domain, { epoch: 1n, tradesRoot: firstBatch.tradesRoot, entry }),
    )
    expect(other).toBe(netLinesDigest(chain.domain, { epoch: 2n, tradesRoot: firstBatch.tradesRoot, entry }))
  })

  it('refuses a replayed epoch', async () => {
    expect(await refusal(firstBatch)).toBe('EpochAlreadySettled(1, 1)')
    const zero = await chain.batch(0n, [rootedTrade(GPU, a, b, 1n, 1n)], [a, b])
    expect(await refusal(zero)).toBe('EpochAlreadySettled(0, 1)')
  })

  it('refuses a skipped epoch', async () => {
    const skipped = await chain.batch(3n, [rootedTrade(GPU, a, b, 1n, 1n)], [a, b])
    expect(await refusal(skipped)).toBe('EpochSkipped(3, 2)')
  })

  it('refuses a batch signed with the wrong key', async () => {
    const signed = await chain.batch(await nextEpoch(), [rootedTrade(GPU, a, b, 10n, 1n)], [a, b])
    const target = signed.entries.find((e) => e.account === a.address.toLowerCase())
    if (target === undefined) throw new Error('a has no entry')
    target.signature = await signNetLines(c, chain.domain, {
      epoch: signed.epoch,
      tradesRoot: signed.tradesRoot,
      entry: target,
    })
    expect(await refusal(signed)).toBe(`BadSignature(${a.address})`)
  })

  it('refuses a line changed after signing, a changed trades root and a malformed signature', async () => {
    const epoch = await nextEpoch()
    const tampered = await chain.batch(epoch, [rootedTrade(GPU, b, c, 10n, 1n)], [b, c])
    const last = tampered.entries[1]
    if (last === undefined || last.lines[0] === undefined) throw new Error('expected two entries')
    last.lines[0].cash += 1n
    expect(await refusal(tampered)).toBe(
      `BadSignature(${(last.account === b.address.toLowerCase() ? b : c).address})`,
    )

    const rerooted = await chain.batch(epoch, [rootedTrade(GPU, b, c, 10n, 1n)], [b, c])
    rerooted.tradesRoot = ROOT
    const firstAccount = rerooted.entries[0]?.account
    expect(await refusal(rerooted)).toBe(
      `BadSignature(${(firstAccount === b.address.toLowerCase() ? b : c).address})`,
    )

    const garbled = await chain.batch(epoch, [rootedTrade(GPU, b, c, 10n, 1n)], [b, c])
    for (const e of garbled.entries) e.signature = `0x${'00'.repeat(65)}`
    expect(await refusal(garbled)).toBe(
      `BadSignature(${(firstAccount === b.address.toLowerCase() ? b : c).address})`,
    )
  })

  it('refuses positions that do not sum to zero', async () => {
    const lines = sorted(entry(a, line(GPU, 5n, -500n)), entry(b, line(GPU, -4n, 500n)))
    const signed = await chain.batch(await nextEpoch(), lines, [a, b], ROOT)
    expect(await refusal(signed)).toBe(`PositionsNotZeroSum(${GPU_KEY}, 1)`)
  })

  it('refuses cash that does not sum to zero, from the vault', async () => {
    const lines = sorted(entry(a, line(GPU, 5n, -500n)), entry(b, line(GPU, -5n, 499n)))
    const signed = await chain.batch(await nextEpoch(), lines, [a, b], ROOT)
    expect(await refusal(signed)).toBe('CashNotZeroSum(-1)')
  })

  it('refuses to take an account below zero', async () => {
    const held = await balance(a)
    const lines = sorted(entry(a, line(GPU, 1n, -(held + 1n))), entry(b, line(GPU, -1n, held + 1n)))
    const signed = await chain.batch(await nextEpoch(), lines, [a, b], ROOT)
    expect(await refusal(signed)).toBe(`Undercollateralised(${a.address}, -1, 0)`)
  })

  it('refuses accounts out of order or repeated', async () => {
    const signed = await chain.batch(await nextEpoch(), [rootedTrade(GPU, a, b, 10n, 1n)], [a, b])
    const [low, high] = signed.entries
    if (low === undefined || high === undefined) throw new Error('expected two entries')
    const lowWallet = low.account === a.address.toLowerCase() ? a : b
    const highWallet = lowWallet === a ? b : a
    expect(await refusal({ ...signed, entries: [high, low] })).toBe(`AccountsNotSorted(${lowWallet.address})`)
    expect(await refusal({ ...signed, entries: [low, high, high] })).toBe(
      `AccountsNotSorted(${highWallet.address})`,
    )
  })

  it('refuses lines out of order or repeated', async () => {
    const epoch = await nextEpoch()
    const [lowKey, highKey] = [GPU, CPU].sort((x, y) => (instrumentKey(x) < instrumentKey(y) ? -1 : 1)) as [
      string,
      string,
    ]
    const unordered = sorted(
      entry(a, line(highKey, 1n, -10n), line(lowKey, 1n, -10n)),
      entry(b, line(lowKey, -1n, 10n), line(highKey, -1n, 10n)),
    )
    expect(await refusal(await chain.batch(epoch, unordered, [a, b], ROOT))).toBe(
      `LinesNotSorted(${a.address}, ${instrumentKey(lowKey)})`,
    )
    const repeated = sorted(entry(a, line(GPU, 1n, -10n)), entry(b, line(GPU, -1n, 5n), line(GPU, 0n, 5n)))
    expect(await refusal(await chain.batch(epoch, repeated, [a, b], ROOT))).toBe(
      `LinesNotSorted(${b.address}, ${GPU_KEY})`,
    )
  })

  it('refuses an empty batch', async () => {
    expect(await refusal(await chain.batch(await nextEpoch(), [], [], ROOT))).toBe('EmptyBatch()')
  })

  it('settles the next epoch after all the refusals', async () => {
    const before = await snapshot()
    expect(before.lastEpoch).toBe(1n)
    const trades = [rootedTrade(CPU, a, c, 7n, 4n)]
    await chain.settle(2n, trades, [a, c])
    expect(await chain.lastEpoch()).toBe(2n)
    expect(await chain.clearing.getFunction('epochRoot')(2n)).toBe(epochRoot(trades))
    expect(await position(a, CPU_KEY)).toBe(4n)
    expect(await position(c, CPU_KEY)).toBe(-7n)
    expect(await balance(a)).toBe((before.balances[0] as bigint) - 28n)
    expect(await balance(c)).toBe((before.balances[2] as bigint) + 28n)
  })
  it('settles an account without lines that signs, and refuses it unsigned', async () => {
    const epoch = await nextEpoch()
    const before = await snapshot()
    const lines = sorted(entry(a, line(GPU, 2n, -30n)), entry(b, line(GPU, -2n, 30n)), entry(c))
    const unsigned = await chain.batch(epoch, lines, [a, b, c], ROOT)
    const silent = unsigned.entries.find((e) => e.lines.length === 0)
    if (silent === undefined) throw new Error('c has no entry')
    silent.signature = await signNetLines(a, chain.domain, { epoch, tradesRoot: ROOT, entry: silent })
    expect(await refusal(unsigned)).toBe(`BadSignature(${c.address})`)

    const receipt = await chain.settle(epoch, lines, [a, b, c], ROOT)
    expect(await chain.lastEpoch()).toBe(epoch)
    const settled = receipt.logs
      .map((log) => chain.clearing.interface.parseLog(log))
      .find((parsed) => parsed?.name === 'EpochSettled')
    expect([...(settled?.args ?? [])]).toEqual([epoch, ROOT, 3n, 2n])
    const after = await snapshot()
    expect(after.balances).toEqual([
      (before.balances[0] as bigint) - 30n,
      (before.balances[1] as bigint) + 30n,
      before.balances[2],
    ])
    expect(after.positions[4]).toBe(before.positions[4])
    expect(after.positions[5]).toBe(before.positions[5])
  })
})
