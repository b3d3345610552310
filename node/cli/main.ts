// The `hcx` command line: parses arguments with commander, runs one command, and turns any
// failure into one line on stderr and a non-zero exit code.

import { Command, CommanderError } from 'commander'
import { isHcxError } from '../../errors/hcx-error.ts'
import { registerChainCommands } from './commands/chain.ts'
import { registerConsortiumCommands } from './commands/consortium.ts'
import { registerGpuCommands } from './commands/gpu.ts'
import { registerKeysCommands } from './commands/keys.ts'
import { registerMarketCommands } from './commands/market.ts'
import { registerNodeCommands } from './commands/node-start.ts'
import { registerQpuCommands } from './commands/qpu.ts'
import { registerSettlementCommands } from './commands/settlement.ts'
import { registerStatusCommand } from './commands/status.ts'
import { CliError } from './errors.ts'
import { printError } from './output.ts'

const EXIT_USAGE = 2
const EXIT_FAILURE = 1

// Commander's own error text and its help-on-error go nowhere: main() prints one line instead.
const QUIET_ERRORS = { outputError: () => {}, writeErr: () => {} }

export function buildProgram(): Command {
  const program = new Command('hcx')
    .description('hcx: a peer-to-peer market in GPU and QPU compute capacity')
    .option('--debug', 'print stack traces with errors')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput(QUIET_ERRORS)
  registerNodeCommands(program)
  registerKeysCommands(program)
  registerConsortiumCommands(program)
  registerStatusCommand(program)
  registerMarketCommands(program)
  registerSettlementCommands(program)
  registerChainCommands(program)
  registerQpuCommands(program)
  registerGpuCommands(program)
  for (const command of allCommands(program))
    command.exitOverride().configureOutput({ outputError: () => {} })
  return program
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)])
}

/** A command line or an input file that cannot work as written: exit 2, like a usage error. */
function isUsageError(err: unknown): boolean {
  return (
    isHcxError(err) &&
    (err.code === 'CLI_USAGE' ||
      err.code.startsWith('QASM_') ||
      err.code === 'GPU_BAD_MATRIX_FILE' ||
      err.code === 'GPU_BAD_SHAPE')
  )
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug')
  const program = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (err.exitCode === 0) return 0
      if (err.code === 'commander.help') {
        const words = argv.filter((arg) => !arg.startsWith('-')).join(' ')
        printError(
          new CliError(
            { code: 'CLI_USAGE' },
            `a command is missing; run 'hcx ${words}${words === '' ? '' : ' '}--help' to list them`,
          ),
          false,
        )
        return EXIT_USAGE
      }
      const message = err.message.replace(/^error: /, '')
      printError(new CliError({ code: 'CLI_USAGE' }, `${message}; see 'hcx --help'`), false)
      return EXIT_USAGE
    }
    printError(err, debug)
    return isUsageError(err) ? EXIT_USAGE : EXIT_FAILURE
  }
}

process.exitCode = await main(process.argv.slice(2))
