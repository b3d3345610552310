// Typed calls on the deployed contracts for the settlement actor and the CLI: reads of
// epochs, positions and balances, and the transactions that change them.

import type { Contract, TransactionReceipt, TransactionRequest } from 'ethers'
import type { ChainSession } from '../chain/connect.ts'
import { ChainError } from '../chain/errors.ts'
import type { SignedAccountLines } from './batch.ts'

export interface CollateralBalance {
  /** Tokens the account holds in its wallet, outside the vault. */
  wallet: bigint
  balance: bigint
  locked: bigint
  free: bigint
}

interface Bound {
  session: ChainSession
  clearing: Contract
  vault: Contract
  token: Contract
}

/**
 * Connects on first use: the embedded chain (an EVM, tens of megabytes) starts only once
 * settlement needs it, so a node that never trades never pays for it.
 */
export class ClearingClient {
  /** The settlement account, checksummed; known before the chain is. */
  readonly account: string
  private readonly connect: () => Promise<ChainSession>
  private bound: Promise<Bound> | undefined

  constructor(account: string, connect: () => Promise<ChainSession>) {
    this.account = account
    this.connect = connect
  }

  /** The chain session, connecting (once) if need be; a failed attempt is retried next time. */
  async session(): Promise<ChainSession> {
    return (await this.bind()).session
  }

  get connected(): boolean {
    return this.bound !== undefined
  }

  async close(): Promise<void> {
    const bound = this.bound
    this.bound = undefined
    if (bound !== undefined) await (await bound.catch(() => undefined))?.session.close()
  }

  private bind(): Promise<Bound> {
    this.bound ??= Promise.all([this.connect(), import('../chain/contracts.ts')]).then(
      ([session, { contractAt }]) => ({
        session,
        clearing: contractAt('ClearingHouse', session.contracts.ClearingHouse, session.wallet),
        vault: contractAt('CollateralVault', session.contracts.CollateralVault, session.wallet),
        token: contractAt('SettlementToken', session.contracts.SettlementToken, session.wallet),
      }),
      (err: unknown) => {
        this.bound = undefined
        throw err
      },
    )
    return this.bound
  }

  async domain() {
    const [{ session }, { clearingDomain }] = await Promise.all([this.bind(), import('./batch.ts')])
    return clearingDomain(session.chainId, session.contracts.ClearingHouse)
  }

  async lastEpoch(): Promise<number> {
    const { clearing } = await this.bind()
    return Number(await clearing.getFunction('lastEpoch')())
  }

  async epochRoot(epoch: number): Promise<string> {
    const { clearing } = await this.bind()
    return String(await clearing.getFunction('epochRoot')(epoch)).toLowerCase()
  }

  /** The transaction that settled `epoch`, from its EpochSettled event. */
  async epochTxHash(epoch: number): Promise<string | undefined> {
    const { clearing } = await this.bind()
    const [log] = await clearing.queryFilter(clearing.getEvent('EpochSettled')(epoch))
    return log?.transactionHash
  }

  async position(account: string, instrumentKey: string): Promise<bigint> {
    const { clearing } = await this.bind()
    return BigInt(await clearing.getFunction('position')(account, instrumentKey))
  }

  /** The settleEpoch transaction, estimated: a batch the contract would refuse fails here. */
  async settleEpochRequest(
    epoch: number,
    root: string,
    batch: SignedAccountLines[],
  ): Promise<TransactionRequest> {
    const call = (await this.bind()).clearing.getFunction('settleEpoch')
    const { withRevertReason } = await import('../chain/contracts.ts')
    return withRevertReason(`settling epoch ${epoch}`, async () => {
      const request = await call.populateTransaction(epoch, root, batch)
      const gas = await call.estimateGas(epoch, root, batch)
      // Headroom: the estimate is exact on an unchanged state, and the state can change.
      return { ...request, gasLimit: (gas * 12n) / 10n }
    })
  }

  async collateral(account = this.account): Promise<CollateralBalance> {
    const { token, vault } = await this.bind()
    const [wallet, balance, locked] = await Promise.all([
      token.getFunction('balanceOf')(account),
      vault.getFunction('balanceOf')(account),
      vault.getFunction('lockedOf')(account),
    ])
    return {
      wallet: BigInt(wallet),
      balance: BigInt(balance),
      locked: BigInt(locked),
      free: BigInt(balance) - BigInt(locked),
    }
  }

  /**
   * Deposits `amount` base units. On a dev chain a wallet short of tokens is topped up from
   * the test token's faucet first; elsewhere the tokens must already be in the wallet.
   */
  async deposit(amount: bigint): Promise<TransactionReceipt> {
    const { session, token, vault } = await this.bind()
    const { wallet } = await this.collateral()
    if (wallet < amount) {
      if (!session.devnet) {
        throw new ChainError(
          { code: 'CHAIN_NOT_DEVNET' },
          `the settlement account ${this.account} holds ${wallet} token base units, less than the ${amount} to deposit; send it settlement tokens first`,
        )
      }
      await this.faucet(amount - wallet)
    }
    await this.send('approving the deposit', token, 'approve', [session.contracts.CollateralVault, amount])
    return this.send('depositing collateral', vault, 'deposit', [amount])
  }

  async withdraw(amount: bigint): Promise<TransactionReceipt> {
    return this.send('withdrawing collateral', (await this.bind()).vault, 'withdraw', [amount])
  }

  private async faucet(amount: bigint): Promise<void> {
    const { token } = await this.bind()
    const limit = BigInt(await token.getFunction('FAUCET_LIMIT')())
    for (let left = amount; left > 0n; left -= limit) {
      await this.send('drawing test tokens', token, 'faucet', [left < limit ? left : limit])
    }
  }

  private async send(
    what: string,
    contract: Contract,
    method: string,
    args: unknown[],
  ): Promise<TransactionReceipt> {
    const { withRevertReason } = await import('../chain/contracts.ts')
    return withRevertReason(what, async () => {
      const fn = contract.getFunction(method)
      const request = await fn.populateTransaction(...args)
      request.gasLimit = await fn.estimateGas(...args)
      return (await this.bind()).session.sender.send(request)
    })
  }
}
