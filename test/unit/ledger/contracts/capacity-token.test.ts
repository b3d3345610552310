// CapacityToken on the embedded chain: only registered providers mint, minting locks the
// provider's collateral in the vault (so it can neither be withdrawn nor settled away),
// redeeming burns the holder's units and unlocks it, and every class and window has its own id.

import { AbiCoder, keccak256, type TransactionReceipt, type Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instrumentKey } from '../../../../ledger/netting/instrument-key.ts'
import { revertOf, sendTx, startTestChain, type TestChain } from '../../../helpers/chain-fixture.ts'

const CLASS = 'gpu.h100'
const WINDOW_START = 1_798_761_600n
const HOUR = 3600n
const JOB = `0x${'ab'.repeat(32)}`
const SPOT = 'SPOT:gpu.h100'

let chain: TestChain
let provider: Wallet
let holder: Wallet
let outsider: Wallet
let perUnit: bigint
let id: bigint
let laterId: bigint

const expectedId = (capacityClass: string, start: bigint, seconds: bigint) =>
  BigInt(
    keccak256(
      AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'uint64'], [capacityClass, start, seconds]),
    ),
  )
const vaultView = async (fn: string, w: Wallet) => (await chain.vault.getFunction(fn)(w.address)) as bigint
const units = async (w: Wallet, tokenId: bigint) =>
  (await chain.capacity.getFunction('balanceOf')(w.address, tokenId)) as bigint
const outstanding = async (w: Wallet, tokenId: bigint) =>
  (await chain.capacity.getFunction('outstanding')(w.address, tokenId)) as bigint
const role = async (name: string) => (await chain.capacity.getFunction(name)()) as string
const mint = (as: Wallet, to: Wallet, tokenId: bigint, amount: bigint) =>
  sendTx('mint', () => chain.as('CapacityToken', as).getFunction('mint')(to.address, tokenId, amount))
const redeem = (as: Wallet, tokenId: bigint, amount: bigint, by: Wallet) =>
  sendTx('redeem', () =>
    chain.as('CapacityToken', as).getFunction('redeem')(tokenId, amount, by.address, JOB),
  )
const withdraw = (as: Wallet, amount: bigint) =>
  sendTx('withdraw', () => chain.as('CollateralVault', as).getFunction('withdraw')(amount))
const eventArgs = (receipt: TransactionReceipt, name: string) =>
  receipt.logs
    .map((log) => chain.capacity.interface.parseLog(log))
    .filter((parsed) => parsed?.name === name)
    .map((parsed) => [...(parsed?.args ?? [])])

beforeAll(async () => {
  chain = await startTestChain()
  ;[provider, holder, outsider] = (await chain.wallets(3)) as [Wallet, Wallet, Wallet]
  perUnit = (await chain.capacity.getFunction('collateralPerUnit')()) as bigint
  const tokenId = chain.capacity.getFunction('tokenId')
  id = (await tokenId(CLASS, WINDOW_START, HOUR)) as bigint
  laterId = (await tokenId(CLASS, WINDOW_START + HOUR, HOUR)) as bigint
  await chain.fundCollateral(provider, 10n * perUnit)
  await chain.fundCollateral(holder, 5n * perUnit)
})

afterAll(async () => {
  await chain?.close()
})

