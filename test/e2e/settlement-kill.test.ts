// End-to-end: a node killed with SIGKILL in the middle of settling an epoch settles that epoch
// exactly once after a restart. Two real nodes (bin/hcx node start) share a dev chain served in
// this process; B rests a sell, A takes it, so A proposes the epoch and B signs its lines. B is
// frozen (SIGSTOP) so that A's proposal stays in `gathering`, A is killed there, B thawed, A
// restarted on the same data dir; its next `hcx settle run` must abandon the interrupted proposal
// and settle the trade once. The chain is read back with a plain ethers provider.

import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Contract, JsonRpcProvider, keccak256, toUtf8Bytes } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevChain, startDevChain } from '../../ledger/chain/dev-chain.ts'
import { HcxProcesses, type RunningNode } from '../helpers/hcx-process.ts'
import { pollUntil, sleep } from '../helpers/poll.ts'

const INSTRUMENT = 'SPOT:gpu.h100'
const QTY = 5n
/** Time for gossipsub to build its mesh once the two nodes are connected. */
const GOSSIP_MESH_MS = 2_000
const READER_ABI = [
  'function position(address account, bytes32 instrument) view returns (int256)',
  'function lastEpoch() view returns (uint64)',
]

const hcx = new HcxProcesses('hcx-e2e-settle-kill-')

interface TradeJson {
  tradeId: string
  instrument: string
  qty: string
  maker: string
  taker: string
  state: string
}

interface PlaceJson {
  orderId: string
  status: string
  fills: TradeJson[]
}

interface EpochJson {
  epoch: number
  role: 'proposer' | 'signer'
  trades: number
  lines: number
  root: string
  txHash: string | null
  gasUsed: string | null
  state: string
  reason?: string
}

interface SettleStatusJson {
  account: string
  epochs: EpochJson[]
}

interface PositionsJson {
  account: string
  positions: Array<{ instrument: string; settled: string; onChain: string; unsettled: string }>
}

interface StatusJson {
  peers: Array<{ peerId: string }>
}

const settleStatus = (node: RunningNode) =>
  hcx.json<SettleStatusJson>(['settle', 'status', '--data-dir', node.dataDir])
const positions = (node: RunningNode) => hcx.json<PositionsJson>(['positions', '--data-dir', node.dataDir])
const peersOf = (node: RunningNode) => hcx.json<StatusJson>(['status', '--data-dir', node.dataDir])
const sees = (node: RunningNode, other: RunningNode, name: string) =>
  pollUntil(
    `${name} lists the other node among its peers`,
    () => peersOf(node),
    (status) => status.peers.some((peer) => peer.peerId === other.ready.peerId),
    10_000,
  )

let chain: DevChain | undefined
let nodeArgs: string[] = []
let nodeA: RunningNode | undefined
let nodeB: RunningNode | undefined

beforeAll(async () => {
  const started = await startDevChain(0)
  chain = started
  const contractsFile = join(await hcx.tempDir(), 'contracts.json')
  await writeFile(contractsFile, JSON.stringify(started.contracts))
  nodeArgs = ['--rpc-url', started.rpcUrl, '--contracts', contractsFile, '--settle-epoch', '1h']

  const [dirA, dirB] = await Promise.all([hcx.tempDir(), hcx.tempDir()])
  const a = await hcx.startNode(dirA, nodeArgs)
  nodeA = a
  const bootstrap = a.ready.multiaddrs[0]
  if (bootstrap === undefined) throw new Error('node A listens on no address')
  const b = await hcx.startNode(dirB, [...nodeArgs, '--bootstrap', bootstrap])
  nodeB = b
  await Promise.all([sees(a, b, 'A'), sees(b, a, 'B')])
  for (const node of [a, b]) {
    await hcx.json(['collateral', 'deposit', '--amount', '1000', '--data-dir', node.dataDir])
  }
  await sleep(GOSSIP_MESH_MS)
}, 40_000)

afterAll(async () => {
  // A frozen node would ignore anything but SIGKILL; cleanup() kills every child anyway.
  nodeB?.signal('SIGCONT')
  await hcx.cleanup()
  await chain?.close()
}, 20_000)

