// A standalone development chain for several nodes (and any Ethereum tool) to share: EDR
// served over JSON-RPC, with the contracts deployed by the well-known first Hardhat
// development account, so their addresses are the same on every fresh dev chain.

import { JsonRpcProvider, NonceManager, toQuantity, Wallet } from 'ethers'
import type { ContractAddresses } from './contracts-file.ts'
import { deployContracts } from './deploy.ts'
import { DEV_CHAIN_ID, serveDevChain } from './embedded-chain.ts'

/** Hardhat's published development key #0: never use it on a real chain. */
export const DEV_ADMIN_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

export interface DevChain {
  rpcUrl: string
  chainId: number
  contracts: ContractAddresses
  close(): Promise<void>
}

export async function startDevChain(port: number): Promise<DevChain> {
  const served = await serveDevChain(port)
  const provider = new JsonRpcProvider(served.rpcUrl, DEV_CHAIN_ID, { staticNetwork: true })
  provider.pollingInterval = 50
  try {
    const admin = new Wallet(DEV_ADMIN_KEY, provider)
    await provider.send('hardhat_setBalance', [admin.address, toQuantity(10n ** 24n)])
    const contracts = await deployContracts(new NonceManager(admin))
    provider.destroy()
    return { rpcUrl: served.rpcUrl, chainId: DEV_CHAIN_ID, contracts, close: () => served.close() }
  } catch (err) {
    provider.destroy()
    await served.close()
    throw err
  }
}
