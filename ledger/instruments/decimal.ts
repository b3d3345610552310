// Decimal strings at the edges (CLI, API, UI) to and from bigint base units below them; values
// never pass through JavaScript numbers, so no price or quantity is ever rounded.
import { type ClassSpec, MAX_BASE_UNITS } from './class-spec.ts'
import { clipInput, InstrumentError, quoteInput } from './errors.ts'

// Longer than any accepted value (16 digits, a point and leading zeros aside), checked before
// BigInt so a hostile string cannot cost quadratic time.
const TEXT_MAX = 40
const EXPONENT = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/
const NEGATIVE = /^-\.?\d/

export function parsePrice(text: string, spec: ClassSpec): bigint {
  const refuse = (problem: string): InstrumentError =>
    new InstrumentError(
      { code: 'PRICE_INVALID', capacityClass: spec.capacityClass, input: clipInput(String(text)) },
      `price ${quoteInput(String(text))} for ${spec.capacityClass} ${problem}`,
    )
  const example = '2.5'
  if (typeof text !== 'string') throw refuse(`is not a string; write a decimal such as ${example}`)
  if (text.length > TEXT_MAX)
    throw refuse(`is too long; the largest price is ${formatFixed(MAX_BASE_UNITS, spec)}`)
  if (text === '') throw refuse(`is empty; write a positive decimal such as ${example}`)
  if (NEGATIVE.test(text)) throw refuse('is negative; a price must be greater than zero')
  if (EXPONENT.test(text)) throw refuse(`uses exponent notation; write a plain decimal such as ${example}`)
  if (/^0\d/.test(text)) throw refuse(`has a leading zero; write ${text.replace(/^0+(?=\d)/, '')}`)
  const match = /^(0|[1-9]\d*)(?:\.(\d+))?$/.exec(text)
  if (match === null) {
    throw refuse(`is not a decimal number; write digits with an optional '.' and fraction, e.g. ${example}`)
  }
  const [, whole = '0', fraction = ''] = match
  if (fraction.length > spec.priceDecimals) {
    throw refuse(
      `has ${fraction.length} decimals; the settlement token has ${spec.priceDecimals}, so write at most ` +
        `${spec.priceDecimals}`,
    )
  }
  const value = BigInt(whole) * scale(spec) + BigInt(fraction.padEnd(spec.priceDecimals, '0'))
  if (value === 0n) throw refuse('is zero; a price must be greater than zero')
  if (value > MAX_BASE_UNITS) throw refuse(`exceeds the largest price ${formatFixed(MAX_BASE_UNITS, spec)}`)
  const remainder = value % spec.tickSize
  if (remainder !== 0n) {
    const below = value - remainder
    const above = below + spec.tickSize
    const options = [below, above]
      .filter((v) => v > 0n && v <= MAX_BASE_UNITS)
      .map((v) => formatPrice(v, spec))
    throw new InstrumentError(
      { code: 'PRICE_INVALID', capacityClass: spec.capacityClass, input: text },
      `price ${text} is not a multiple of the tick ${formatFixed(spec.tickSize, spec)} for ` +
        `${spec.capacityClass}; round it to ${options.join(' or ')}`,
    )
  }
  return value
}

/** Prints a price with the decimals its tick implies (gpu: 4, cpu/qpu: 6); parsePrice reads it back. */
export function formatPrice(value: bigint, spec: ClassSpec): string {
  const refuse = (problem: string): InstrumentError =>
    new InstrumentError(
      { code: 'PRICE_INVALID', capacityClass: spec.capacityClass, input: String(value) },
      `price ${String(value)} base units for ${spec.capacityClass} ${problem}`,
    )
  if (typeof value !== 'bigint') throw refuse('is not a bigint count of base units')
  if (value <= 0n) throw refuse('is not greater than zero')
  if (value > MAX_BASE_UNITS) throw refuse(`exceeds the largest price ${MAX_BASE_UNITS} base units`)
  if (value % spec.tickSize !== 0n) throw refuse(`is not a multiple of the tick ${spec.tickSize} base units`)
  return formatFixed(value, spec, shownDecimals(spec))
}

