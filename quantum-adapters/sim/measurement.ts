// Measurement on a statevector (re, im interleaved): the probability of a qubit reading 1,
// the collapse onto an outcome, and drawing many shots from one final state at once.

import type { SeededRandom } from './random.ts'

export function probabilityOfOne(amplitudes: Float64Array, qubit: number): number {
  const size = amplitudes.length / 2
  const bit = 2 ** qubit
  let total = 0
  for (let base = 0; base < size; base += 2 * bit) {
    for (let i = base + bit; i < base + 2 * bit; i++) {
      const re = amplitudes[2 * i] as number
      const im = amplitudes[2 * i + 1] as number
      total += re * re + im * im
    }
  }
  return Math.min(1, total)
}

/** Keeps the amplitudes where `qubit` reads `outcome`, renormalised; `probability` is that outcome's. */
export function collapse(amplitudes: Float64Array, qubit: number, outcome: 0 | 1, probability: number): void {
  const size = amplitudes.length / 2
  const bit = 2 ** qubit
  const scale = 1 / Math.sqrt(probability)
  for (let i = 0; i < size; i++) {
    const reads = Math.floor(i / bit) % 2
    if (reads === outcome) {
      amplitudes[2 * i] = (amplitudes[2 * i] as number) * scale
      amplitudes[2 * i + 1] = (amplitudes[2 * i + 1] as number) * scale
    } else {
      amplitudes[2 * i] = 0
      amplitudes[2 * i + 1] = 0
    }
  }
}

/** Swaps the amplitudes of |…0…⟩ and |…1…⟩ on `qubit` (an X gate, for reset). */
export function flip(amplitudes: Float64Array, qubit: number): void {
  const size = amplitudes.length / 2
  const bit = 2 ** qubit
  for (let base = 0; base < size; base += 2 * bit) {
    for (let i = base; i < base + bit; i++) {
      const j = i + bit
      const re = amplitudes[2 * i] as number
      const im = amplitudes[2 * i + 1] as number
      amplitudes[2 * i] = amplitudes[2 * j] as number
      amplitudes[2 * i + 1] = amplitudes[2 * j + 1] as number
      amplitudes[2 * j] = re
      amplitudes[2 * j + 1] = im
    }
  }
}

/**
 * Draws `shots` basis states with probability |amplitude|²: sorts the shots' uniform draws
 * and walks the cumulative distribution once, so the cost is one pass over the state.
 */
export function sampleBasisStates(
  amplitudes: Float64Array,
  shots: number,
  random: SeededRandom,
): Map<number, number> {
  const draws = new Float64Array(shots)
  for (let s = 0; s < shots; s++) draws[s] = random.next()
  draws.sort()
  const counts = new Map<number, number>()
  const size = amplitudes.length / 2
  let cumulative = 0
  let lastNonZero = 0
  let s = 0
  for (let i = 0; i < size && s < shots; i++) {
    const re = amplitudes[2 * i] as number
    const im = amplitudes[2 * i + 1] as number
    const p = re * re + im * im
    if (p === 0) continue
    lastNonZero = i
    cumulative += p
    let hits = 0
    while (s < shots && (draws[s] as number) < cumulative) {
      hits++
      s++
    }
    if (hits > 0) counts.set(i, hits)
  }
  // Rounding can leave the total a hair under 1: the last draws belong to the last state.
  if (s < shots) counts.set(lastNonZero, (counts.get(lastNonZero) ?? 0) + shots - s)
  return counts
}
