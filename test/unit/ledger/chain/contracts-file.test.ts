// `--contracts FILE`: the four addresses `hcx chain start --json` prints, alone or as the
// whole line; anything else is CONTRACTS_FILE_INVALID naming the file and what is wrong.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ContractAddresses, readContractsFile } from '../../../../ledger/chain/contracts-file.ts'
import { ChainError } from '../../../../ledger/chain/errors.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const CONTRACTS: ContractAddresses = {
  ClearingHouse: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  CollateralVault: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  CapacityToken: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
  SettlementToken: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcx-contracts-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let fileCount = 0
async function file(text: string): Promise<string> {
  const path = join(dir, `contracts-${fileCount++}.json`)
  await writeFile(path, text)
  return path
}

/** Reads `path`, which must be refused; returns the message after checking the code and path. */
function refused(path: string): string {
  const err = expectRefusal(() => readContractsFile(path), ChainError)
  expect(err.type).toEqual({ code: 'CONTRACTS_FILE_INVALID', path })
  expect(err.message).toContain(`--contracts ${path} is not a contracts file (`)
  // The message shows what a good file holds.
  expect(err.message).toContain('"ClearingHouse":"0x..."')
  return err.message
}

describe('the contracts file', () => {
  it('reads the four addresses', async () => {
    expect(readContractsFile(await file(JSON.stringify(CONTRACTS)))).toEqual(CONTRACTS)
  })

  it('reads the whole line `hcx chain start --json` prints', async () => {
    const line = `${JSON.stringify({ rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, contracts: CONTRACTS })}\n`
    expect(readContractsFile(await file(line))).toEqual(CONTRACTS)
  })

  it('refuses a file that does not exist', () => {
    const path = join(dir, 'absent.json')
    expect(refused(path)).toMatch(/\(cannot read it: .*ENOENT/)
  })

  it('refuses a file that is not JSON', async () => {
    expect(refused(await file('ClearingHouse=0x9fE4'))).toContain('(it is not JSON)')
    expect(refused(await file(''))).toContain('(it is not JSON)')
  })

  it('refuses JSON that is not an object of addresses', async () => {
    expect(refused(await file('null'))).toContain('(the object: ')
    expect(refused(await file('[]'))).toContain('(the object: ')
  })

  it('refuses a file missing one of the four contracts, naming it', async () => {
    const { CapacityToken: _, ...three } = CONTRACTS
    expect(refused(await file(JSON.stringify(three)))).toContain(
      '(CapacityToken: Invalid input: expected string',
    )
  })

  it('refuses a file with a key it does not know, naming it', async () => {
    const message = refused(await file(JSON.stringify({ ...CONTRACTS, OracleHub: CONTRACTS.ClearingHouse })))
    expect(message).toContain('(the object: Unrecognized key: "OracleHub")')
  })

  it('refuses an address that is not 20 bytes of 0x-prefixed hex, naming the contract', async () => {
    for (const bad of [
      CONTRACTS.ClearingHouse.slice(2),
      `${CONTRACTS.ClearingHouse}00`,
      CONTRACTS.ClearingHouse.slice(0, -1),
      `${CONTRACTS.ClearingHouse.slice(0, -1)}g`,
    ]) {
      const message = refused(await file(JSON.stringify({ ...CONTRACTS, ClearingHouse: bad })))
      expect(message).toContain('(ClearingHouse: a 0x-prefixed 20-byte hex address)')
    }
    const message = refused(await file(JSON.stringify({ ...CONTRACTS, SettlementToken: 42 })))
    expect(message).toContain('(SettlementToken: ')
  })

  it('refuses a bad contracts object inside the whole line, naming the contract', async () => {
    const line = JSON.stringify({
      rpcUrl: 'http://127.0.0.1:8545',
      chainId: 31337,
      contracts: { ...CONTRACTS, CollateralVault: '0x1234' },
    })
    expect(refused(await file(line))).toContain('(CollateralVault: a 0x-prefixed 20-byte hex address)')
  })
})
