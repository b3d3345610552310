// Deploys the four contracts and wires their roles: the clearing house may move vault
// balances, the capacity token may lock collateral.

import { ContractFactory, type Signer } from 'ethers'
import { compiledContracts } from './artifacts.ts'
import { contractAt } from './contracts.ts'
import type { ContractAddresses } from './contracts-file.ts'

export interface DeployOptions {
  /** How many oracle signatures an index price needs. */
  oracleThreshold?: number
  /** Settlement-token base units locked per capacity unit minted. */
  collateralPerUnit?: bigint
}

export async function deployContracts(
  deployer: Signer,
  options: DeployOptions = {},
): Promise<ContractAddresses> {
  const admin = await deployer.getAddress()
  const build = compiledContracts().contracts
  const deploy = async (name: keyof typeof build, ...args: unknown[]): Promise<string> => {
    const factory = new ContractFactory(build[name].abi as never, build[name].bytecode, deployer)
    const contract = await factory.deploy(...args)
    await contract.waitForDeployment()
    return contract.getAddress()
  }
  const token = await deploy('SettlementToken')
  const vault = await deploy('CollateralVault', token, admin)
  const clearing = await deploy('ClearingHouse', vault, admin, options.oracleThreshold ?? 1)
  const capacity = await deploy('CapacityToken', vault, options.collateralPerUnit ?? 1_000n, admin)
  const vaultContract = contractAt('CollateralVault', vault, deployer)
  await (
    await vaultContract.getFunction('grantRole')(await vaultContract.getFunction('CLEARING_ROLE')(), clearing)
  ).wait()
  await (
    await vaultContract.getFunction('grantRole')(await vaultContract.getFunction('LOCKER_ROLE')(), capacity)
  ).wait()
  return { ClearingHouse: clearing, CollateralVault: vault, CapacityToken: capacity, SettlementToken: token }
}
