// One seeded random source for tests and benchmarks (pure-rand's xoroshiro128+), so a failing
// run can be replayed and competing engines see exactly the same stream.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** Uniform floats in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  const generator = xoroshiro128plus(seed)
  return () => uniformFloat64(generator)
}
