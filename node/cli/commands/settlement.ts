// `hcx collateral deposit|withdraw`, `hcx positions` and `hcx settle status|run`: the
// settlement of a running node, through its control API.

import type { Command } from 'commander'
import type { PositionsView } from '../../../actors/settlement/settlement.ts'
import type { EpochView } from '../../../actors/settlement/settlement-types.ts'
import { apiGet, apiRequest } from '../../api/client.ts'
import { withDataDir } from '../common-options.ts'
import { printJson, printLines } from '../output.ts'

interface JsonOption {
  dataDir: string
  json?: boolean
}

export function registerSettlementCommands(program: Command): void {
  const collateral = program
    .command('collateral')
    .description("move settlement tokens in and out of the node's vault balance")
  for (const direction of ['deposit', 'withdraw'] as const) {
    withDataDir(
      collateral
        .command(direction)
        .description(
          direction === 'deposit'
            ? 'deposit settlement tokens as collateral (a dev chain tops the wallet up from its faucet)'
            : 'withdraw free collateral back to the settlement account',
        ),
    )
      .requiredOption(
        '--amount <amount>',
        'settlement tokens, a decimal with up to 6 places, e.g. 100 or 12.5',
      )
      .option('--json', 'print JSON')
      .action(async (options: JsonOption & { amount: string }) => {
        const result = await apiRequest<Record<string, string>>(
          options.dataDir,
          'POST',
          `/v1/collateral/${direction}`,
          {
            amount: options.amount,
          },
        )
        if (options.json === true) printJson(result)
        else
          printLines([
            `${direction === 'deposit' ? 'deposited' : 'withdrew'} ${options.amount}; balance ${result.balance} (free ${result.free}); tx ${result.txHash}`,
          ])
      })
  }

  withDataDir(
    program
      .command('positions')
      .description("the node's positions: its settled trades beside the clearing house"),
  )
    .option('--json', 'print JSON')
    .action(async (options: JsonOption) => {
      const view = await apiGet<PositionsView>(options.dataDir, '/v1/positions')
      if (options.json === true) return printJson(view)
      const { balance, free, locked } = view.collateral
      printLines([
        `account ${view.account} on chain ${view.chainId}: collateral ${balance} (free ${free}, locked ${locked})`,
        ...(view.positions.length === 0
          ? ['no positions']
          : view.positions.map(
              (p) => `${p.instrument}  settled ${p.settled}  on chain ${p.onChain}  unsettled ${p.unsettled}`,
            )),
      ])
    })

  const settle = program.command('settle').description('netted settlement epochs')
  withDataDir(settle.command('status').description('the epochs this node settled or signed lines in'))
    .option('--json', 'print JSON')
    .action(async (options: JsonOption) => {
      const view = await apiGet<{ account: string; epochs: EpochView[] }>(
        options.dataDir,
        '/v1/settlement/epochs',
      )
      if (options.json === true) return printJson(view)
      printLines(view.epochs.length === 0 ? ['no epochs yet'] : view.epochs.map(epochLine))
    })
  withDataDir(
    settle
      .command('run')
      .description("settle this node's unsettled trades now, without waiting for the epoch"),
  )
    .option('--json', 'print JSON')
    .action(async (options: JsonOption) => {
      const result = await apiRequest<{ epoch: EpochView | null }>(
        options.dataDir,
        'POST',
        '/v1/settlement/run',
      )
      if (options.json === true) return printJson(result)
      printLines([result.epoch === null ? 'nothing to settle' : epochLine(result.epoch)])
    })
}

function epochLine(e: EpochView): string {
  const tx = e.txHash ?? '-'
  return `epoch ${e.epoch}  ${e.role}  ${e.state}  ${e.trades} trades  ${e.lines} lines  ${tx}  gas ${e.gasUsed ?? '-'}`
}
