// One HTTP exchange with IBM's services, with failures sorted the same way everywhere: no answer
// is QPU_PROVIDER_UNREACHABLE (with the URL), an answer outside the published format is
// QPU_PROVIDER_MALFORMED; HTTP error statuses are left to the caller, which knows what they mean.

import { z } from 'zod'
import { malformed, unreachable } from './ibm-errors.ts'

export interface HttpRequest {
  readonly method: 'GET' | 'POST'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly signal?: AbortSignal | undefined
}

export interface HttpAnswer {
  readonly status: number
  readonly ok: boolean
  readonly text: string
}

export async function exchange(fetchFn: typeof fetch, request: HttpRequest): Promise<HttpAnswer> {
  try {
    const response = await fetchFn(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    })
    return { status: response.status, ok: response.ok, text: await response.text() }
  } catch (err) {
    // A caller that gave up sees its own abort, not a network failure.
    if (request.signal?.aborted) throw request.signal.reason ?? err
    throw unreachable(request.url, networkCause(err))
  }
}

function networkCause(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause
  const code = (cause as { code?: unknown } | undefined)?.code
  if (typeof code === 'string') return code
  if (cause instanceof Error) return cause.message
  return err instanceof Error ? err.message : String(err)
}

/** The body as JSON matching `schema`, or QPU_PROVIDER_MALFORMED naming `where`. */
export function parseJson<S extends z.ZodType>(text: string, schema: S, where: string): z.infer<S> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw malformed(where, `the body is not JSON (${JSON.stringify(text.slice(0, 120))})`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw malformed(where, z.prettifyError(parsed.error).replace(/\n+/g, '; '))
  return parsed.data
}

/** What an error body says: IBM Quantum's {errors: [{message}]}, IAM's {errorMessage}, or its text. */
export function providerMessage(text: string): string {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return text.trim().slice(0, 300)
  }
  if (typeof json !== 'object' || json === null) return text.trim().slice(0, 300)
  const body = json as Record<string, unknown>
  if (Array.isArray(body.errors)) {
    const messages = body.errors
      .map((e) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>).message : undefined))
      .filter((m): m is string => typeof m === 'string')
    if (messages.length > 0) return messages.join('; ')
  }
  for (const key of ['errorMessage', 'message', 'error_description', 'error']) {
    const value = body[key]
    if (typeof value === 'string') return value
  }
  return text.trim().slice(0, 300)
}