describe('settlement interrupted by SIGKILL', () => {
  it('A node killed (SIGKILL) during settlement settles that epoch exactly once after restart', async () => {
    const a = nodeA
    const b = nodeB
    if (a === undefined || b === undefined || chain === undefined) throw new Error('the setup did not run')

    // B rests a sell; A takes it, so A proposes the epoch and B signs its lines.
    const sell = await hcx.json<PlaceJson>([
      'order',
      'place',
      '--data-dir',
      b.dataDir,
      '--instrument',
      INSTRUMENT,
      '--side',
      'sell',
      '--price',
      '2.50',
      '--qty',
      String(QTY),
    ])
    expect(sell.status).toBe('open')
    await pollUntil(
      'A shows the sell of B',
      () => hcx.json<{ asks: unknown[] }>(['book', '--data-dir', a.dataDir, '--instrument', INSTRUMENT]),
      (book) => book.asks.length > 0,
      5_000,
    )
    const buy = await hcx.json<PlaceJson>([
      'order',
      'place',
      '--data-dir',
      a.dataDir,
      '--instrument',
      INSTRUMENT,
      '--side',
      'buy',
      '--price',
      '2.50',
      '--qty',
      String(QTY),
      '--tif',
      'ioc',
    ])
    expect(buy.status).toBe('filled')
    expect(buy.fills).toHaveLength(1)
    const fill = buy.fills[0] as TradeJson
    expect(fill).toMatchObject({ maker: b.ready.peerId, taker: a.ready.peerId, qty: String(QTY) })
    for (const node of [a, b]) {
      const trades = await hcx.json<TradeJson[]>(['trades', '--data-dir', node.dataDir])
      expect(trades.map((t) => [t.tradeId, t.state])).toEqual([[fill.tradeId, 'cosigned']])
    }

    // Freeze B, so that A's request for B's signature goes unanswered and A's proposal stays in
    // `gathering`; kill A there, long before its 10 s sign timeout.
    b.signal('SIGSTOP')
    const interrupted = hcx.run(['settle', 'run', '--json', '--data-dir', a.dataDir])
    const gathering = await pollUntil(
      "A's epoch 1 proposal is gathering signatures",
      () => settleStatus(a),
      (view) => view.epochs.some((e) => e.role === 'proposer' && e.epoch === 1 && e.state === 'gathering'),
      5_000,
      50,
    )
    expect(gathering.epochs).toHaveLength(1)
    const killed = await a.stop('SIGKILL')
    expect(killed.signal).toBe('SIGKILL')
    const lost = await interrupted
    expect(lost.code, `settle run should fail with its node killed: ${lost.stdout}`).not.toBe(0)
    expect(lost.stdout).toBe('')
    b.signal('SIGCONT')

    // Restart A on the same data dir, bootstrapped to B (its port is new, B's is not).
    const bAddr = b.ready.multiaddrs[0]
    if (bAddr === undefined) throw new Error('node B listens on no address')
    const restarted = await hcx.startNode(a.dataDir, [...nodeArgs, '--bootstrap', bAddr])
    nodeA = restarted
    expect(restarted.ready.peerId).toBe(fill.taker)
    await Promise.all([sees(restarted, b, 'restarted A'), sees(b, restarted, 'B')])

    let settled: EpochJson | undefined
    const attempts: unknown[] = []
    for (let attempt = 0; attempt < 5 && settled === undefined; attempt++) {
      if (attempt > 0) await sleep(1_000)
      const run = await hcx.json<{ epoch: EpochJson | null }>([
        'settle',
        'run',
        '--data-dir',
        restarted.dataDir,
      ])
      attempts.push(run.epoch)
      if (run.epoch?.state === 'settled') settled = run.epoch
    }
    expect(settled, `settle run after the restart: ${JSON.stringify(attempts)}`).toBeDefined()
    expect(settled).toMatchObject({ epoch: 1, trades: 1, role: 'proposer' })

    // The chain: epoch 1 and nothing after it, and the traded quantity once on each side.
    const reader = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true })
    try {
      const clearing = new Contract(chain.contracts.ClearingHouse, READER_ABI, reader)
      const key = keccak256(toUtf8Bytes(INSTRUMENT))
      const [accountA, accountB] = await Promise.all([
        settleStatus(restarted).then((v) => v.account),
        settleStatus(b).then((v) => v.account),
      ])
      const onChain = async () => ({
        lastEpoch: (await clearing.getFunction('lastEpoch')()) as bigint,
        a: (await clearing.getFunction('position')(accountA, key)) as bigint,
        b: (await clearing.getFunction('position')(accountB, key)) as bigint,
      })
      expect(await onChain()).toEqual({ lastEpoch: 1n, a: QTY, b: -QTY })

      // A's ledger: the interrupted proposal abandoned, and one settled proposal for epoch 1.
      const view = await settleStatus(restarted)
      const mine = view.epochs.filter((e) => e.role === 'proposer')
      expect(mine.every((e) => e.epoch === 1)).toBe(true)
      const abandoned = mine.filter((e) => e.state === 'abandoned')
      expect(abandoned.map((e) => e.reason)).toContain('interrupted before submission')
      expect(abandoned[0]).toMatchObject({ root: gathering.epochs[0]?.root, txHash: null })
      const done = mine.filter((e) => e.state === 'settled')
      expect(done).toHaveLength(1)
      expect(done[0]?.txHash).toMatch(/^0x[0-9a-f]{64}$/)
      expect(BigInt(done[0]?.gasUsed ?? '0')).toBeGreaterThan(0n)
      expect(mine.filter((e) => e.state !== 'abandoned' && e.state !== 'settled')).toEqual([])

      // Settling again settles nothing, on either node.
      for (const node of [restarted, b]) {
        const again = await hcx.json<{ epoch: unknown }>(['settle', 'run', '--data-dir', node.dataDir])
        expect(again.epoch).toBeNull()
      }
      expect(await onChain()).toEqual({ lastEpoch: 1n, a: QTY, b: -QTY })

      // B's signed lines of epoch 1 are resolved as settled by that last run.
      const signer = (await settleStatus(b)).epochs
      expect(signer.map((e) => [e.epoch, e.role, e.state])).toEqual([[1, 'signer', 'settled']])

      // Each node's ledger agrees with the chain.
      for (const [node, expected] of [
        [restarted, QTY],
        [b, -QTY],
      ] as const) {
        const { positions: held } = await positions(node)
        expect(held).toEqual([
          { instrument: INSTRUMENT, settled: String(expected), onChain: String(expected), unsettled: '0' },
        ])
      }
    } finally {
      reader.destroy()
    }
  }, 60_000)
})
