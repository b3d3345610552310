// `hcx chain start`: a local JSON-RPC dev chain with the contracts deployed, served until
// SIGINT/SIGTERM. With --json it prints one line: the RPC URL, chain id and addresses.

import type { Command } from 'commander'
import { integerOrRaw } from '../common-options.ts'
import { usageError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'

interface ChainStartOptions {
  port: number | string
  json?: boolean
}

export function registerChainCommands(program: Command): void {
  const chain = program.command('chain').description('a local development chain')
  chain
    .command('start')
    .description('serve a dev chain with the hcx contracts deployed, until SIGINT/SIGTERM')
    .option('--port <n>', 'JSON-RPC port on 127.0.0.1 (0 picks a free one)', integerOrRaw, 8545)
    .option('--json', 'print the chain as one JSON line')
    .action(async (options: ChainStartOptions) => {
      const { port } = options
      if (typeof port !== 'number' || port < 0 || port > 65_535) {
        throw usageError(`--port '${port}' must be an integer from 0 to 65535`)
      }
      const { startDevChain } = await import('../../../ledger/chain/dev-chain.ts')
      const devChain = await startDevChain(port).catch((err: Error) => {
        if (/EADDRINUSE/.test(err.message))
          throw usageError(`port ${port} is in use; pick another with --port`)
        throw err
      })
      const stopped = new Promise<void>((resolve) => {
        const stop = () => void devChain.close().then(resolve, resolve)
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      const { rpcUrl, chainId, contracts } = devChain
      if (options.json === true) printJson({ rpcUrl, chainId, contracts })
      else
        printLines([
          `hcx dev chain ${chainId} at ${rpcUrl}`,
          ...Object.entries(contracts).map(([name, address]) => `  ${name.padEnd(16)} ${address}`),
          `nodes join with: --rpc-url ${rpcUrl} --contracts FILE (FILE holding the addresses above as JSON)`,
        ])
      await stopped
      process.exit(0)
    })
}
