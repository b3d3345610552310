// Whole shot counts from a probability distribution, for providers that return probabilities
// instead of per-shot outcomes. Largest-remainder rounding: every outcome gets the floor of its
// share, and the shots left over go to the largest fractional parts, so the counts sum to `shots`
// exactly and no count is off its share by a whole shot or more.

export function apportion(weights: ReadonlyMap<string, number>, shots: number): Map<string, number> {
  const total = [...weights.values()].reduce((sum, w) => sum + w, 0)
  const out = new Map<string, number>()
  if (total <= 0 || shots <= 0) return out
  const shares = [...weights].map(([key, w]) => {
    const exact = (w / total) * shots
    return { key, whole: Math.floor(exact), fraction: exact - Math.floor(exact) }
  })
  let left = shots - shares.reduce((sum, s) => sum + s.whole, 0)
  // Ties go to the smaller key, so the same distribution always gives the same counts.
  const byFraction = [...shares].sort((a, b) => b.fraction - a.fraction || (a.key < b.key ? -1 : 1))
  for (const share of byFraction) {
    if (left <= 0) break
    share.whole += 1
    left -= 1
  }
  for (const { key, whole } of shares) if (whole > 0) out.set(key, whole)
  return out
}
