// Options several commands share, and the parsing helpers for them.

import { readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { usageError } from './errors.ts'

export function defaultDataDir(): string {
  return process.env.HCX_DATA_DIR ?? join(homedir(), '.hcx')
}

export function withDataDir(command: Command): Command {
  return command.option('--data-dir <dir>', 'the node data directory (env HCX_DATA_DIR)', defaultDataDir())
}

/** Accumulates a repeatable option into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** Integers become numbers; anything else stays a string for the config schema to refuse by name. */
export function integerOrRaw(value: string): number | string {
  return /^-?\d+$/.test(value) ? Number(value) : value
}

export function positiveInteger(flag: string, value: number | string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`${flag} '${value}' must be a positive integer`)
  }
  return value
}

export function nonNegativeInteger(flag: string, value: number | string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw usageError(`${flag} '${value}' must be a non-negative integer`)
  }
  return value
}

/** `value` if it is one of `allowed`; otherwise a usage error naming the flag and the choices. */
export function oneOf<T extends string>(flag: string, noun: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw usageError(`${flag} '${value}' is not a ${noun}; use one of ${allowed.join(', ')}`)
}

/**
 * A file a command reads whole, refused before it is read when larger than `maxBytes`.
 * `name` says what it is in messages (`--module job.wasm`), `kind` what is refused (`OpenQASM sources`).
 */
export function readBoundedFile(file: string, maxBytes: number, name: string, kind: string): Uint8Array {
  const unreadable = (err: unknown) =>
    usageError(
      `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path`,
    )
  let size: number
  try {
    size = statSync(file).size
  } catch (err) {
    throw unreadable(err)
  }
  if (size > maxBytes)
    throw usageError(`${name} is ${size} bytes; ${kind} of more than ${maxBytes} bytes are refused`)
  try {
    // A directory or an unreadable file passes stat and fails here.
    return readFileSync(file)
  } catch (err) {
    throw unreadable(err)
  }
}
