// What `result(jobId)` needs to turn a provider's per-qubit outcomes into Qiskit counts and usage:
// the classical registers, which qubit each clbit reads, and the circuit's shape. It is stored with
// the job at the provider (Braket task tags, IonQ job metadata), so a result can be read by any
// process that knows the job id, after a restart too.
//
// Text form, using only characters both providers accept in tag and metadata values
// (letters, digits, spaces and `_ . : / = + - @`):
//   v1 q=<qubits> d=<depth> s=<shots> r=<name>:<size>:<offset>/… m=<qubit or ->/…

import { type Circuit, circuitDepth, type Register } from '../circuit/circuit.ts'
import { countsKey } from '../circuit/counts.ts'
import type { ReadoutPlan } from './readout-plan.ts'

export interface ReadoutLayout {
  readonly numQubits: number
  readonly depth: number
  readonly shots: number
  readonly cregs: readonly Register[]
  readonly clbitSource: ReadoutPlan['clbitSource']
}

const VERSION = 'v1'
// The layout travels in numbered entries (`hcx-layout-0`, `hcx-layout-1`, …) among the job's own.
const ENTRY_PREFIX = 'hcx-layout-'

/**
 * The layout of `circuit` run `shots` times and read out as `plan` says, cut into at most
 * `maxEntries` entries of at most `size` characters; when it needs more, a sentence saying so.
 */
export function layoutEntries(
  circuit: Circuit,
  shots: number,
  plan: ReadoutPlan,
  { size, maxEntries, where }: { size: number; maxEntries: number; where: string },
): Record<string, string> | string {
  const text = encodeLayout({
    numQubits: circuit.numQubits,
    depth: circuitDepth(circuit),
    shots,
    cregs: circuit.cregs,
    clbitSource: plan.clbitSource,
  })
  const entries = splitEntries(text, ENTRY_PREFIX, size)
  if (Object.keys(entries).length > maxEntries) {
    return `its classical layout (${text.length} characters) does not fit in ${where}`
  }
  return entries
}

/** The layout a job's entries carry; undefined when they carry none, a sentence when it is unreadable. */
export function layoutFromEntries(
  entries: Readonly<Record<string, string>>,
): ReadoutLayout | string | undefined {
  const text = joinEntries(entries, ENTRY_PREFIX)
  return text === undefined ? undefined : decodeLayout(text)
}

export function encodeLayout(layout: ReadoutLayout): string {
  const registers = layout.cregs.map((r) => `${r.name}:${r.size}:${r.offset}`).join('/')
  const sources = layout.clbitSource.map((q) => (q === null ? '-' : String(q))).join('/')
  return `${VERSION} q=${layout.numQubits} d=${layout.depth} s=${layout.shots} r=${registers} m=${sources}`
}

/** The layout, or a sentence saying what is wrong with the text. */
export function decodeLayout(text: string): ReadoutLayout | string {
  const [version, ...fields] = text.split(' ')
  if (version !== VERSION) return `unknown layout version '${version}'`
  const values = new Map<string, string>()
  for (const field of fields) {
    const at = field.indexOf('=')
    if (at < 1) return `field '${field}' has no name`
    values.set(field.slice(0, at), field.slice(at + 1))
  }
  const numQubits = count(values.get('q'))
  const depth = count(values.get('d'))
  const shots = count(values.get('s'))
  const registers = values.get('r')
  const sources = values.get('m')
  if (numQubits === undefined || depth === undefined || shots === undefined) return 'q, d or s is not a count'
  if (registers === undefined || sources === undefined) return 'r or m is missing'
  const cregs: Register[] = []
  for (const part of registers === '' ? [] : registers.split('/')) {
    const [name, size, offset] = part.split(':')
    const s = count(size)
    const o = count(offset)
    if (name === undefined || name === '' || s === undefined || o === undefined)
      return `bad register '${part}'`
    cregs.push({ name, size: s, offset: o })
  }
  const clbitSource: (number | null)[] = []
  for (const part of sources === '' ? [] : sources.split('/')) {
    const q = part === '-' ? null : count(part)
    if (q === undefined || (q !== null && q >= numQubits)) return `bad clbit source '${part}'`
    clbitSource.push(q)
  }
  const numClbits = clbitSource.length
  if (cregs.some((r) => r.offset + r.size > numClbits)) return 'a register reaches past the last clbit'
  return { numQubits, depth, shots, cregs, clbitSource }
}

/** The Qiskit counts key of one shot, given the value each measured qubit read. */
export function shotKey(layout: ReadoutLayout, bitOf: (qubit: number) => 0 | 1): string {
  let memory = 0n
  layout.clbitSource.forEach((qubit, clbit) => {
    if (qubit !== null && bitOf(qubit) === 1) memory |= 1n << BigInt(clbit)
  })
  return countsKey(memory, layout.cregs)
}

/** `text` cut into numbered entries (`<prefix>0`, `<prefix>1`, …) of at most `size` characters. */
export function splitEntries(text: string, prefix: string, size: number): Record<string, string> {
  const entries: Record<string, string> = {}
  for (let i = 0; i * size < text.length; i++) entries[`${prefix}${i}`] = text.slice(i * size, (i + 1) * size)
  return entries
}

/** The text `splitEntries` cut up, or undefined when no entry carries the prefix. */
export function joinEntries(entries: Readonly<Record<string, string>>, prefix: string): string | undefined {
  const parts: string[] = []
  for (let i = 0; entries[`${prefix}${i}`] !== undefined; i++) parts.push(entries[`${prefix}${i}`] as string)
  return parts.length === 0 ? undefined : parts.join('')
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}
