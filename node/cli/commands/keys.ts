// `hcx keys init|show`: the node's libp2p and settlement keys.

import { mkdir } from 'node:fs/promises'
import type { Command } from 'commander'
import { initKeys, keyPaths, loadKeys } from '../../identity/keys.ts'
import { withDataDir } from '../common-options.ts'
import { printJson, printLines } from '../output.ts'

interface KeysOptions {
  dataDir: string
  json?: boolean
  force?: boolean
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description("create and show the node's keys")

  withDataDir(keys.command('init').description('create the Ed25519 peer key and the Ethereum settlement key'))
    .option('--force', 'replace existing keys (the peer id and settlement account change)')
    .option('--json', 'print JSON')
    .action(async (options: KeysOptions) => {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
      const created = await initKeys(options.dataDir, { force: options.force === true })
      report(
        { peerId: created.peerId.toString(), address: created.address },
        options,
        keyPaths(options.dataDir).dir,
      )
    })

  withDataDir(keys.command('show').description("print the node's peer id and settlement address"))
    .option('--json', 'print JSON')
    .action(async (options: KeysOptions) => {
      const loaded = await loadKeys(options.dataDir)
      report({ peerId: loaded.peerId.toString(), address: loaded.address }, options)
    })
}

function report(
  identity: { peerId: string; address: string },
  options: KeysOptions,
  createdIn?: string,
): void {
  if (options.json === true) {
    printJson(identity)
    return
  }
  printLines([
    ...(createdIn === undefined ? [] : [`keys written to ${createdIn}`]),
    `peer id  ${identity.peerId}`,
    `address  ${identity.address}`,
  ])
}
