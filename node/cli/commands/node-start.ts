// `hcx node start`: runs a node until SIGINT/SIGTERM. With --json, stdout carries one JSON
// object a line, the first being the `ready` event once the node listens.

import type { Command } from 'commander'
import { durationOrRaw } from '../../../config/duration.ts'
import { loadConfig } from '../../../config/load.ts'
import { createLogger } from '../../logger.ts'
import { collect, integerOrRaw, withDataDir } from '../common-options.ts'
import { printJson, printLines } from '../output.ts'

interface StartOptions {
  dataDir: string
  config?: string
  role?: string
  network?: string
  listen?: string[]
  bootstrap?: string[]
  swarmKey?: string
  allowPeers?: string
  apiPort?: number | string
  targetPeers?: number | string
  mdns?: boolean
  logLevel?: string
  rpcUrl?: string
  contracts?: string
  settleEpoch?: string
  json?: boolean
}

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('run a node')
  withDataDir(node.command('start').description('start a node and keep it running until SIGINT/SIGTERM'))
    .option('--config <file>', 'a JSON config file (env HCX_CONFIG)')
    .option('--role <role>', 'provider, full or light')
    .option('--network <name>', 'network name; nodes of different networks ignore each other')
    .option('--listen <multiaddr>', 'address to listen on (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer, ending in /p2p/<peer id> (repeatable)', collect)
    .option('--swarm-key <file>', 'join the private network of this pre-shared key')
    .option('--allow-peers <file>', 'accept only the peer ids listed in this file, one a line')
    .option('--api-port <n>', 'control API port on 127.0.0.1 (0 picks a free one)', integerOrRaw)
    .option('--target-peers <n>', 'connections discovery keeps open', integerOrRaw)
    .option('--mdns', 'also discover peers on the local network with mDNS')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option('--rpc-url <url>', 'settle on the chain at this JSON-RPC URL instead of the embedded one')
    .option(
      '--contracts <file>',
      "the contract addresses on --rpc-url, as 'hcx chain start --json' prints them",
    )
    .option('--settle-epoch <duration>', 'how often trades are netted and settled, e.g. 60s or 5m')
    .option('--json', 'print JSON lines on stdout')
    .action(startNode)
}

async function startNode(options: StartOptions): Promise<void> {
  const configFile = options.config ?? process.env.HCX_CONFIG
  const config = loadConfig({
    env: process.env,
    ...(configFile === undefined ? {} : { file: configFile }),
    flags: {
      dataDir: options.dataDir,
      role: options.role,
      network: options.network,
      listen: options.listen,
      bootstrap: options.bootstrap,
      swarmKeyFile: options.swarmKey,
      allowPeersFile: options.allowPeers,
      mdns: options.mdns,
      api: { port: options.apiPort },
      connections: { target: options.targetPeers },
      log: { level: options.logLevel },
      settlement: {
        rpcUrl: options.rpcUrl,
        contractsFile: options.contracts,
        epochMs: options.settleEpoch === undefined ? undefined : durationOrRaw(options.settleEpoch),
      },
    },
  })
  const logger = createLogger(config.log.level)
  // The node's modules (libp2p and the rest) load only here: other commands start fast.
  const { HcxNode } = await import('../../hcx-node.ts')
  const node = await HcxNode.start({ config, logger })
  // Signals are handled before `ready` is printed: a supervisor may send SIGTERM right after.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false
    const shutdown = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without a clean stop')
        process.exit(1)
      }
      stopping = true
      logger.info({ signal }, 'stopping')
      node.stop(logger).then(resolve, (err) => {
        logger.error({ err: String(err) }, 'error while stopping')
        resolve()
      })
    }
    process.once('SIGINT', () => shutdown('SIGINT'))
    process.once('SIGTERM', () => shutdown('SIGTERM'))
  })
  // Stray rejections inside the network stack are logged; they must not take the node down.
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled rejection'))

  const ready = { event: 'ready', peerId: node.peerId, multiaddrs: node.multiaddrs(), api: node.apiUrl }
  if (options.json === true) printJson(ready)
  else
    printLines([
      `hcx node ready (${config.role}, network ${config.network})`,
      `  peer id    ${ready.peerId}`,
      ...ready.multiaddrs.map((addr) => `  listening  ${addr}`),
      `  api        ${ready.api}`,
      `  data dir   ${config.dataDir}`,
    ])
  await stopped
  if (options.json === true) printJson({ event: 'stopped' })
  // Everything is closed; a timer left behind inside the network stack must not delay exit.
  process.exit(0)
}
