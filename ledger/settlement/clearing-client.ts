// Typed calls on the deployed contracts for the settlement actor and the CLI: reads of
// epochs, positions and balances, and the transactions that change them.

import type { Contract, TransactionReceipt, TransactionRequest } from 'ethers'
import type { ChainSession } from '../chain/connect.ts'
import { contractAt, withRevertReason } from '../chain/contracts.ts'
import { ChainError } from '../chain/errors.ts'
import type { SignedAccountLines } from './batch.ts'
import { clearingDomain } from './batch.ts'

export interface CollateralBalance {
  /** Tokens the account holds in its wallet, outside the vault. */
  wallet: bigint
  balance: bigint
  locked: bigint
  free: bigint
}

export class ClearingClient {
  readonly session: ChainSession
  private readonly clearing: Contract
  private readonly vault: Contract
  private readonly token: Contract

  constructor(session: ChainSession) {
    this.session = session
    this.clearing = contractAt('ClearingHouse', session.contracts.ClearingHouse, session.wallet)
    this.vault = contractAt('CollateralVault', session.contracts.CollateralVault, session.wallet)
    this.token = contractAt('SettlementToken', session.contracts.SettlementToken, session.wallet)
  }

  get account(): string {
    return this.session.account
  }

  domain() {
    return clearingDomain(this.session.chainId, this.session.contracts.ClearingHouse)
  }

  async lastEpoch(): Promise<number> {
    return Number(await this.clearing.getFunction('lastEpoch')())
  }

  async epochRoot(epoch: number): Promise<string> {
    return String(await this.clearing.getFunction('epochRoot')(epoch)).toLowerCase()
  }

  async position(account: string, instrumentKey: string): Promise<bigint> {
    return BigInt(await this.clearing.getFunction('position')(account, instrumentKey))
  }

  /** The settleEpoch transaction, estimated: a batch the contract would refuse fails here. */
  async settleEpochRequest(
    epoch: number,
    root: string,
    batch: SignedAccountLines[],
  ): Promise<TransactionRequest> {
    const call = this.clearing.getFunction('settleEpoch')
    return withRevertReason(`settling epoch ${epoch}`, async () => {
      const request = await call.populateTransaction(epoch, root, batch)
      const gas = await call.estimateGas(epoch, root, batch)
      // Headroom: the estimate is exact on an unchanged state, and the state can change.
      return { ...request, gasLimit: (gas * 12n) / 10n }
    })
  }

  async collateral(account = this.account): Promise<CollateralBalance> {
    const [wallet, balance, locked] = await Promise.all([
      this.token.getFunction('balanceOf')(account),
      this.vault.getFunction('balanceOf')(account),
      this.vault.getFunction('lockedOf')(account),
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
    const { wallet } = await this.collateral()
    if (wallet < amount) {
      if (!this.session.devnet) {
        throw new ChainError(
          { code: 'CHAIN_NOT_DEVNET' },
          `the settlement account ${this.account} holds ${wallet} token base units, less than the ${amount} to deposit; send it settlement tokens first`,
        )
      }
      await this.faucet(amount - wallet)
    }
    await this.send('approving the deposit', this.token, 'approve', [
      this.session.contracts.CollateralVault,
      amount,
    ])
    return this.send('depositing collateral', this.vault, 'deposit', [amount])
  }

  withdraw(amount: bigint): Promise<TransactionReceipt> {
    return this.send('withdrawing collateral', this.vault, 'withdraw', [amount])
  }

  private async faucet(amount: bigint): Promise<void> {
    const limit = BigInt(await this.token.getFunction('FAUCET_LIMIT')())
    for (let left = amount; left > 0n; left -= limit) {
      await this.send('drawing test tokens', this.token, 'faucet', [left < limit ? left : limit])
    }
  }

  private async send(
    what: string,
    contract: Contract,
    method: string,
    args: unknown[],
  ): Promise<TransactionReceipt> {
    return withRevertReason(what, async () => {
      const fn = contract.getFunction(method)
      const request = await fn.populateTransaction(...args)
      request.gasLimit = await fn.estimateGas(...args)
      return this.session.sender.send(request)
    })
  }
}
