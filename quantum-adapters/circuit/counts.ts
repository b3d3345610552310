// Counts keys exactly as Qiskit prints them: each classical register as a bit string with
// its highest index leftmost, registers in reverse declaration order, joined by one space
// (`creg a[2]; creg b[1];` gives keys like "1 01": b, then a).

import type { Register } from './circuit.ts'

export type Counts = Record<string, number>

/** `memory` holds every classical bit of the circuit, clbit i at bit i. */
export function countsKey(memory: bigint, cregs: readonly Register[]): string {
  const words: string[] = []
  for (let r = cregs.length - 1; r >= 0; r--) {
    const { offset, size } = cregs[r] as Register
    const value = (memory >> BigInt(offset)) & ((1n << BigInt(size)) - 1n)
    words.push(value.toString(2).padStart(size, '0'))
  }
  return words.join(' ')
}

/** Counts sorted by key, so equal results print identically. */
export function sortedCounts(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
