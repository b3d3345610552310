// The IBM Quantum REST calls the adapter makes. Every request carries the IAM bearer token, the
// instance CRN as Service-CRN and the API version it was written against; a token refused with
// 401 is exchanged again once. Paths and shapes follow the published API and qiskit-ibm-runtime
// (api/rest/runtime.py, cloud_backend.py, program_job.py).

import { z } from 'zod'
import type { QpuError } from '../../errors.ts'
import { IBM_ENVIRONMENT_VARIABLES } from './credentials.ts'
import { exchange, type HttpAnswer, parseJson, providerMessage } from './http.ts'
import type { IamTokens } from './iam.ts'
import { refused, unknownJob } from './ibm-errors.ts'
import {
  type BackendConfiguration,
  type BackendStatus,
  backendConfigurationSchema,
  backendStatusSchema,
  createdJobSchema,
  type JobDetails,
  type JobMetrics,
  jobMetricsSchema,
  jobSchema,
} from './runtime-schemas.ts'

/** The IBM-API-Version qiskit-ibm-runtime sends (api/rest/base.py), whose formats are read here. */
export const IBM_API_VERSION = '2026-04-15'

/** The Sampler V2 job body: one PUB, the circuit as OpenQASM 3, results in Qiskit's encoding. */
export interface SamplerJob {
  readonly program_id: 'sampler'
  readonly backend: string
  readonly params: {
    readonly pubs: readonly [readonly [string]]
    readonly shots: number
    readonly support_qiskit: true
    readonly version: 2
  }
}

export interface RuntimeApi {
  configuration(signal?: AbortSignal): Promise<BackendConfiguration>
  backendStatus(signal?: AbortSignal): Promise<BackendStatus>
  createJob(job: SamplerJob, signal?: AbortSignal): Promise<string>
  job(jobId: string, signal?: AbortSignal): Promise<JobDetails>
  /** The results body, parsed as JSON but not yet checked. */
  results(jobId: string, signal?: AbortSignal): Promise<unknown>
  /** Undefined when IBM publishes no metrics for the job. */
  metrics(jobId: string, signal?: AbortSignal): Promise<JobMetrics | undefined>
  cancel(jobId: string, signal?: AbortSignal): Promise<void>
}

export function createRuntimeApi(options: {
  readonly baseUrl: string
  readonly instance: string
  readonly backend: string
  readonly tokens: IamTokens
  readonly fetch: typeof fetch
}): RuntimeApi {
  const base = options.baseUrl.replace(/\/+$/, '')
  const backendPath = `/backends/${encodeURIComponent(options.backend)}`
  const jobPath = (jobId: string): string => `/jobs/${encodeURIComponent(jobId)}`

  /** The answer to a request, retried once with a fresh token after a 401. */
  const send = async (
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> => {
    let answer: HttpAnswer | undefined
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await options.tokens.token(signal)
      answer = await exchange(options.fetch, {
        method,
        url: `${base}${path}`,
        headers: {
          Authorization: `Bearer ${token}`,
          'Service-CRN': options.instance,
          'IBM-API-Version': IBM_API_VERSION,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      })
      if (answer.status !== 401) break
      options.tokens.invalidate()
    }
    return answer as HttpAnswer
  }

  /** The body of a successful answer; HTTP errors become QpuErrors (404 on a job: unknown job). */
  const call = async (
    method: 'GET' | 'POST',
    path: string,
    request: { body?: unknown; jobId?: string; signal?: AbortSignal | undefined },
  ): Promise<{ text: string; where: string }> => {
    const where = `${method} ${base}${path}`
    const answer = await send(method, path, request.body, request.signal)
    if (answer.ok) return { text: answer.text, where }
    if (answer.status === 404 && request.jobId !== undefined) throw unknownJob(request.jobId)
    throw refusal(answer, where, path)
  }

  const refusal = (answer: HttpAnswer, where: string, path: string): QpuError =>
    refused('IBM Quantum', where, answer.status, providerMessage(answer.text), hintFor(answer.status, path))

  const hintFor = (status: number, path: string): string => {
    const { apiKey, instance, backend } = IBM_ENVIRONMENT_VARIABLES
    if (status === 401) return `check that ${apiKey} is an active IBM Cloud API key`
    if (status === 403) {
      return `check that ${instance} is the CRN of an instance allowed to use '${options.backend}'`
    }
    if (status === 404 && path.startsWith(backendPath)) {
      return `check that ${backend} names a backend this instance can use (it is '${options.backend}')`
    }
    if (status === 429) return 'IBM limits how fast requests and jobs may come; wait and try again'
    if (status >= 500) return 'IBM Quantum had a server-side failure; try again later'
    return ''
  }

  return {
    async configuration(signal) {
      const { text, where } = await call('GET', `${backendPath}/configuration`, { signal })
      return parseJson(text, backendConfigurationSchema, where)
    },
    async backendStatus(signal) {
      const { text, where } = await call('GET', `${backendPath}/status`, { signal })
      return parseJson(text, backendStatusSchema, where)
    },
    async createJob(job, signal) {
      const { text, where } = await call('POST', '/jobs', { body: job, signal })
      return parseJson(text, createdJobSchema, where).id
    },
    async job(jobId, signal) {
      const { text, where } = await call('GET', `${jobPath(jobId)}?exclude_params=true`, { jobId, signal })
      return parseJson(text, jobSchema, where)
    },
    async results(jobId, signal) {
      const { text, where } = await call('GET', `${jobPath(jobId)}/results`, { jobId, signal })
      return parseJson(text, z.unknown(), where)
    },
    async metrics(jobId, signal) {
      const path = `${jobPath(jobId)}/metrics`
      const answer = await send('GET', path, undefined, signal)
      if (answer.status === 404) return undefined
      const where = `GET ${base}${path}`
      if (!answer.ok) throw refusal(answer, where, path)
      return parseJson(answer.text, jobMetricsSchema, where)
    },
    async cancel(jobId, signal) {
      await call('POST', `${jobPath(jobId)}/cancel`, { jobId, signal })
    },
  }
}
