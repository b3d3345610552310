// IonQ Quantum Cloud API v0.4 over fetch: `Authorization: apiKey <key>`, JSON in and out, and the
// response shapes this adapter reads, checked against the published OpenAPI document
// (https://api.ionq.co/v0.4/api-docs). Fields the adapter does not read are not required, so
// additions on IonQ's side do not break it.

import { z } from 'zod'
import type { QpuError } from '../../errors.ts'
import { malformed, refused, unreachable } from '../provider-errors.ts'

export const PROVIDER = 'IonQ'

/** `Backend` from GET /backends. */
export const backendSchema = z.object({
  backend: z.string(),
  status: z.string(),
  qubits: z.number().int().nonnegative(),
  /** Current wait in the queue, in milliseconds. */
  average_queue_time: z.number().nonnegative().nullable().optional(),
  supported_gates: z.array(z.string()).optional(),
})
export type IonqBackend = z.infer<typeof backendSchema>

export const backendsSchema = z.array(backendSchema)

/** `JobCreationResponse` from POST /jobs. */
export const createdJobSchema = z.object({ id: z.string().min(1), status: z.string() })

/** The fields of `SingleCircuitJob` (GET /jobs/{UUID}) this adapter reads. */
export const jobSchema = z.object({
  id: z.string(),
  // `running` is the v0.3 name of v0.4's `started`.
  status: z.enum(['submitted', 'ready', 'started', 'running', 'completed', 'canceled', 'failed']),
  backend: z.string().optional(),
  shots: z.number().int().positive().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  started_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  execution_duration_ms: z.number().nonnegative().nullable().optional(),
})
export type IonqJob = z.infer<typeof jobSchema>

/** GET /jobs/{UUID}/results/probabilities: decimal qubit state → probability. */
export const probabilitiesSchema = z.record(z.string().regex(/^\d+$/), z.number().min(0).max(1))

/** `JobCanceledResponse` from PUT /jobs/{UUID}/status/cancel. */
export const cancelledSchema = z.object({ id: z.string(), status: z.string() })

const errorBodySchema = z.object({ message: z.string() })

export interface IonqHttpOptions {
  readonly baseUrl: string
  readonly apiKey: string
  readonly fetch: typeof fetch
  readonly timeoutMs: number
}

export interface IonqRequest<T> {
  readonly method: 'GET' | 'POST' | 'PUT'
  readonly path: string
  readonly body?: unknown
  readonly schema: z.ZodType<T>
  /** What the request is for, in words, for error messages. */
  readonly what: string
  readonly signal?: AbortSignal
  /** The error for a 404, when the path names something that may not exist. */
  readonly notFound?: () => QpuError
}

export type IonqHttp = <T>(request: IonqRequest<T>) => Promise<T>

export function ionqHttp(options: IonqHttpOptions): IonqHttp {
  const base = options.baseUrl.replace(/\/+$/, '')
  return async <T>(request: IonqRequest<T>): Promise<T> => {
    const url = `${base}${request.path}`
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout])
    const headers: Record<string, string> = {
      Authorization: `apiKey ${options.apiKey}`,
      Accept: 'application/json',
    }
    if (request.body !== undefined) headers['Content-Type'] = 'application/json'
    let response: Response
    let text: string
    try {
      response = await options.fetch(url, {
        method: request.method,
        headers,
        signal,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      })
      text = await response.text()
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason
      const cause = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : networkCause(err)
      throw unreachable('ionq', PROVIDER, url, cause)
    }
    if (response.status === 404 && request.notFound !== undefined) throw request.notFound()
    if (!response.ok)
      throw refused('ionq', PROVIDER, response.status, request.what, errorDetail(response, text))
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw malformed('ionq', PROVIDER, request.what, `the body is not JSON: ${text.slice(0, 200)}`)
    }
    const parsed = request.schema.safeParse(json)
    if (!parsed.success) throw malformed('ionq', PROVIDER, request.what, z.prettifyError(parsed.error))
    return parsed.data
  }
}

function errorDetail(response: Response, text: string): string {
  let message = text.slice(0, 200)
  try {
    const body = errorBodySchema.safeParse(JSON.parse(text))
    if (body.success) message = body.data.message
  } catch {
    // Not JSON: the raw text says what there is to say.
  }
  if (response.status === 401 || response.status === 403) return `${message} (check IONQ_API_KEY)`
  return message
}

function networkCause(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause
    if (cause instanceof Error) return (cause as Error & { code?: string }).code ?? cause.message
    return err.message
  }
  return String(err)
}
