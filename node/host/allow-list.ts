// A consortium's member allow-list: one peer id a line, blank lines and `#` comments allowed.
// The connection gater built from it refuses every other peer, inbound and outbound.

import { readFile } from 'node:fs/promises'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../../errors/hcx-error.ts'
import { HostError } from './errors.ts'

export function parseAllowList(text: string, path: string): Set<string> {
  const allowed = new Set<string>()
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') return
    try {
      allowed.add(peerIdFromString(line).toString())
    } catch {
      throw new HostError(
        { code: 'ALLOW_LIST_INVALID', path, line: index + 1 },
        `${path}:${index + 1}: '${line}' is not a peer id; the allow-list holds one peer id (12D3Koo...) a line`,
      )
    }
  })
  return allowed
}

export async function readAllowList(path: string): Promise<Set<string>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new HostError(
      { code: 'ALLOW_LIST_UNREADABLE', path },
      `cannot read allow-list ${path}: ${describeError(err)}; check the path given with --allow-peers`,
    )
  }
  return parseAllowList(text, path)
}

export function allowListGater(allowed: ReadonlySet<string>): ConnectionGater {
  const denied = (peerId: PeerId) => !allowed.has(peerId.toString())
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: denied,
    denyOutboundEncryptedConnection: denied,
  }
}
