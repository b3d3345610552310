// ethers Contract handles on the compiled ABIs, and decoding of the contracts' custom errors.

import { Contract, type ContractRunner, Interface } from 'ethers'
import type { ContractName } from '../contracts/compile.ts'
import { CONTRACT_NAMES } from '../contracts/compile.ts'
import { compiledContracts } from './artifacts.ts'
import { ChainError } from './errors.ts'

export function contractAt(name: ContractName, address: string, runner: ContractRunner): Contract {
  return new Contract(address, compiledContracts().contracts[name].abi as never, runner)
}

let errorInterfaces: Interface[] | undefined

/** The custom error in revert data, as `Name(arg, ...)`, from whichever contract defines it. */
export function decodeRevert(data: string): string | undefined {
  errorInterfaces ??= CONTRACT_NAMES.map(
    (name) => new Interface(compiledContracts().contracts[name].abi as never),
  )
  for (const iface of errorInterfaces) {
    try {
      const parsed = iface.parseError(data)
      if (parsed !== null) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(', ')})`
    } catch {
      // Not this contract's error; try the next.
    }
  }
  return undefined
}

/** Runs a chain call, turning a revert into CHAIN_REVERTED with the decoded custom error. */
export async function withRevertReason<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    const data = revertData(err)
    if (data === undefined) throw err
    const reason = decodeRevert(data) ?? `unknown revert data ${data.slice(0, 74)}`
    throw new ChainError(
      { code: 'CHAIN_REVERTED', reason },
      `${what} was refused by the contract: ${reason}`,
      {
        cause: err,
      },
    )
  }
}

function revertData(err: unknown): string | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data
    const info = (current as { info?: { error?: unknown } }).info
    current = (current as { error?: unknown }).error ?? info?.error ?? (current as { cause?: unknown }).cause
  }
  return undefined
}
