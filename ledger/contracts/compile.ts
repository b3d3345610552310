// Compiles the Solidity sources beside this file with solc-js (no compiler download),
// resolving OpenZeppelin imports from node_modules.

import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url))
export const CONTRACT_NAMES = [
  'SettlementToken',
  'CollateralVault',
  'ClearingHouse',
  'CapacityToken',
] as const
export type ContractName = (typeof CONTRACT_NAMES)[number]

export interface CompiledContract {
  abi: unknown[]
  /** 0x-prefixed creation bytecode. */
  bytecode: string
}

export interface CompiledContracts {
  compiler: string
  /** sha256 over the sources, so a build can tell whether it is stale. */
  sourceHash: string
  contracts: Record<ContractName, CompiledContract>
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>
}

const require = createRequire(import.meta.url)

export function contractSources(): Record<string, string> {
  const sources: Record<string, string> = {}
  for (const file of readdirSync(CONTRACTS_DIR)
    .filter((f) => f.endsWith('.sol'))
    .sort()) {
    sources[file] = readFileSync(join(CONTRACTS_DIR, file), 'utf8')
  }
  return sources
}

export async function sourceHash(sources: Record<string, string>): Promise<string> {
  const { createHash } = await import('node:crypto')
  const hash = createHash('sha256')
  for (const [file, text] of Object.entries(sources)) hash.update(`${file}\0${text}\0`)
  return hash.digest('hex')
}

export async function compileContracts(): Promise<CompiledContracts> {
  const solc = require('solc') as {
    compile(
      input: string,
      callbacks: { import(path: string): { contents: string } | { error: string } },
    ): string
    version(): string
  }
  const sources = contractSources()
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([file, content]) => [file, { content }])),
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 1000 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  const contracts = {} as Record<ContractName, CompiledContract>
  for (const name of CONTRACT_NAMES) {
    const compiled = output.contracts[`${name}.sol`]?.[name]
    if (compiled === undefined) throw new Error(`solc produced no contract ${name} from ${name}.sol`)
    contracts[name] = { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` }
  }
  return { compiler: solc.version(), sourceHash: await sourceHash(sources), contracts }
}

function resolveImport(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') }
  } catch {
    return {
      error: `cannot resolve import ${path}: only @openzeppelin/contracts and files in ledger/contracts are available`,
    }
  }
}
