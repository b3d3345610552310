// Starts real hcx nodes on 127.0.0.1 for tests, each in its own temporary data dir, and
// stops them all afterwards.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../config/load.ts'
import { HcxNode, type HcxNodeInit } from '../../node/hcx-node.ts'
import { createLogger } from '../../node/logger.ts'

export interface TestNodeOptions {
  dataDir?: string
  flags?: Record<string, unknown>
  extra?: Omit<HcxNodeInit, 'config' | 'logger'>
}

export class TestCluster {
  readonly nodes: HcxNode[] = []
  private readonly dirs: string[] = []

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hcx-test-'))
    this.dirs.push(dir)
    return dir
  }

  async start(options: TestNodeOptions = {}): Promise<HcxNode> {
    const dataDir = options.dataDir ?? (await this.tempDir())
    const config = loadConfig({
      flags: {
        dataDir,
        listen: options.flags?.role === 'light' ? [] : ['/ip4/127.0.0.1/tcp/0'],
        api: { port: 0 },
        log: { level: 'warn' },
        ...options.flags,
        discovery: { maintainIntervalMs: 500, walkIntervalMs: 2_000, ...(options.flags?.discovery ?? {}) },
      },
    })
    const node = await HcxNode.start({ config, logger: createLogger(config.log.level), ...options.extra })
    this.nodes.push(node)
    return node
  }

  async stop(node: HcxNode): Promise<void> {
    await node.stop()
    this.nodes.splice(this.nodes.indexOf(node), 1)
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.nodes.map((node) => node.stop()))
    this.nodes.length = 0
    await Promise.allSettled(this.dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return check()
}
