// The simulator's only source of randomness: pure-rand's xoroshiro128+, so the same seed
// gives the same counts on every machine.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number
  /** How many of `trials` independent draws come out true with probability `p`. */
  binomial(trials: number, p: number): number
}

export function seededRandom(seed: number): SeededRandom {
  const generator = xoroshiro128plus(seed)
  const next = () => uniformFloat64(generator)
  return {
    next,
    binomial(trials, p) {
      if (p <= 0) return 0
      if (p >= 1) return trials
      let hits = 0
      for (let i = 0; i < trials; i++) if (next() < p) hits++
      return hits
    },
  }
}
