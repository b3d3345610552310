// One in-process chain for a test file: the four contracts deployed by a known admin key,
// funded wallets, collateral in the vault, signed settlement batches, and a clock that can
// be moved forward. Wallets are plain ethers Wallets that read their nonce from the chain on
// every send, so a call refused at gas estimation leaves no nonce gap behind (an ethers
// NonceManager counts the nonce before it estimates, and the next send would then hang).
// Wrap a wallet in a NonceManager only to send transactions back-to-back that cannot fail.

import { createHash } from 'node:crypto'
import {
  type Contract,
  type ContractRunner,
  id,
  type TransactionReceipt,
  type TypedDataDomain,
  Wallet,
} from 'ethers'
import { type ChainSession, connectChain } from '../../ledger/chain/connect.ts'
import { contractAt, withRevertReason } from '../../ledger/chain/contracts.ts'
import { ChainError } from '../../ledger/chain/errors.ts'
import type { ContractName } from '../../ledger/contracts/compile.ts'
import { EMPTY_ROOT, epochRoot, type RootedTrade } from '../../ledger/netting/epoch-root.ts'
import { type NetLine, netTrades } from '../../ledger/netting/net-lines.ts'
import {
  type AccountLines,
  accountLines,
  clearingDomain,
  type SignedAccountLines,
  signNetLines,
} from '../../ledger/settlement/batch.ts'

/** 1,000 ETH of gas, what `hardhat_setBalance` gives every test wallet. */
const GAS_FUNDS = '0x3635C9ADC5DEA00000'
/** The most SettlementToken's faucet mints in one call. */
const FAUCET_LIMIT = 1_000_000n * 10n ** 6n

/** What a batch is built from: trades (netted here), net lines, or lines already in chain shape. */
export type BatchInput = readonly RootedTrade[] | readonly NetLine[] | readonly AccountLines[]

export interface SignedBatch {
  epoch: bigint
  tradesRoot: string
  entries: SignedAccountLines[]
}

export interface TestChain {
  session: ChainSession
  /** A raw JSON-RPC call, for dev methods such as `hardhat_setBalance`. */
  rpc(method: string, params: unknown[]): Promise<unknown>
  /** The settlement key's account: deployer and holder of every admin role. */
  admin: Wallet
  domain: TypedDataDomain
  token: Contract
  vault: Contract
  clearing: Contract
  capacity: Contract
  /** A handle on one of the four contracts that sends as `runner`. */
  as(name: ContractName, runner: ContractRunner): Contract
  /** `n` new wallets with gas, the same keys in the same order on every run. */
  wallets(n: number): Promise<Wallet[]>
  /** Faucet, approve and deposit: `amount` base units into the wallet's vault balance. */
  fundCollateral(wallet: Wallet, amount: bigint): Promise<void>
  /** Signs each account's lines with the wallet of that account; nothing is sorted for lines in chain shape. */
  batch(
    epoch: bigint,
    input: BatchInput,
    signers: readonly Wallet[],
    tradesRoot?: string,
  ): Promise<SignedBatch>
  /** Sends a batch as the admin; a revert throws CHAIN_REVERTED with the decoded custom error. */
  submit(batch: SignedBatch): Promise<TransactionReceipt>
  settle(
    epoch: bigint,
    input: BatchInput,
    signers: readonly Wallet[],
    tradesRoot?: string,
  ): Promise<TransactionReceipt>
  lastEpoch(): Promise<bigint>
  latestTimestamp(): Promise<number>
  /** Mines a block `seconds` after the latest one; later transactions keep to the new time. */
  advanceTime(seconds: number): Promise<number>
  close(): Promise<void>
}

let walletCounter = 0
let tradeCounter = 0

/** A 32-byte trade id, unique within the process. */
export function nextTradeId(): string {
  return createHash('sha256').update(`hcx test trade ${tradeCounter++}`).digest('hex')
}

export function rootedTrade(
  instrument: string,
  buyer: Wallet | string,
  seller: Wallet | string,
  price: bigint,
  qty: bigint,
): RootedTrade {
  const address = (w: Wallet | string) => (typeof w === 'string' ? w : w.address)
  return { instrument, price, qty, buyer: address(buyer), seller: address(seller), tradeId: nextTradeId() }
}

/** Sends a transaction and waits for it; a revert becomes CHAIN_REVERTED with the decoded error. */
export async function sendTx(
  what: string,
  call: () => Promise<{ wait(): Promise<TransactionReceipt | null> }>,
): Promise<TransactionReceipt> {
  const receipt = await withRevertReason(what, async () => (await call()).wait())
  if (receipt === null || receipt.status !== 1) throw new Error(`${what} was mined but failed`)
  return receipt
}

