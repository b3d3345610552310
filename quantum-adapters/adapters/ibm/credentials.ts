// What the IBM adapter needs to run anything, and where the CLI reads it from. Checked on first
// use, not when the adapter is made, so that listing backends works without an IBM account.

import { QpuError } from '../../errors.ts'

/** The environment variables the CLI reads each option from. */
export const IBM_ENVIRONMENT_VARIABLES = {
  apiKey: 'QISKIT_IBM_TOKEN',
  instance: 'QISKIT_IBM_INSTANCE',
  backend: 'HCX_IBM_BACKEND',
} as const

const WHAT: Readonly<Record<keyof typeof IBM_ENVIRONMENT_VARIABLES, string>> = {
  apiKey: 'an IBM Cloud API key',
  instance: "the IBM Quantum instance's CRN",
  backend: 'a backend name such as ibm_torino',
}

export interface IbmCredentials {
  readonly apiKey: string
  readonly instance: string
  readonly backend: string
}

export function requireCredentials(options: {
  readonly apiKey?: string | undefined
  readonly instance?: string | undefined
  readonly backend?: string | undefined
}): IbmCredentials {
  const keys = Object.keys(IBM_ENVIRONMENT_VARIABLES) as (keyof typeof IBM_ENVIRONMENT_VARIABLES)[]
  const missing = keys.filter((key) => (options[key] ?? '').trim() === '')
  if (missing.length > 0) {
    const variables = Object.values(IBM_ENVIRONMENT_VARIABLES)
    const needed = keys.map((key) => `${IBM_ENVIRONMENT_VARIABLES[key]} (${WHAT[key]})`).join(', ')
    throw new QpuError(
      { code: 'QPU_CREDENTIALS_MISSING', backend: 'ibm', variables },
      `the IBM Quantum backend needs ${needed}; ${missing.map((key) => IBM_ENVIRONMENT_VARIABLES[key]).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
    )
  }
  return {
    apiKey: (options.apiKey as string).trim(),
    instance: (options.instance as string).trim(),
    backend: (options.backend as string).trim(),
  }
}
