// The node's two keys, kept as files in the data dir with mode 0600: an Ed25519 libp2p key
// (its peer id, its signatures on the wire) and a secp256k1 key for the settlement account.

import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describeError } from '../../errors/hcx-error.ts'
import { IdentityError } from './errors.ts'
import { ethereumAddress, isValidSecp256k1Key, randomSecp256k1Key } from './ethereum-address.ts'

export const PEER_KEY_FILE = 'peer.key'
export const SETTLEMENT_KEY_FILE = 'settlement.key'

export interface NodeKeys {
  peerKey: PrivateKey
  peerId: PeerId
  /** 0x-prefixed secp256k1 private key of the settlement account. */
  settlementKey: string
  /** Checksummed Ethereum address of the settlement account. */
  address: string
}

export interface KeyPaths {
  dir: string
  peerKey: string
  settlementKey: string
}

export function keyPaths(dataDir: string): KeyPaths {
  const dir = join(dataDir, 'keys')
  return { dir, peerKey: join(dir, PEER_KEY_FILE), settlementKey: join(dir, SETTLEMENT_KEY_FILE) }
}

/** Creates both keys; refuses to replace existing ones unless `force` is set. */
export async function initKeys(dataDir: string, options: { force?: boolean } = {}): Promise<NodeKeys> {
  const paths = keyPaths(dataDir)
  if (options.force !== true) {
    for (const path of [paths.peerKey, paths.settlementKey]) {
      if (await exists(path)) {
        throw new IdentityError(
          { code: 'KEYS_EXIST', path },
          `${path} already exists; keys are never replaced silently: pass --force to overwrite them (the node's peer id and settlement account will change)`,
        )
      }
    }
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o700 })
  const peerKey = await generateKeyPair('Ed25519')
  const settlementKey = `0x${Buffer.from(randomSecp256k1Key()).toString('hex')}`
  await writeSecret(paths.peerKey, privateKeyToProtobuf(peerKey))
  await writeSecret(paths.settlementKey, `${settlementKey}\n`)
  return toNodeKeys(peerKey, settlementKey)
}

/** Loads both keys; fails with KEYS_MISSING when none were created yet. */
export async function loadKeys(dataDir: string): Promise<NodeKeys> {
  const paths = keyPaths(dataDir)
  const peerBytes = await readSecret(paths.peerKey)
  let peerKey: PrivateKey
  try {
    peerKey = privateKeyFromProtobuf(peerBytes)
  } catch (err) {
    throw invalid(paths.peerKey, `not a libp2p private key (${describeError(err)})`)
  }
  if (peerKey.type !== 'Ed25519')
    throw invalid(paths.peerKey, `holds a ${peerKey.type} key; hcx peer keys are Ed25519`)
  const settlementKey = Buffer.from(await readSecret(paths.settlementKey))
    .toString('utf8')
    .trim()
  if (!/^0x[0-9a-fA-F]{64}$/.test(settlementKey))
    throw invalid(paths.settlementKey, 'expected 0x and 64 hex digits')
  if (!isValidSecp256k1Key(Buffer.from(settlementKey.slice(2), 'hex'))) {
    throw invalid(paths.settlementKey, 'is not a valid secp256k1 key (zero or not below the curve order)')
  }
  return toNodeKeys(peerKey, settlementKey)
}

/** Loads the keys, creating them first if the data dir has none. */
export async function loadOrInitKeys(dataDir: string): Promise<NodeKeys> {
  const paths = keyPaths(dataDir)
  const [hasPeer, hasSettlement] = await Promise.all([exists(paths.peerKey), exists(paths.settlementKey)])
  if (!hasPeer && !hasSettlement) return initKeys(dataDir)
  return loadKeys(dataDir)
}

function toNodeKeys(peerKey: PrivateKey, settlementKey: string): NodeKeys {
  const address = ethereumAddress(Buffer.from(settlementKey.slice(2), 'hex'))
  return { peerKey, peerId: peerIdFromPrivateKey(peerKey), settlementKey, address }
}

async function writeSecret(path: string, data: Uint8Array | string): Promise<void> {
  // Written beside the target and renamed over it, so a crash never leaves half a key.
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data, { mode: 0o600, flag: 'w' })
  await chmod(tmp, 0o600)
  await rename(tmp, path)
}

async function readSecret(path: string): Promise<Uint8Array> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch {
    throw new IdentityError(
      { code: 'KEYS_MISSING', path },
      `${path} does not exist; create the node's keys with 'hcx keys init --data-dir DIR'`,
    )
  }
  const mode = Number(info.mode) & 0o777
  if ((mode & 0o077) !== 0) {
    throw new IdentityError(
      { code: 'KEY_FILE_UNSAFE', path, mode },
      `${path} is readable by other users (mode ${mode.toString(8)}); run 'chmod 600 ${path}'`,
    )
  }
  return new Uint8Array(await readFile(path))
}

function invalid(path: string, why: string): IdentityError {
  return new IdentityError(
    { code: 'KEY_FILE_INVALID', path },
    `${path} ${why}; restore it from a backup or recreate it with 'hcx keys init --force'`,
  )
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
