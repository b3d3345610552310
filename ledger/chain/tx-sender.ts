// Sends the settlement account's transactions one at a time, so nonces never collide, and
// splits a send into sign-then-broadcast: a caller can persist the signed transaction (and
// its hash) before it leaves, and broadcast the very same bytes again after a restart.

import {
  keccak256,
  type Provider,
  type TransactionReceipt,
  type TransactionRequest,
  type Wallet,
} from 'ethers'

export interface SignedTransaction {
  raw: string
  hash: string
}

/** Transactions the chain answered "nonce too low" to can never be mined. */
const NONCE_USED = /nonce too low|nonce has already been used|NONCE_EXPIRED/i

export class TxSender {
  private readonly wallet: Wallet
  private readonly provider: Provider
  private queue: Promise<unknown> = Promise.resolve()

  constructor(wallet: Wallet, provider: Provider) {
    this.wallet = wallet
    this.provider = provider
  }

  /** Runs `work` after every earlier send has been signed and broadcast. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work)
    this.queue = result.catch(() => {})
    return result
  }

  /**
   * Estimates (a revert surfaces here, before anything is persisted), signs with the next
   * nonce, hands the signed bytes to `persist`, and only then broadcasts them.
   */
  signAndBroadcast(
    request: TransactionRequest,
    persist: (tx: SignedTransaction) => Promise<void>,
  ): Promise<SignedTransaction> {
    return this.serial(async () => {
      const populated = await this.wallet.populateTransaction(request)
      populated.nonce = await this.provider.getTransactionCount(this.wallet.address, 'pending')
      const raw = await this.wallet.signTransaction(populated)
      const signed = { raw, hash: keccak256(raw) }
      await persist(signed)
      await this.provider.broadcastTransaction(raw)
      return signed
    })
  }

  /** Sends and waits for the receipt: for transactions nothing else needs to record first. */
  async send(request: TransactionRequest): Promise<TransactionReceipt> {
    const { hash } = await this.signAndBroadcast(request, async () => {})
    return this.wait(hash)
  }

  /**
   * Broadcasts stored bytes again. Resolves false when the chain says their nonce is used:
   * then they can never be mined.
   */
  async rebroadcast(raw: string): Promise<boolean> {
    return this.serial(async () => {
      try {
        await this.provider.broadcastTransaction(raw)
        return true
      } catch (err) {
        if (NONCE_USED.test(String((err as Error).message))) return false
        if (/already known|already imported/i.test(String((err as Error).message))) return true
        throw err
      }
    })
  }

  async wait(hash: string, timeoutMs = 60_000): Promise<TransactionReceipt> {
    const receipt = await this.provider.waitForTransaction(hash, 1, timeoutMs)
    if (receipt === null) throw new Error(`transaction ${hash} has no receipt within ${timeoutMs} ms`)
    return receipt
  }
}
