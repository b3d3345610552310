// A client of a local node's control API, found through the files in its data dir.

import { describeError } from '../../errors/hcx-error.ts'
import { readApiEndpoint, readApiToken } from './api-files.ts'
import { ApiError } from './errors.ts'

export async function apiGet<T>(dataDir: string, path: string): Promise<T> {
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
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
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
  if (!response.ok) {
    throw new ApiError(
      { code: 'API_REQUEST_FAILED', status: response.status },
      `GET ${path} failed with HTTP ${response.status}: ${body.message ?? body.error ?? 'no details'}`,
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
