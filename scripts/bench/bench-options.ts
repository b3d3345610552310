// Flags of the benchmark scripts: node's parseArgs in strict mode, whole-number values checked
// against their range, and any mistake answered with the usage line and exit code 2.
import { parseArgs } from 'node:util'

type FlagKinds = Record<string, { type: 'string' | 'boolean' }>

export interface BenchCommandLine {
  /** The script's name, prefixed to problems: `qsim`. */
  readonly name: string
  readonly usage: string
}

export function usageExit(bench: BenchCommandLine, problem: string): never {
  process.stderr.write(`${bench.name}: ${problem}\n${bench.usage}\n`)
  process.exit(2)
}

/** The flags' values; an unknown flag, a missing value or a positional argument exits with the usage. */
export function readFlags<const T extends FlagKinds>(bench: BenchCommandLine, argv: string[], flags: T) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: flags }).values
  } catch (err) {
    usageExit(bench, err instanceof Error ? err.message : String(err))
  }
}

export function wholeNumber(
  bench: BenchCommandLine,
  flag: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    usageExit(bench, `${flag} takes whole numbers from ${min} to ${max}, got "${text}"`)
  }
  return value
}

/** A comma-separated list of whole numbers in [min, max]. */
export function wholeNumbers(
  bench: BenchCommandLine,
  flag: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number[] {
  return text.split(',').map((part) => wholeNumber(bench, flag, part, min, max))
}
