// IBM Cloud IAM bearer tokens for an API key: POST {iam}/identity/token with the form
// grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=…, answered with
// {access_token, token_type, expires_in, expiration (Unix seconds), …}. A token is reused until
// shortly before it expires, and one exchange serves every caller waiting at the same time.

import { z } from 'zod'
import { IBM_ENVIRONMENT_VARIABLES } from './credentials.ts'
import { exchange, parseJson, providerMessage } from './http.ts'
import { refused } from './ibm-errors.ts'

export interface IamTokens {
  token(signal?: AbortSignal): Promise<string>
  /** Drops the cached token, after IBM Quantum has refused it. */
  invalidate(): void
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  expiration: z.number().positive().optional(),
})

// Refreshed this long before IAM's expiry, so a token never lapses between fetch and use.
const EXPIRY_MARGIN_MS = 60_000

export function createIamTokens(options: {
  readonly iamUrl: string
  readonly apiKey: string
  readonly fetch: typeof fetch
  readonly now?: () => number
}): IamTokens {
  const now = options.now ?? Date.now
  const url = `${options.iamUrl.replace(/\/+$/, '')}/identity/token`
  let cached: { token: string; refreshAt: number } | undefined
  let inFlight: Promise<string> | undefined

  const fetchToken = async (signal?: AbortSignal): Promise<string> => {
    const form = new URLSearchParams({
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      apikey: options.apiKey,
    })
    const answer = await exchange(options.fetch, {
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
      signal,
    })
    const where = `POST ${url}`
    if (!answer.ok) {
      throw refused(
        'IBM Cloud IAM',
        where,
        answer.status,
        providerMessage(answer.text),
        `check that ${IBM_ENVIRONMENT_VARIABLES.apiKey} is an IBM Cloud API key that is still active (IAM exchanges it for a bearer token)`,
      )
    }
    const body = parseJson(answer.text, tokenSchema, where)
    const issuedAt = now()
    const lifetime = body.expires_in * 1000
    // IAM's own expiry time, unless the clocks disagree so much that it has already passed here.
    const stated = body.expiration !== undefined ? body.expiration * 1000 : issuedAt + lifetime
    const expiresAt = stated > issuedAt ? stated : issuedAt + lifetime
    cached = { token: body.access_token, refreshAt: expiresAt - Math.min(EXPIRY_MARGIN_MS, lifetime / 2) }
    return body.access_token
  }

  return {
    token(signal) {
      if (cached !== undefined && now() < cached.refreshAt) return Promise.resolve(cached.token)
      if (inFlight === undefined) {
        inFlight = fetchToken(signal).finally(() => {
          inFlight = undefined
        })
      }
      return inFlight
    },
    invalidate() {
      cached = undefined
    },
  }
}
