// The settlement commands as a user meets them: `hcx chain start --json` prints exactly the
// documented object and stops cleanly on SIGTERM; collateral, positions and epochs of a node
// on its embedded chain; and clear, named failures for bad amounts and unusable chains.

import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanFailure, HcxProcesses, LOCAL, type RunningNode } from '../helpers/hcx-process.ts'

const HCX = fileURLToPath(new URL('../../bin/hcx', import.meta.url))
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const hcx = new HcxProcesses('hcx-e2e-settlement-')

describe('hcx chain start', () => {
  it('prints the chain as one JSON line and serves until SIGTERM', async () => {
    const child = spawn(HCX, ['chain', 'start', '--port', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const line = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code} before printing`)))
    })
    const printed = JSON.parse(line) as { rpcUrl: string; chainId: number; contracts: Record<string, string> }
    expect(Object.keys(printed)).toEqual(['rpcUrl', 'chainId', 'contracts'])
    expect(printed.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(printed.chainId).toBe(31337)
    expect(Object.keys(printed.contracts).sort()).toEqual([
      'CapacityToken',
      'ClearingHouse',
      'CollateralVault',
      'SettlementToken',
    ])
    for (const address of Object.values(printed.contracts)) expect(address).toMatch(ADDRESS)
    // Any Ethereum tool can talk to it: plain JSON-RPC finds the clearing house's code.
    const response = await fetch(printed.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getCode',
        params: [printed.contracts.ClearingHouse, 'latest'],
      }),
    })
    expect(((await response.json()) as { result: string }).result.length).toBeGreaterThan(1_000)

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 30_000)

  it('refuses a bad port as a usage error', async () => {
    expectCleanFailure(await hcx.run(['chain', 'start', '--port', 'eighty']), 'CLI_USAGE', { exitCode: 2 })
  })
})

describe('settlement commands on the embedded chain', () => {
  let node: RunningNode
  beforeAll(async () => {
    node = await hcx.startNode(await hcx.tempDir())
  }, 30_000)
  afterAll(() => hcx.cleanup(), 30_000)

  const json = async <T>(args: string[]): Promise<T> => {
    const result = await hcx.run([...args, '--data-dir', node.dataDir, '--json'])
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout) as T
  }

  it('deposits from the faucet, withdraws, and shows positions and epochs', async () => {
    const deposited = await json<{ account: string; balance: string; txHash: string }>([
      'collateral',
      'deposit',
      '--amount',
      '250.75',
    ])
    expect(deposited).toMatchObject({ deposited: '250.75', balance: '250.75', free: '250.75' })
    expect(deposited.account).toMatch(ADDRESS)
    expect(deposited.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(await json(['collateral', 'withdraw', '--amount', '50'])).toMatchObject({ balance: '200.75' })

    const positions = await json<{
      account: string
      collateral: Record<string, string>
      positions: unknown[]
    }>(['positions'])
    expect(positions).toMatchObject({ account: deposited.account, chainId: '31337', positions: [] })
    expect(positions.collateral).toEqual({ wallet: '50.0', balance: '200.75', locked: '0.0', free: '200.75' })
    expect(await json(['settle', 'status'])).toEqual({ account: deposited.account, epochs: [] })
    expect(await json(['settle', 'run'])).toEqual({ epoch: null })
  }, 30_000)

  it('refuses bad amounts and over-withdrawals by name', async () => {
    for (const amount of ['-5', '0', '1.1234567', 'lots', '1e6']) {
      const result = await hcx.run(['collateral', 'deposit', '--amount', amount, '--data-dir', node.dataDir])
      expectCleanFailure(result, 'API_BAD_AMOUNT')
    }
    const tooMuch = await hcx.run([
      'collateral',
      'withdraw',
      '--amount',
      '1000000',
      '--data-dir',
      node.dataDir,
    ])
    expectCleanFailure(tooMuch, 'CHAIN_REVERTED')
    expect(tooMuch.stderr).toContain('InsufficientFreeBalance(')
  }, 30_000)
})

describe('a node pointed at an unusable chain', () => {
  it('stops at start with a named error', async () => {
    const dir = await hcx.tempDir()
    const contracts = join(dir, 'contracts.json')
    await writeFile(contracts, '{"ClearingHouse":"0x12"}')
    const start = (extra: string[]) =>
      hcx.run(['node', 'start', '--data-dir', dir, ...LOCAL, '--json', ...extra])

    const badFile = await start(['--rpc-url', 'http://127.0.0.1:1', '--contracts', contracts])
    expectCleanFailure(badFile, 'CONTRACTS_FILE_INVALID')
    expect(badFile.stderr).toContain(contracts)

    await writeFile(
      contracts,
      JSON.stringify({
        ClearingHouse: `0x${'1'.repeat(40)}`,
        CollateralVault: `0x${'2'.repeat(40)}`,
        CapacityToken: `0x${'3'.repeat(40)}`,
        SettlementToken: `0x${'4'.repeat(40)}`,
      }),
    )
    const unreachable = await start(['--rpc-url', 'http://127.0.0.1:1', '--contracts', contracts])
    expectCleanFailure(unreachable, 'CHAIN_UNREACHABLE')

    expectCleanFailure(await start(['--rpc-url', 'http://127.0.0.1:1']), 'CONFIG_INVALID')
    expectCleanFailure(await start(['--settle-epoch', 'weekly']), 'CONFIG_INVALID')
  }, 60_000)
})
