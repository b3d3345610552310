// The contracts object `hcx chain start --json` prints and `--contracts FILE` reads back.

import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { CONTRACT_NAMES } from '../contracts/compile.ts'
import { ChainError } from './errors.ts'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte hex address')

export const contractAddressesSchema = z.strictObject({
  ClearingHouse: address,
  CollateralVault: address,
  CapacityToken: address,
  SettlementToken: address,
})
export type ContractAddresses = z.infer<typeof contractAddressesSchema>

export function readContractsFile(path: string): ContractAddresses {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw invalid(path, `cannot read it: ${(cause as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalid(path, 'it is not JSON')
  }
  // The whole `hcx chain start --json` line is accepted too, for convenience.
  const candidate = typeof json === 'object' && json !== null && 'contracts' in json ? json.contracts : json
  const parsed = contractAddressesSchema.safeParse(candidate)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw invalid(path, `${issue?.path.join('.') || 'the object'}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}

function invalid(path: string, why: string): ChainError {
  return new ChainError(
    { code: 'CONTRACTS_FILE_INVALID', path },
    `--contracts ${path} is not a contracts file (${why}); expected {${CONTRACT_NAMES.map((n) => `"${n}":"0x..."`).join(',')}} as 'hcx chain start --json' prints it`,
  )
}
