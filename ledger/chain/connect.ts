// A node's way onto a chain: the embedded EVM (journaled in the node's store, contracts
// deployed by the node itself), or an existing chain at a JSON-RPC URL with a contracts
// file. On a development chain the settlement account gets gas on first use; anywhere
// else nothing is ever funded.

import {
  BrowserProvider,
  type Eip1193Provider,
  getCreateAddress,
  JsonRpcProvider,
  NonceManager,
  type Provider,
  toQuantity,
  Wallet,
} from 'ethers'
import type { ContractAddresses } from './contracts-file.ts'
import { deployContracts } from './deploy.ts'
import { DEV_CHAIN_ID, startEmbeddedChain } from './embedded-chain.ts'
import { ChainError } from './errors.ts'
import { type ChainJournal, journaledChain } from './journal.ts'
import { TxSender } from './tx-sender.ts'

export interface ChainOptions {
  /** 0x-prefixed secp256k1 key of the node's settlement account. */
  settlementKey: string
  /** With no URL the node runs the embedded chain. */
  rpcUrl?: string
  /** Required with `rpcUrl`. */
  contracts?: ContractAddresses
  /** Where the embedded chain's journal lives; without one it starts empty every time. */
  journal?: ChainJournal
  nowSeconds?: () => number
}

export interface ChainSession {
  provider: Provider
  /** The settlement account. Send through `sender`, which orders nonces. */
  wallet: Wallet
  sender: TxSender
  account: string
  chainId: bigint
  contracts: ContractAddresses
  /** The embedded chain or a Hardhat/EDR dev chain: funding through dev methods is allowed. */
  devnet: boolean
  embedded: boolean
  close(): Promise<void>
}

/** Gas a dev chain gives an account on first use: 1,000 ETH. */
const DEV_GAS_FUNDS = 10n ** 21n
const RPC_TIMEOUT_MS = 5_000
/** HTTP receipts are polled; a dev chain mines at once, so poll often. */
const HTTP_POLL_MS = 100

export async function connectChain(options: ChainOptions): Promise<ChainSession> {
  return options.rpcUrl === undefined ? connectEmbedded(options) : connectRpc(options.rpcUrl, options)
}

async function connectEmbedded(options: ChainOptions): Promise<ChainSession> {
  const chain = await startEmbeddedChain()
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const { provider: eip1193 } = await journaledChain(
    chain.provider,
    options.journal ?? NO_JOURNAL,
    nowSeconds,
  )
  const provider = new BrowserProvider(eip1193, DEV_CHAIN_ID, { cacheTimeout: -1 })
  const wallet = new Wallet(options.settlementKey, provider)
  await fundGas(eip1193, wallet.address, provider)
  // The node deploys with its own account from nonce 0, so the addresses follow from it.
  const contracts = expectedAddresses(wallet.address)
  if ((await provider.getCode(contracts.ClearingHouse)) === '0x') {
    const deployed = await deployContracts(new NonceManager(wallet))
    if (deployed.ClearingHouse !== contracts.ClearingHouse) {
      throw new Error(`embedded chain deployed at ${deployed.ClearingHouse}, not ${contracts.ClearingHouse}`)
    }
  }
  return {
    provider,
    wallet,
    sender: new TxSender(wallet, provider),
    account: wallet.address,
    chainId: BigInt(DEV_CHAIN_ID),
    contracts,
    devnet: true,
    embedded: true,
    close: async () => {
      provider.destroy()
      await chain.close()
    },
  }
}

async function connectRpc(rpcUrl: string, options: ChainOptions): Promise<ChainSession> {
  const contracts = options.contracts
  if (contracts === undefined) {
    throw new ChainError(
      { code: 'CONTRACTS_FILE_INVALID', path: '' },
      `--rpc-url ${rpcUrl} needs --contracts FILE naming the deployed contracts (the 'contracts' object 'hcx chain start --json' prints)`,
    )
  }
  let chainId: bigint
  let client: string
  try {
    // Asked with plain fetch: ethers would retry an unreachable URL forever, logging as it goes.
    ;[chainId, client] = await Promise.all([
      rpcCall(rpcUrl, 'eth_chainId').then(BigInt),
      rpcCall(rpcUrl, 'web3_clientVersion'),
    ])
  } catch (cause) {
    throw new ChainError(
      { code: 'CHAIN_UNREACHABLE', rpcUrl },
      `cannot reach a JSON-RPC chain at ${rpcUrl}: ${(cause as Error).message}; start one with 'hcx chain start' or check the URL`,
      { cause },
    )
  }
  // No response cache: two sends within its 250 ms would read the same pending nonce.
  const provider = new JsonRpcProvider(rpcUrl, chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  })
  provider.pollingInterval = HTTP_POLL_MS
  for (const [name, address] of Object.entries(contracts)) {
    if ((await provider.getCode(address)) === '0x') {
      provider.destroy()
      throw new ChainError(
        { code: 'CHAIN_CONTRACT_MISSING', contract: name, address },
        `no ${name} contract at ${address} on the chain at ${rpcUrl} (chain id ${chainId}): the contracts file belongs to another chain`,
      )
    }
  }
  const wallet = new Wallet(options.settlementKey, provider)
  const devnet = chainId === BigInt(DEV_CHAIN_ID) && /^HardhatNetwork\//.test(String(client))
  if (devnet)
    await fundGas(
      { request: (call) => provider.send(call.method, (call.params as unknown[]) ?? []) },
      wallet.address,
      provider,
    )
  return {
    provider,
    wallet,
    sender: new TxSender(wallet, provider),
    account: wallet.address,
    chainId,
    contracts,
    devnet,
    embedded: false,
    close: async () => provider.destroy(),
  }
}

async function fundGas(chain: Eip1193Provider, account: string, provider: Provider): Promise<void> {
  if ((await provider.getBalance(account)) >= DEV_GAS_FUNDS / 10n) return
  await chain.request({ method: 'hardhat_setBalance', params: [account, toQuantity(DEV_GAS_FUNDS)] })
}

/** Where the account's first four deployments land: token, vault, clearing house, capacity token. */
export function expectedAddresses(deployer: string): ContractAddresses {
  const at = (nonce: number) => getCreateAddress({ from: deployer, nonce })
  return { SettlementToken: at(0), CollateralVault: at(1), ClearingHouse: at(2), CapacityToken: at(3) }
}

const NO_JOURNAL: ChainJournal = { load: async () => [], append: async () => '', remove: async () => {} }

async function rpcCall(rpcUrl: string, method: string): Promise<string> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
  }).catch((err: Error) => {
    throw new Error(String((err.cause as Error | undefined)?.message ?? err.message))
  })
  const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: { message?: string } }
  if (typeof body.result !== 'string') {
    throw new Error(body.error?.message ?? `HTTP ${response.status} without a JSON-RPC result for ${method}`)
  }
  return body.result
}
