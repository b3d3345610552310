// `hcx consortium init`: a new pre-shared swarm key for a private network.

import type { Command } from 'commander'
import { writeNewSwarmKey } from '../../host/swarm-key.ts'
import { CliError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'

export function registerConsortiumCommands(program: Command): void {
  const consortium = program.command('consortium').description('private consortium networks')
  consortium
    .command('init')
    .description('write a new libp2p pre-shared swarm key; share it with members only')
    .requiredOption('--out <file>', 'where to write the swarm key')
    .option('--json', 'print JSON')
    .action(async (options: { out: string; json?: boolean }) => {
      try {
        await writeNewSwarmKey(options.out)
      } catch (err) {
        if ((err as { code?: string }).code === 'EEXIST') {
          throw new CliError(
            { code: 'CLI_OUTPUT_EXISTS', path: options.out },
            `${options.out} already exists; a swarm key is never overwritten: choose another --out or remove the file`,
          )
        }
        throw err
      }
      if (options.json === true) printJson({ swarmKey: options.out })
      else
        printLines([
          `swarm key written to ${options.out}`,
          'start each member with --swarm-key FILE (and --allow-peers FILE to admit members only)',
        ])
    })
}
