// Makes the adapter for a backend id from the process environment: the CLI's one place that
// maps environment variables to adapter options. Real-QPU adapters check their credentials
// on first use, so every backend can be listed without an account.

import { QpuError } from '../errors.ts'
import { ThreadPool } from '../sim/thread-pool.ts'
import type { BackendId, QpuAdapter } from './adapter.ts'
import { createBraketAdapter } from './braket/braket-adapter.ts'
import { createIbmAdapter } from './ibm/ibm-adapter.ts'
import { createIonqAdapter } from './ionq/ionq-adapter.ts'
import { createSimAdapter } from './sim-adapter.ts'

export type Environment = Readonly<Record<string, string | undefined>>

/** Endpoint overrides, for private endpoints and for testing against local servers. */
export const ENDPOINT_VARIABLES = {
  ibm: 'HCX_IBM_URL',
  ibmIam: 'HCX_IBM_IAM_URL',
  braket: 'HCX_BRAKET_ENDPOINT',
  braketS3: 'HCX_BRAKET_S3_ENDPOINT',
  ionq: 'HCX_IONQ_URL',
  ionqTarget: 'HCX_IONQ_TARGET',
} as const

export function createAdapter(id: BackendId, env: Environment): QpuAdapter {
  const set = <K extends string>(key: K, name: string) => {
    const value = env[name]
    return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>)
  }
  switch (id) {
    case 'sim':
      return createSimAdapter({ pool: new ThreadPool() })
    case 'ibm':
      return createIbmAdapter({
        ...set('apiKey', 'QISKIT_IBM_TOKEN'),
        ...set('instance', 'QISKIT_IBM_INSTANCE'),
        ...set('backend', 'HCX_IBM_BACKEND'),
        ...set('baseUrl', ENDPOINT_VARIABLES.ibm),
        ...set('iamUrl', ENDPOINT_VARIABLES.ibmIam),
      })
    case 'braket':
      return createBraketAdapter({
        ...set('region', 'AWS_REGION'),
        ...set('deviceArn', 'HCX_BRAKET_DEVICE_ARN'),
        ...set('s3Bucket', 'HCX_BRAKET_S3_BUCKET'),
        ...set('endpoint', ENDPOINT_VARIABLES.braket),
        ...set('s3Endpoint', ENDPOINT_VARIABLES.braketS3),
      })
    case 'ionq':
      return createIonqAdapter({
        ...set('apiKey', 'IONQ_API_KEY'),
        ...set('target', ENDPOINT_VARIABLES.ionqTarget),
        ...set('baseUrl', ENDPOINT_VARIABLES.ionq),
      })
    default:
      throw new QpuError({ code: 'QPU_UNKNOWN_BACKEND', backend: String(id) }, `no backend '${String(id)}'`)
  }
}
