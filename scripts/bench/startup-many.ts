// Child process of scripts/bench/startup.ts: starts N hcx nodes in this one process on
// 127.0.0.1 (the first is the others' bootstrap peer), lets them settle, and prints one JSON
// line on stdout with the process's resident memory and the start times. Then stops them all.
//
//   node --import tsx scripts/bench/startup-many.ts <data root> [nodes=20] [settle ms=10000]
//
// The data root must exist; the parent removes it.

import { join } from 'node:path'
import { loadConfig } from '../../config/load.ts'
import { HcxNode } from '../../node/hcx-node.ts'
import { createLogger } from '../../node/logger.ts'

async function main(): Promise<void> {
  const [dataRoot, countArg = '20', settleArg = '10000'] = process.argv.slice(2)
  if (dataRoot === undefined) throw new Error('usage: startup-many.ts <data root> [nodes] [settle ms]')
  const count = Number(countArg)
  const settleMs = Number(settleArg)

  const rssBeforeBytes = process.memoryUsage().rss
  const logger = createLogger('warn')
  const nodes: HcxNode[] = []
  const startMs: number[] = []
  try {
    const allStarted = performance.now()
    let bootstrap: string[] = []
    for (let i = 0; i < count; i++) {
      const config = loadConfig({
        flags: {
          dataDir: join(dataRoot, `node-${i}`),
          listen: ['/ip4/127.0.0.1/tcp/0'],
          bootstrap,
          api: { port: 0 },
          log: { level: 'warn' },
        },
      })
      const started = performance.now()
      const node = await HcxNode.start({ config, logger })
      startMs.push(performance.now() - started)
      nodes.push(node)
      if (i === 0) {
        const addr = node.multiaddrs().find((a) => a.includes('/p2p/'))
        if (addr === undefined) throw new Error('the first node has no /p2p/ multiaddr to bootstrap from')
        bootstrap = [addr]
      }
    }
    const startAllMs = performance.now() - allStarted

    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const memory = process.memoryUsage()
    const connections = nodes.map((node) => node.libp2p.getConnections().length)

    process.stdout.write(
      `${JSON.stringify({
        nodes: count,
        settleMs,
        startAllMs,
        firstStartMs: startMs[0],
        laterStartMs: startMs.slice(1),
        rssBeforeBytes,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
        arrayBuffersBytes: memory.arrayBuffers,
        connectionsMin: Math.min(...connections),
        connectionsMax: Math.max(...connections),
      })}\n`,
    )
  } finally {
    const stopped = performance.now()
    await Promise.allSettled(nodes.map((node) => node.stop()))
    process.stderr.write(
      `startup-many: stopped ${nodes.length} nodes in ${Math.round(performance.now() - stopped)} ms\n`,
    )
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`startup-many: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