export function parseQuantity(text: string, spec: ClassSpec): bigint {
  const refuse = (problem: string): InstrumentError =>
    new InstrumentError(
      { code: 'QUANTITY_INVALID', capacityClass: spec.capacityClass, input: clipInput(String(text)) },
      `quantity ${quoteInput(String(text))} for ${spec.capacityClass} ${problem}`,
    )
  const example = String(spec.lotSize * 3600n)
  const whole = `a whole number of ${spec.unit}s, e.g. ${example}`
  if (typeof text !== 'string') throw refuse(`is not a string; write ${whole}`)
  if (text.length > TEXT_MAX) throw refuse(`is too long; the largest quantity is ${MAX_BASE_UNITS}`)
  if (text === '') throw refuse(`is empty; write ${whole}`)
  if (NEGATIVE.test(text)) throw refuse('is negative; a quantity must be at least one lot')
  if (EXPONENT.test(text)) throw refuse(`uses exponent notation; write ${whole}`)
  if (/^\d+\.\d*$/.test(text)) throw refuse(`has a fraction; quantities are whole units, so write ${whole}`)
  if (/^0\d/.test(text)) throw refuse(`has a leading zero; write ${text.replace(/^0+(?=\d)/, '')}`)
  if (!/^(0|[1-9]\d*)$/.test(text)) throw refuse(`is not a whole number; write ${whole}`)
  const value = BigInt(text)
  if (value === 0n)
    throw refuse(`is zero; a quantity must be at least one lot (${spec.lotSize} ${spec.unit})`)
  if (value > MAX_BASE_UNITS) throw refuse(`exceeds the largest quantity ${MAX_BASE_UNITS}`)
  const remainder = value % spec.lotSize
  if (remainder !== 0n) {
    const below = value - remainder
    const options = [below, below + spec.lotSize].filter((v) => v > 0n && v <= MAX_BASE_UNITS)
    throw refuse(`is not a multiple of the lot ${spec.lotSize} ${spec.unit}; use ${options.join(' or ')}`)
  }
  return value
}

export function formatQuantity(value: bigint, spec: ClassSpec): string {
  const refuse = (problem: string): InstrumentError =>
    new InstrumentError(
      { code: 'QUANTITY_INVALID', capacityClass: spec.capacityClass, input: String(value) },
      `quantity ${String(value)} for ${spec.capacityClass} ${problem}`,
    )
  if (typeof value !== 'bigint') throw refuse('is not a bigint count of units')
  if (value <= 0n) throw refuse('is not greater than zero')
  if (value > MAX_BASE_UNITS) throw refuse(`exceeds the largest quantity ${MAX_BASE_UNITS}`)
  if (value % spec.lotSize !== 0n) throw refuse(`is not a multiple of the lot ${spec.lotSize}`)
  return value.toString()
}

function scale(spec: ClassSpec): bigint {
  return 10n ** BigInt(spec.priceDecimals)
}

/** Decimals that can be nonzero in a multiple of the tick: tick 100 of 6 decimals leaves 4. */
function shownDecimals(spec: ClassSpec): number {
  let decimals = spec.priceDecimals
  let tick = spec.tickSize
  while (decimals > 0 && tick % 10n === 0n) {
    tick /= 10n
    decimals--
  }
  return decimals
}

/** Base units as a decimal; with `decimals` left out, the shortest form (0.0001, 9007199254.740991). */
function formatFixed(value: bigint, spec: ClassSpec, decimals?: number): string {
  const whole = value / scale(spec)
  const fraction = (value % scale(spec)).toString().padStart(spec.priceDecimals, '0')
  const shown = decimals === undefined ? fraction.replace(/0+$/, '') : fraction.slice(0, decimals)
  return shown === '' ? whole.toString() : `${whole}.${shown}`
}
