// Merges the config layers (role defaults < file < environment < flags), validates the result
// against the schema and refuses a wrong value naming its key, its value, where it came from
// and what is allowed.

import { readFileSync } from 'node:fs'
import { describeError } from '../errors/hcx-error.ts'
import { DEFAULT_ROLE, ROLE_DEFAULTS } from './defaults.ts'
import { durationOrRaw } from './duration.ts'
import { ConfigError } from './errors.ts'
import { type NodeConfig, nodeConfigSchema, ROLES, type Role } from './schema.ts'

type Layer = Record<string, unknown>

export interface ConfigSources {
  /** Values given as command-line flags, already shaped like the config. */
  flags?: Layer
  /** The process environment; only HCX_* variables are read. */
  env?: Record<string, string | undefined>
  /** A JSON config file; its keys are the config's keys. */
  file?: string
}

/** Environment variables and the config key each one sets; lists are comma-separated. */
export const ENV_KEYS: Record<
  string,
  { key: string; kind: 'string' | 'list' | 'int' | 'bool' | 'duration' }
> = {
  HCX_ROLE: { key: 'role', kind: 'string' },
  HCX_DATA_DIR: { key: 'dataDir', kind: 'string' },
  HCX_NETWORK: { key: 'network', kind: 'string' },
  HCX_LISTEN: { key: 'listen', kind: 'list' },
  HCX_BOOTSTRAP: { key: 'bootstrap', kind: 'list' },
  HCX_MDNS: { key: 'mdns', kind: 'bool' },
  HCX_SWARM_KEY: { key: 'swarmKeyFile', kind: 'string' },
  HCX_ALLOW_PEERS: { key: 'allowPeersFile', kind: 'string' },
  HCX_API_PORT: { key: 'api.port', kind: 'int' },
  HCX_LOG_LEVEL: { key: 'log.level', kind: 'string' },
  HCX_RPC_URL: { key: 'settlement.rpcUrl', kind: 'string' },
  HCX_CONTRACTS: { key: 'settlement.contractsFile', kind: 'string' },
  HCX_SETTLE_EPOCH: { key: 'settlement.epochMs', kind: 'duration' },
}

export function loadConfig(sources: ConfigSources): NodeConfig {
  const layers: Array<{ name: string; values: Layer }> = []
  if (sources.file !== undefined)
    layers.push({ name: `file ${sources.file}`, values: readConfigFile(sources.file) })
  if (sources.env !== undefined) layers.push({ name: 'environment', values: envLayer(sources.env) })
  if (sources.flags !== undefined) layers.push({ name: 'flags', values: sources.flags })

  const role = pickRole(layers)
  let merged: Layer = { ...structuredClone(ROLE_DEFAULTS[role]), role }
  const sourceOf = new Map<string, string>()
  for (const layer of layers) {
    merged = mergeLayer(merged, layer.values)
    for (const path of leafPaths(layer.values)) sourceOf.set(path, layer.name)
  }

  const parsed = nodeConfigSchema.safeParse(merged)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  if (issue === undefined)
    throw new ConfigError({ code: 'CONFIG_INVALID', key: '', value: undefined, source: '' }, 'invalid config')
  const key = formatPath(issue.path)
  const value = issue.code === 'unrecognized_keys' ? undefined : valueAt(merged, issue.path)
  const source = findSource(sourceOf, issue.path) ?? `the ${role} defaults`
  const what =
    issue.code === 'unrecognized_keys'
      ? `unknown config key ${issue.keys.map((k) => `'${key === '' ? k : `${key}.${k}`}'`).join(', ')} (from ${source}); remove it or check its spelling`
      : `config key '${key}' = ${JSON.stringify(value)} (from ${source}) is not allowed: ${issue.message}`
  throw new ConfigError({ code: 'CONFIG_INVALID', key, value, source }, what)
}

function pickRole(layers: Array<{ name: string; values: Layer }>): Role {
  let role: unknown = DEFAULT_ROLE
  let source = 'default'
  for (const layer of layers) {
    if (layer.values.role !== undefined) {
      role = layer.values.role
      source = layer.name
    }
  }
  if (!ROLES.includes(role as Role)) {
    throw new ConfigError(
      { code: 'CONFIG_INVALID', key: 'role', value: role, source },
      `config key 'role' = ${JSON.stringify(role)} (from ${source}) is not allowed: expected one of ${ROLES.join(', ')}`,
    )
  }
  return role as Role
}

function readConfigFile(path: string): Layer {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(
      { code: 'CONFIG_FILE_UNREADABLE', path },
      `cannot read config file ${path}: ${describeError(err)}; check the path given with --config`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(
      { code: 'CONFIG_FILE_MALFORMED', path },
      `config file ${path} is not valid JSON: ${describeError(err)}`,
    )
  }
  if (!isPlainObject(value)) {
    throw new ConfigError(
      { code: 'CONFIG_FILE_MALFORMED', path },
      `config file ${path} must hold one JSON object`,
    )
  }
  return value
}

function envLayer(env: Record<string, string | undefined>): Layer {
  const layer: Layer = {}
  for (const [name, { key, kind }] of Object.entries(ENV_KEYS)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    setPath(layer, key.split('.'), parseEnvValue(raw, kind))
  }
  return layer
}

function parseEnvValue(raw: string, kind: 'string' | 'list' | 'int' | 'bool' | 'duration'): unknown {
  switch (kind) {
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    case 'int':
      // A non-numeric value is passed through as a string so the schema names it in its error.
      return /^-?\d+$/.test(raw) ? Number(raw) : raw
    case 'bool':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw
    case 'duration':
      return durationOrRaw(raw)
    case 'string':
      return raw
  }
}

function isPlainObject(value: unknown): value is Layer {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function mergeLayer(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeLayer(current, value) : value
  }
  return out
}

function leafPaths(layer: Layer, prefix = ''): string[] {
  const paths: string[] = []
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isPlainObject(value)) paths.push(...leafPaths(value, path))
    else paths.push(path)
  }
  return paths
}

function setPath(target: Layer, path: string[], value: unknown): void {
  const [head, ...rest] = path
  if (head === undefined) return
  if (rest.length === 0) {
    target[head] = value
    return
  }
  const child = isPlainObject(target[head]) ? target[head] : {}
  target[head] = child
  setPath(child, rest, value)
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<PropertyKey, unknown>)[segment]
  }
  return current
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('')
}

/** The layer that set this key, or the nearest enclosing key it set (a whole list, say). */
function findSource(sourceOf: Map<string, string>, path: readonly PropertyKey[]): string | undefined {
  const names = path.filter((segment) => typeof segment === 'string') as string[]
  for (let n = names.length; n > 0; n--) {
    const found = sourceOf.get(names.slice(0, n).join('.'))
    if (found !== undefined) return found
  }
  return undefined
}
