// `hcx status`: a running node's status through its control API.

import type { Command } from 'commander'
import { apiGet } from '../../api/client.ts'
import type { NodeStatus } from '../../api/server.ts'
import { withDataDir } from '../common-options.ts'
import { printJson, printLines } from '../output.ts'

export function registerStatusCommand(program: Command): void {
  withDataDir(program.command('status').description("a running node's peer id, addresses, peers and actors"))
    .option('--json', 'print JSON')
    .action(async (options: { dataDir: string; json?: boolean }) => {
      const status = await apiGet<NodeStatus>(options.dataDir, '/v1/status')
      if (options.json === true) {
        printJson(status)
        return
      }
      printLines([
        `peer id    ${status.peerId}`,
        ...status.multiaddrs.map((addr) => `listening  ${addr}`),
        `peers      ${status.peers.length}`,
        ...status.peers.map((peer) => `  ${peer.peerId}  ${peer.addrs[0] ?? ''}`),
        'actors',
        ...Object.entries(status.actors).map(([id, state]) => `  ${id.padEnd(12)} ${state}`),
      ])
    })
}
