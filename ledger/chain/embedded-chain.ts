// The embedded default chain: Hardhat's in-process EDR EVM, configured in code so no
// hardhat.config or compiler download is ever involved; or the same EVM served over
// JSON-RPC for `hcx chain start`.

import type { Eip1193Provider } from 'ethers'

export const DEV_CHAIN_ID = 31337
/** High enough that a 100-account epoch fits in one transaction with room to spare. */
export const DEV_BLOCK_GAS_LIMIT = 60_000_000n

/** Genesis is pinned so a chain rebuilt from its journal gets the same blocks. */
export const DEV_GENESIS_DATE = '2026-01-01T00:00:00Z'

export interface EmbeddedChain {
  provider: Eip1193Provider
  close(): Promise<void>
}

export interface ServedChain {
  rpcUrl: string
  close(): Promise<void>
}

async function devNetwork() {
  const { createHardhatRuntimeEnvironment } = await import('hardhat/hre')
  const hre = await createHardhatRuntimeEnvironment(
    {
      networks: {
        default: {
          type: 'edr-simulated',
          chainId: DEV_CHAIN_ID,
          hardfork: 'cancun',
          blockGasLimit: DEV_BLOCK_GAS_LIMIT,
          initialDate: DEV_GENESIS_DATE,
          // A reverted transaction is still mined; it must be journaled like any other.
          throwOnTransactionFailures: false,
          // No prefunded accounts: funding goes through hardhat_setBalance, which a
          // journal can record, so a rebuilt chain ends up the same.
          accounts: [],
        },
      },
    },
    {},
    process.cwd(),
  )
  return hre.network
}

/** An in-process chain, private to this process. */
export async function startEmbeddedChain(): Promise<EmbeddedChain> {
  const connection = await (await devNetwork()).create()
  return { provider: connection.provider as unknown as Eip1193Provider, close: () => connection.close() }
}

/** A chain served over JSON-RPC on 127.0.0.1:`port` (0 picks a free port). */
export async function serveDevChain(port: number): Promise<ServedChain> {
  const server = await (await devNetwork()).createServer('default', '127.0.0.1', port)
  const bound = await server.listen()
  return { rpcUrl: `http://127.0.0.1:${bound.port}`, close: () => server.close() }
}
