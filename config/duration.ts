// Durations as people write them on command lines and in config: `500ms`, `30s`, `10m`,
// `2h`, `7d`. Whole numbers only.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const PATTERN = /^([1-9][0-9]{0,12})(ms|s|m|h|d)$/

/** Milliseconds of a duration, or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const match = PATTERN.exec(text.trim())
  if (match === null) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return Number.isSafeInteger(ms) ? ms : undefined
}

/** A duration's milliseconds, or the text itself so that config validation names it. */
export function durationOrRaw(text: string): number | string {
  return parseDurationMs(text) ?? text
}
