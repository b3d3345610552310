// The compiled contracts, as scripts/build-contracts.ts wrote them at install.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CONTRACTS_DIR, type CompiledContracts } from '../contracts/compile.ts'
import { ChainError } from './errors.ts'

export const CONTRACTS_BUILD_FILE = join(CONTRACTS_DIR, 'build', 'contracts.json')

let loaded: CompiledContracts | undefined

export function compiledContracts(): CompiledContracts {
  if (loaded !== undefined) return loaded
  try {
    loaded = JSON.parse(readFileSync(CONTRACTS_BUILD_FILE, 'utf8')) as CompiledContracts
  } catch (cause) {
    throw new ChainError(
      { code: 'CONTRACTS_NOT_BUILT' },
      `cannot read the compiled contracts at ${CONTRACTS_BUILD_FILE}: run 'npm run build:contracts' (npm ci runs it too)`,
      { cause },
    )
  }
  return loaded
}
