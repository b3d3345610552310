// Pre-shared swarm keys of private consortium networks, in the libp2p/IPFS v1 file format:
//   /key/swarm/psk/1.0.0/
//   /base16/
//   <64 hex digits>

import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { describeError } from '../../errors/hcx-error.ts'
import { HostError } from './errors.ts'

const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'

export function formatSwarmKey(secret: Uint8Array): string {
  return `${HEADER}\n${ENCODING}\n${Buffer.from(secret).toString('hex')}\n`
}

/** Parses a swarm key file's text; returns the bytes libp2p's pnet protector expects. */
export function parseSwarmKey(text: string, path: string): Uint8Array {
  const lines = text.split(/\r?\n/)
  const invalid = (why: string) =>
    new HostError(
      { code: 'SWARM_KEY_INVALID', path },
      `swarm key ${path} is invalid: ${why}; create one with 'hcx consortium init --out FILE'`,
    )
  if (lines[0] !== HEADER) throw invalid(`line 1 must be ${HEADER}`)
  if (lines[1] !== ENCODING) throw invalid(`line 2 must be ${ENCODING}`)
  if (!/^[0-9a-fA-F]{64}$/.test(lines[2] ?? '')) throw invalid('line 3 must be 64 hex digits (a 32-byte key)')
  if (lines.slice(3).some((line) => line.trim() !== '')) throw invalid('unexpected text after line 3')
  return new TextEncoder().encode(`${HEADER}\n${ENCODING}\n${lines[2]}`)
}

export async function readSwarmKey(path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new HostError(
      { code: 'SWARM_KEY_UNREADABLE', path },
      `cannot read swarm key ${path}: ${describeError(err)}; check the path given with --swarm-key`,
    )
  }
  return parseSwarmKey(text, path)
}

/** Writes a new random swarm key; refuses to replace an existing file (a consortium's key). */
export async function writeNewSwarmKey(path: string): Promise<void> {
  await writeFile(path, formatSwarmKey(randomBytes(32)), { mode: 0o600, flag: 'wx' })
}