/** The decoded custom error a call reverts with, as `Name(arg, ...)`; throws if it does not revert. */
export async function revertOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await withRevertReason('call', call)
  } catch (err) {
    if (err instanceof ChainError && err.type.code === 'CHAIN_REVERTED') return err.type.reason
    throw err
  }
  throw new Error('expected the call to revert, but it succeeded')
}

export async function startTestChain(): Promise<TestChain> {
  const settlementKey = id('hcx test chain admin')
  const session = await connectChain({ settlementKey })
  const { provider, contracts } = session
  const admin = new Wallet(settlementKey, provider)
  // Both providers connectChain makes (BrowserProvider, JsonRpcProvider) take raw RPC calls.
  const rpc = (method: string, params: unknown[]) =>
    (provider as unknown as { send(method: string, params: unknown[]): Promise<unknown> }).send(
      method,
      params,
    )
  const as = (name: ContractName, runner: ContractRunner) => contractAt(name, contracts[name], runner)
  const token = as('SettlementToken', admin)
  const vault = as('CollateralVault', admin)
  const clearing = as('ClearingHouse', admin)
  const domain = clearingDomain(session.chainId, contracts.ClearingHouse)

  const latestTimestamp = async () => {
    const block = await provider.getBlock('latest')
    if (block === null) throw new Error('the chain has no latest block')
    return block.timestamp
  }

  const batch = async (
    epoch: bigint,
    input: BatchInput,
    signers: readonly Wallet[],
    tradesRoot?: string,
  ): Promise<SignedBatch> => {
    const first = input[0]
    let root = tradesRoot ?? EMPTY_ROOT
    let entries: AccountLines[] = []
    if (first !== undefined && 'tradeId' in first) {
      const trades = input as readonly RootedTrade[]
      root = tradesRoot ?? epochRoot(trades)
      // Like the proposer: every party signs, also one whose trades netted to nothing.
      entries = accountLines(
        netTrades(trades),
        trades.flatMap((t) => [t.buyer, t.seller]),
      )
    } else if (first !== undefined && 'lines' in first) {
      entries = input as AccountLines[]
    } else if (first !== undefined) {
      entries = accountLines(input as readonly NetLine[])
    }
    const byAccount = new Map(signers.map((w) => [w.address.toLowerCase(), w]))
    const signed: SignedAccountLines[] = []
    for (const entry of entries) {
      const wallet = byAccount.get(entry.account.toLowerCase())
      if (wallet === undefined) throw new Error(`no signer given for account ${entry.account}`)
      const signature = await signNetLines(wallet, domain, { epoch, tradesRoot: root, entry })
      signed.push({ ...entry, signature })
    }
    return { epoch, tradesRoot: root, entries: signed }
  }

  const submit = (signed: SignedBatch) =>
    sendTx(`settleEpoch(${signed.epoch})`, () =>
      clearing.getFunction('settleEpoch')(signed.epoch, signed.tradesRoot, signed.entries),
    )

  return {
    session,
    rpc,
    admin,
    domain,
    token,
    vault,
    clearing,
    capacity: as('CapacityToken', admin),
    as,
    async wallets(n) {
      const created: Wallet[] = []
      for (let i = 0; i < n; i++) {
        const wallet = new Wallet(id(`hcx test wallet ${walletCounter++}`), provider)
        await rpc('hardhat_setBalance', [wallet.address, GAS_FUNDS])
        created.push(wallet)
      }
      return created
    },
    async fundCollateral(wallet, amount) {
      const walletToken = as('SettlementToken', wallet)
      for (let left = amount; left > 0n; left -= FAUCET_LIMIT) {
        const mint = left < FAUCET_LIMIT ? left : FAUCET_LIMIT
        await sendTx('faucet', () => walletToken.getFunction('faucet')(mint))
      }
      await sendTx('approve', () => walletToken.getFunction('approve')(contracts.CollateralVault, amount))
      await sendTx('deposit', () => as('CollateralVault', wallet).getFunction('deposit')(amount))
    },
    batch,
    submit,
    settle: async (epoch, input, signers, tradesRoot) =>
      submit(await batch(epoch, input, signers, tradesRoot)),
    lastEpoch: async () => (await clearing.getFunction('lastEpoch')()) as bigint,
    latestTimestamp,
    async advanceTime(seconds) {
      // From the latest block, which runs ahead of the wall clock when blocks come quickly.
      await rpc('evm_setNextBlockTimestamp', [(await latestTimestamp()) + seconds])
      await rpc('evm_mine', [])
      return latestTimestamp()
    },
    close: () => session.close(),
  }
}
