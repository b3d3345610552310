// Compiles ledger/contracts/*.sol into ledger/contracts/build/contracts.json (ABIs and
// bytecode). Runs at install (npm's prepare) and is skipped when the sources are unchanged.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CONTRACTS_BUILD_FILE } from '../ledger/chain/artifacts.ts'
import { CONTRACTS_DIR, compileContracts, contractSources, sourceHash } from '../ledger/contracts/compile.ts'

const force = process.argv.includes('--force')
const wanted = await sourceHash(contractSources())
if (!force && builtHash() === wanted) {
  console.log(`contracts up to date (${CONTRACTS_BUILD_FILE})`)
} else {
  const started = performance.now()
  const compiled = await compileContracts()
  mkdirSync(join(CONTRACTS_DIR, 'build'), { recursive: true })
  writeFileSync(CONTRACTS_BUILD_FILE, `${JSON.stringify(compiled)}\n`)
  console.log(
    `compiled ${Object.keys(compiled.contracts).join(', ')} with solc ${compiled.compiler} in ${Math.round(performance.now() - started)} ms`,
  )
}

function builtHash(): string | undefined {
  try {
    return (JSON.parse(readFileSync(CONTRACTS_BUILD_FILE, 'utf8')) as { sourceHash?: string }).sourceHash
  } catch {
    return undefined
  }
}
