// A client of a local node's control API, found through the files in its data dir.

import { describeError, HcxError } from '../../errors/hcx-error.ts'
import { readApiEndpoint, readApiToken } from './api-files.ts'
import { ApiError } from './errors.ts'

export function apiGet<T>(dataDir: string, path: string): Promise<T> {
  return apiRequest<T>(dataDir, 'GET', path)
}

/** One request to the node's API; an error the node names by code is rethrown with that code. */
export async function apiRequest<T>(
  dataDir: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  payload?: unknown,
): Promise<T> {
  let url: string
  let token: string
  try {
    url = (await readApiEndpoint(dataDir)).url
    token = await readApiToken(dataDir)
  } catch {
    throw notRunning(dataDir, 'no running node was found there')
  }
  let response: Response
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(60_000),
    })
  } catch (err) {
    throw notRunning(
      dataDir,
      `its API at ${url} does not answer (${describeError((err as Error).cause ?? err)})`,
    )
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string }
  if (response.status === 401) {
    throw new ApiError(
      { code: 'API_UNAUTHORIZED' },
      `the node at ${url} refused the token in ${dataDir}/api-token`,
    )
  }
  if (!response.ok && typeof body.error === 'string' && /^[A-Z][A-Z0-9_]+$/.test(body.error)) {
    throw new HcxError({ code: body.error }, body.message ?? 'no details')
  }
  if (!response.ok) {
    throw new ApiError(
      { code: 'API_REQUEST_FAILED', status: response.status },
      `${method} ${path} failed with HTTP ${response.status}: ${body.message ?? body.error ?? 'no details'}`,
    )
  }
  return body as T
}

function notRunning(dataDir: string, why: string): ApiError {
  return new ApiError(
    { code: 'API_NOT_RUNNING', dataDir },
    `no node is running on data dir ${dataDir}: ${why}; start one with 'hcx node start --data-dir ${dataDir}'`,
  )
}