describe('CapacityToken', () => {
  it('gives each capacity class and delivery window its own token id', async () => {
    const tokenId = chain.capacity.getFunction('tokenId')
    expect(perUnit).toBe(1000n)
    expect(id).toBe(expectedId(CLASS, WINDOW_START, HOUR))
    expect(laterId).toBe(expectedId(CLASS, WINDOW_START + HOUR, HOUR))
    expect(await tokenId(CLASS, WINDOW_START, HOUR)).toBe(id)
    const ids = new Set([
      id,
      laterId,
      await tokenId(CLASS, WINDOW_START, 2n * HOUR),
      await tokenId('gpu.a100', WINDOW_START, HOUR),
    ])
    expect(ids.size).toBe(4)
  })

  it('mints only for PROVIDER_ROLE, which REGISTRAR_ROLE grants', async () => {
    const [providerRole, registrarRole] = [await role('PROVIDER_ROLE'), await role('REGISTRAR_ROLE')]
    expect(await revertOf(() => mint(provider, holder, id, 1n))).toBe(
      `AccessControlUnauthorizedAccount(${provider.address}, ${providerRole})`,
    )
    const asOutsider = chain.as('CapacityToken', outsider)
    expect(await revertOf(() => asOutsider.getFunction('grantRole')(providerRole, provider.address))).toBe(
      `AccessControlUnauthorizedAccount(${outsider.address}, ${registrarRole})`,
    )
    expect(await chain.capacity.getFunction('getRoleAdmin')(providerRole)).toBe(registrarRole)

    await sendTx('grant registrar', () =>
      chain.capacity.getFunction('grantRole')(registrarRole, outsider.address),
    )
    await sendTx('grant provider', () => asOutsider.getFunction('grantRole')(providerRole, provider.address))
    expect(await chain.capacity.getFunction('hasRole')(providerRole, provider.address)).toBe(true)
    expect(await chain.capacity.getFunction('hasRole')(providerRole, outsider.address)).toBe(false)
    expect(await units(holder, id)).toBe(0n)
  })

  it('locks amount × collateralPerUnit of the provider in the vault when minting', async () => {
    expect(await revertOf(() => mint(provider, holder, id, 0n))).toBe('ZeroAmount()')
    const receipt = await mint(provider, holder, id, 4n)
    expect(eventArgs(receipt, 'TransferSingle')).toEqual([
      [provider.address, '0x0000000000000000000000000000000000000000', holder.address, id, 4n],
    ])
    expect(await units(holder, id)).toBe(4n)
    expect(await outstanding(provider, id)).toBe(4n)
    expect(await vaultView('balanceOf', provider)).toBe(10n * perUnit)
    expect(await vaultView('lockedOf', provider)).toBe(4n * perUnit)
    expect(await vaultView('freeBalanceOf', provider)).toBe(6n * perUnit)
    expect(await chain.vault.getFunction('totalBalances')()).toBe(15n * perUnit)
  })

  it('keeps locked collateral from being withdrawn, locked again or settled away', async () => {
    expect(await revertOf(() => withdraw(provider, 6n * perUnit + 1n))).toBe(
      `InsufficientFreeBalance(${provider.address}, ${6n * perUnit}, ${6n * perUnit + 1n})`,
    )
    expect(await revertOf(() => mint(provider, holder, id, 7n))).toBe(
      `InsufficientFreeBalance(${provider.address}, ${6n * perUnit}, ${7n * perUnit})`,
    )
    await withdraw(provider, 6n * perUnit)
    expect(await vaultView('balanceOf', provider)).toBe(4n * perUnit)
    expect(await vaultView('freeBalanceOf', provider)).toBe(0n)
    expect(await chain.token.getFunction('balanceOf')(provider.address)).toBe(6n * perUnit)
    expect(await revertOf(() => withdraw(provider, 1n))).toBe(
      `InsufficientFreeBalance(${provider.address}, 0, 1)`,
    )

    const lines = [
      { account: provider.address, instrument: SPOT, position: 1n, cash: -1n },
      { account: holder.address, instrument: SPOT, position: -1n, cash: 1n },
    ]
    const epoch = (await chain.lastEpoch()) + 1n
    const signed = await chain.batch(epoch, lines, [provider, holder], `0x${'22'.repeat(32)}`)
    expect(await revertOf(() => chain.submit(signed))).toBe(
      `Undercollateralised(${provider.address}, ${4n * perUnit - 1n}, ${4n * perUnit})`,
    )
    expect(await chain.clearing.getFunction('position')(provider.address, instrumentKey(SPOT))).toBe(0n)
    expect(await vaultView('balanceOf', provider)).toBe(4n * perUnit)
  })

  it('burns redeemed units and unlocks the collateral behind them', async () => {
    const receipt = await redeem(holder, id, 3n, provider)
    expect(eventArgs(receipt, 'Redeemed')).toEqual([[holder.address, provider.address, id, 3n, JOB]])
    expect(await units(holder, id)).toBe(1n)
    expect(await outstanding(provider, id)).toBe(1n)
    expect(await vaultView('lockedOf', provider)).toBe(perUnit)
    expect(await vaultView('freeBalanceOf', provider)).toBe(3n * perUnit)
    await withdraw(provider, 3n * perUnit)
    expect(await vaultView('balanceOf', provider)).toBe(perUnit)
  })

  it('refuses to redeem more than the provider has outstanding, or more than the holder has', async () => {
    expect(await revertOf(() => redeem(holder, id, 2n, provider))).toBe(
      `ExceedsOutstanding(${provider.address}, ${id}, 1, 2)`,
    )
    expect(await revertOf(() => redeem(holder, id, 1n, holder))).toBe(
      `ExceedsOutstanding(${holder.address}, ${id}, 0, 1)`,
    )
    expect(await revertOf(() => redeem(holder, id, 0n, provider))).toBe('ZeroAmount()')
    expect(await revertOf(() => redeem(outsider, id, 1n, provider))).toBe(
      `ERC1155InsufficientBalance(${outsider.address}, 0, 1, ${id})`,
    )
    expect(await units(holder, id)).toBe(1n)
    expect(await outstanding(provider, id)).toBe(1n)
    expect(await vaultView('lockedOf', provider)).toBe(perUnit)
  })

  it('keeps units and outstanding amounts apart per token id', async () => {
    await chain.fundCollateral(provider, 2n * perUnit)
    await mint(provider, holder, laterId, 2n)
    expect(await units(holder, id)).toBe(1n)
    expect(await units(holder, laterId)).toBe(2n)
    expect(await outstanding(provider, laterId)).toBe(2n)
    expect(await vaultView('lockedOf', provider)).toBe(3n * perUnit)

    expect(await revertOf(() => redeem(holder, laterId, 3n, provider))).toBe(
      `ExceedsOutstanding(${provider.address}, ${laterId}, 2, 3)`,
    )
    await redeem(holder, laterId, 2n, provider)
    await redeem(holder, id, 1n, provider)
    expect(await units(holder, id)).toBe(0n)
    expect(await units(holder, laterId)).toBe(0n)
    expect(await outstanding(provider, id)).toBe(0n)
    expect(await outstanding(provider, laterId)).toBe(0n)
    expect(await vaultView('lockedOf', provider)).toBe(0n)
    expect(await vaultView('freeBalanceOf', provider)).toBe(3n * perUnit)
  })
})
