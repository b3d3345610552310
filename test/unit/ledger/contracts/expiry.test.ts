// Expiring instruments on the embedded chain: listing, the oracle index price (a threshold of
// distinct, sorted, authorised signatures after expiry), payment at expiry of a future, a
// call and a put through the vault, and no more trading once the index is posted.

import { type TransactionReceipt, verifyTypedData, type Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instrumentKey } from '../../../../ledger/netting/instrument-key.ts'
import {
  revertOf,
  rootedTrade,
  sendTx,
  startTestChain,
  type TestChain,
} from '../../../helpers/chain-fixture.ts'

const INDEX_PRICE_TYPES = {
  IndexPrice: [
    { name: 'instrument', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
    { name: 'price', type: 'uint256' },
  ],
}
const Kind = { Unlisted: 0, Future: 1, Call: 2, Put: 3 } as const

const FUT = 'FUT:gpu.h100:20270101T0000Z:1h'
const CALL = 'CALL:gpu.h100:20270101T0000Z:1h:1000'
const PUT = 'PUT:gpu.h100:20270101T0000Z:1h:1500'
const PUT_OTM = 'PUT:gpu.h100:20270101T0000Z:1h:1000'
const UNLISTED = 'FUT:cpu.x86:20270101T0000Z:1h'
const INDEX = 1200n
const DEPOSIT = 10_000_000n

let chain: TestChain
let long: Wallet
let short: Wallet
let outsider: Wallet
/** In increasing address order, as postIndex wants them. */
let oracles: [Wallet, Wallet, Wallet]
let expiry: number

const key = instrumentKey
const balance = async (w: Wallet) => (await chain.vault.getFunction('balanceOf')(w.address)) as bigint
const position = async (w: Wallet, instrument: string) =>
  (await chain.clearing.getFunction('position')(w.address, key(instrument))) as bigint
const role = async (name: string) => (await chain.clearing.getFunction(name)()) as string

const signIndex = (oracle: Wallet, instrument: string, price: bigint, at = expiry) =>
  oracle.signTypedData(chain.domain, INDEX_PRICE_TYPES, { instrument: key(instrument), expiry: at, price })

const postIndex = (instrument: string, price: bigint, signatures: string[]) =>
  sendTx(`postIndex(${instrument})`, () =>
    chain.clearing.getFunction('postIndex')(key(instrument), price, signatures),
  )

const eventArgs = (receipt: TransactionReceipt, name: string) =>
  receipt.logs
    .map((log) => chain.clearing.interface.parseLog(log))
    .filter((parsed) => parsed?.name === name)
    .map((parsed) => [...(parsed?.args ?? [])])

beforeAll(async () => {
  chain = await startTestChain()
  const [l, s, o, ...rest] = await chain.wallets(6)
  if (l === undefined || s === undefined || o === undefined) throw new Error('no wallets')
  ;[long, short, outsider] = [l, s, o]
  oracles = rest.sort((x, y) => (x.address.toLowerCase() < y.address.toLowerCase() ? -1 : 1)) as [
    Wallet,
    Wallet,
    Wallet,
  ]
  for (const w of [long, short]) await chain.fundCollateral(w, DEPOSIT)
  const oracleRole = await role('ORACLE_ROLE')
  for (const oracle of oracles) {
    await sendTx('grant oracle', () => chain.clearing.getFunction('grantRole')(oracleRole, oracle.address))
  }
  await sendTx('threshold', () => chain.clearing.getFunction('setOracleThreshold')(2n))
  expiry = (await chain.latestTimestamp()) + 3600
})

afterAll(async () => {
  await chain?.close()
})

describe('listing', () => {
  it('lists only with LISTER_ROLE', async () => {
    const lister = await role('LISTER_ROLE')
    const asOutsider = chain.as('ClearingHouse', outsider)
    expect(
      await revertOf(() => asOutsider.getFunction('listInstrument')(key(FUT), Kind.Future, expiry, 0n)),
    ).toBe(`AccessControlUnauthorizedAccount(${outsider.address}, ${lister})`)
    expect(await chain.clearing.getFunction('terms')(key(FUT))).toEqual([0n, 0n, 0n])

    await sendTx('grant lister', () => chain.clearing.getFunction('grantRole')(lister, outsider.address))
    const receipt = await sendTx('list', () =>
      asOutsider.getFunction('listInstrument')(key(FUT), Kind.Future, expiry, 0n),
    )
    expect(eventArgs(receipt, 'InstrumentListed')).toEqual([[key(FUT), 1n, BigInt(expiry), 0n]])
    await sendTx('revoke lister', () => chain.clearing.getFunction('revokeRole')(lister, outsider.address))

    const list = chain.clearing.getFunction('listInstrument')
    await sendTx('list call', () => list(key(CALL), Kind.Call, expiry, 1000n))
    await sendTx('list put', () => list(key(PUT), Kind.Put, expiry, 1500n))
    await sendTx('list otm put', () => list(key(PUT_OTM), Kind.Put, expiry, 1000n))
    expect(await chain.clearing.getFunction('terms')(key(FUT))).toEqual([1n, BigInt(expiry), 0n])
    expect(await chain.clearing.getFunction('terms')(key(CALL))).toEqual([2n, BigInt(expiry), 1000n])
    expect(await chain.clearing.getFunction('terms')(key(PUT))).toEqual([3n, BigInt(expiry), 1500n])
  })

  it('refuses a second listing and terms that do not fit the kind', async () => {
    const list = chain.clearing.getFunction('listInstrument')
    expect(await revertOf(() => list(key(CALL), Kind.Call, expiry, 900n))).toBe(
      `InstrumentAlreadyListed(${key(CALL)})`,
    )
    const other = key('FUT:gpu.a100:20270101T0000Z:1h')
    for (const [kind, at, strike] of [
      [Kind.Future, expiry, 5n],
      [Kind.Call, expiry, 0n],
      [Kind.Put, expiry, 0n],
      [Kind.Unlisted, expiry, 0n],
      [Kind.Future, 0, 0n],
      // An expiry already past is refused: its outcome would be known when trading starts.
      [Kind.Future, Number(await chain.latestTimestamp()), 0n],
    ] as const) {
      expect(await revertOf(() => list(other, kind, at, strike))).toBe(`InvalidTerms(${other})`)
    }
    expect(await chain.clearing.getFunction('terms')(other)).toEqual([0n, 0n, 0n])
  })
})

describe('index price and expiry', () => {
  it('trades listed instruments before expiry', async () => {
    const trades = [
      rootedTrade(FUT, long, short, 1100n, 4n),
      rootedTrade(CALL, long, short, 150n, 3n),
      rootedTrade(PUT, long, short, 250n, 2n),
      rootedTrade(PUT_OTM, long, short, 10n, 5n),
    ]
    await chain.settle((await chain.lastEpoch()) + 1n, trades, [long, short])
    expect(await Promise.all([FUT, CALL, PUT, PUT_OTM].map((i) => position(long, i)))).toEqual([
      4n,
      3n,
      2n,
      5n,
    ])
    expect(await Promise.all([FUT, CALL, PUT, PUT_OTM].map((i) => position(short, i)))).toEqual([
      -4n,
      -3n,
      -2n,
      -5n,
    ])
    const paid = 4n * 1100n + 3n * 150n + 2n * 250n + 5n * 10n
    expect(await balance(long)).toBe(DEPOSIT - paid)
    expect(await balance(short)).toBe(DEPOSIT + paid)
  })

  it('refuses an index before expiry and for an unlisted instrument', async () => {
    expect(await chain.latestTimestamp()).toBeLessThan(expiry)
    const signatures = await Promise.all(oracles.map((o) => signIndex(o, FUT, INDEX)))
    expect(await revertOf(() => postIndex(FUT, INDEX, signatures))).toBe(`NotExpired(${key(FUT)}, ${expiry})`)
    expect(await revertOf(() => postIndex(UNLISTED, INDEX, signatures))).toBe(`NotListed(${key(UNLISTED)})`)
    expect(await chain.clearing.getFunction('indexPrice')(key(FUT))).toBe(0n)
  })

  it('refuses too few, unauthorised, unsorted, repeated and mismatched oracle signatures', async () => {
    const reached = await chain.advanceTime(3601)
    expect(reached).toBeGreaterThanOrEqual(expiry)
    // Expired, index not yet posted: no new positions either.
    const late = await chain.batch(
      (await chain.lastEpoch()) + 1n,
      [rootedTrade(FUT, long, short, 100n, 1n)],
      [long, short],
    )
    expect(await revertOf(() => chain.submit(late))).toBe(`InstrumentExpired(${key(FUT)})`)
    const [o1, o2, o3] = oracles
    const sig = (o: Wallet) => signIndex(o, FUT, INDEX)

    expect(await revertOf(() => postIndex(FUT, INDEX, []))).toBe('NotEnoughOracleSignatures(0, 2)')
    expect(await revertOf(async () => postIndex(FUT, INDEX, [await sig(o1)]))).toBe(
      'NotEnoughOracleSignatures(1, 2)',
    )
    expect(await revertOf(async () => postIndex(FUT, INDEX, [await sig(outsider), await sig(o2)]))).toBe(
      `UnauthorisedOracle(${outsider.address})`,
    )
    expect(await revertOf(async () => postIndex(FUT, INDEX, [await sig(o3), await sig(o1)]))).toBe(
      `OracleSignaturesNotSorted(${o1.address})`,
    )
    expect(await revertOf(async () => postIndex(FUT, INDEX, [await sig(o2), await sig(o2)]))).toBe(
      `OracleSignaturesNotSorted(${o2.address})`,
    )
    // Signed for another price or expiry, the signature recovers to some other, unauthorised address.
    const otherPrice = await signIndex(o1, FUT, INDEX + 1n)
    const recovered = verifyTypedData(
      chain.domain,
      INDEX_PRICE_TYPES,
      { instrument: key(FUT), expiry, price: INDEX },
      otherPrice,
    )
    expect(recovered).not.toBe(o1.address)
    expect(await revertOf(async () => postIndex(FUT, INDEX, [otherPrice, await sig(o2)]))).toBe(
      `UnauthorisedOracle(${recovered})`,
    )
    const otherExpiry = await signIndex(o1, FUT, INDEX, expiry + 1)
    expect(await revertOf(async () => postIndex(FUT, INDEX, [otherExpiry, await sig(o2)]))).toMatch(
      /^UnauthorisedOracle\(0x[0-9a-fA-F]{40}\)$/,
    )
    expect(await revertOf(async () => postIndex(FUT, INDEX, [`0x${'00'.repeat(65)}`, await sig(o2)]))).toBe(
      'InvalidSignature(0)',
    )
    expect(await revertOf(async () => postIndex(FUT, 0n, [await sig(o1), await sig(o2)]))).toBe(
      'ZeroIndexPrice()',
    )
    expect(await chain.clearing.getFunction('indexPrice')(key(FUT))).toBe(0n)
  })

  it('posts an index with enough sorted oracle signatures, once', async () => {
    const [o1, , o3] = oracles
    const signatures = [await signIndex(o1, FUT, INDEX), await signIndex(o3, FUT, INDEX)]
    const receipt = await postIndex(FUT, INDEX, signatures)
    expect(eventArgs(receipt, 'IndexPosted')).toEqual([[key(FUT), BigInt(expiry), INDEX]])
    expect(await chain.clearing.getFunction('indexPrice')(key(FUT))).toBe(INDEX)
    expect(await revertOf(() => postIndex(FUT, INDEX, signatures))).toBe(`IndexAlreadyPosted(${key(FUT)})`)
  })

  it('settles expired positions: a future pays S, a call max(S-K,0), a put max(K-S,0)', async () => {
    const settleExpired = (instrument: string, accounts: Wallet[]) =>
      sendTx(`settleExpired(${instrument})`, () =>
        chain.clearing.getFunction('settleExpired')(
          key(instrument),
          accounts.map((w) => w.address),
        ),
      )
    expect(await revertOf(() => settleExpired(CALL, [long, short]))).toBe(`IndexNotPosted(${key(CALL)})`)
    expect(await revertOf(() => settleExpired(FUT, [long]))).toBe(`PositionsNotZeroSum(${key(FUT)}, 4)`)
    expect(await position(long, FUT)).toBe(4n)

    const [o1, o2] = oracles
    for (const instrument of [CALL, PUT, PUT_OTM]) {
      await postIndex(instrument, INDEX, [
        await signIndex(o1, instrument, INDEX),
        await signIndex(o2, instrument, INDEX),
      ])
    }

    const cases: [string, bigint][] = [
      [FUT, 4n * 1200n],
      [CALL, 3n * (1200n - 1000n)],
      [PUT, 2n * (1500n - 1200n)],
      [PUT_OTM, 0n],
    ]
    for (const [instrument, paid] of cases) {
      const [longBefore, shortBefore] = [await balance(long), await balance(short)]
      const receipt = await settleExpired(instrument, [short, long])
      expect(eventArgs(receipt, 'ExpirySettled')).toEqual([[key(instrument), INDEX, 2n]])
      expect(await balance(long)).toBe(longBefore + paid)
      expect(await balance(short)).toBe(shortBefore - paid)
      expect(await position(long, instrument)).toBe(0n)
      expect(await position(short, instrument)).toBe(0n)
    }
    expect((await balance(long)) + (await balance(short))).toBe(2n * DEPOSIT)
    expect(await chain.vault.getFunction('totalBalances')()).toBe(2n * DEPOSIT)
  })

  it('refuses a later batch that touches an expired instrument', async () => {
    const epoch = (await chain.lastEpoch()) + 1n
    const touching = await chain.batch(epoch, [rootedTrade(PUT, long, short, 100n, 1n)], [long, short])
    expect(await revertOf(() => chain.submit(touching))).toBe(`InstrumentExpired(${key(PUT)})`)
    expect(await chain.lastEpoch()).toBe(epoch - 1n)
    expect(await position(long, PUT)).toBe(0n)
  })
})
