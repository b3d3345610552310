// The files through which local tools find and use a node's control API: a bearer token
// (mode 0600, kept across restarts) and api.json with the URL of the running API.

import { randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const API_TOKEN_FILE = 'api-token'
export const API_ENDPOINT_FILE = 'api.json'

export interface ApiEndpoint {
  url: string
  pid: number
}

export async function loadOrCreateApiToken(dataDir: string): Promise<string> {
  const path = join(dataDir, API_TOKEN_FILE)
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (/^[0-9a-f]{64}$/.test(token)) return token
  } catch {
    // No token yet: create one below.
  }
  const token = randomBytes(32).toString('hex')
  await writeFile(path, `${token}\n`, { mode: 0o600 })
  return token
}

export async function readApiToken(dataDir: string): Promise<string> {
  return (await readFile(join(dataDir, API_TOKEN_FILE), 'utf8')).trim()
}

export async function writeApiEndpoint(dataDir: string, endpoint: ApiEndpoint): Promise<void> {
  await writeFile(join(dataDir, API_ENDPOINT_FILE), `${JSON.stringify(endpoint)}\n`, { mode: 0o600 })
}

export async function readApiEndpoint(dataDir: string): Promise<ApiEndpoint> {
  return JSON.parse(await readFile(join(dataDir, API_ENDPOINT_FILE), 'utf8')) as ApiEndpoint
}

export async function removeApiEndpoint(dataDir: string): Promise<void> {
  await rm(join(dataDir, API_ENDPOINT_FILE), { force: true })
}
