// Canonical instrument ids (`FUT:gpu.h100:20261201T0000Z:1h`): exactly one spelling per instrument,
// so an id can key books, journals and topics, and printing a parsed id gives back the same string.
import { isCapacityClass } from './capacity-class.ts'
import { type ClassSpec, classSpec, MAX_BASE_UNITS } from './class-spec.ts'
import { formatPrice } from './decimal.ts'
import { clipInput, InstrumentError, quoteInput } from './errors.ts'

export const INSTRUMENT_ID_MAX_LENGTH = 128

export type Instrument =
  | { kind: 'SPOT'; capacityClass: string }
  /** deliveryStart: unix ms on a whole minute. */
  | { kind: 'FUT'; capacityClass: string; deliveryStart: number; windowSeconds: number }
  /** expiry: unix ms on a whole minute; strike: price in base units, a positive multiple of the class tick. */
  | { kind: 'OPT'; right: 'C' | 'P'; capacityClass: string; expiry: number; strike: bigint }
  /** receive: a capacity class other than payClass, or 'fixed' for fixed against floating. */
  | { kind: 'SWP'; payClass: string; receive: string; tenorSeconds: number }

export type InstrumentKind = Instrument['kind']

const FORMS: Record<InstrumentKind, { form: string; example: string; fields: number }> = {
  SPOT: { form: 'SPOT:<class>', example: 'SPOT:gpu.h100', fields: 2 },
  FUT: { form: 'FUT:<class>:<deliveryStart>:<window>', example: 'FUT:gpu.h100:20261201T0000Z:1h', fields: 4 },
  OPT: {
    form: 'OPT:<C|P>:<class>:<expiry>:<strike>',
    example: 'OPT:C:gpu.h100:20261201T0000Z:2500000',
    fields: 5,
  },
  SWP: { form: 'SWP:<classA>/<classB|fixed>:<tenor>', example: 'SWP:gpu.h100/gpu.a100:30d', fields: 3 },
}
const KINDS = Object.keys(FORMS) as InstrumentKind[]

const MINUTE_MS = 60_000
// Four-digit years only, so every time prints in the fixed-width basic format.
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59)
const TIME_EXAMPLE = '20261201T0000Z'
const DURATION_UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const

/** Where a refusal happened, so its message can point at the input and show the expected form. */
interface Context {
  subject: string
  kind?: InstrumentKind
}

function refuse(ctx: Context, field: string, input: string, message: string): InstrumentError {
  const form =
    ctx.kind === undefined ? '' : ` (expected ${FORMS[ctx.kind].form}, e.g. ${FORMS[ctx.kind].example})`
  return new InstrumentError(
    { code: 'INSTRUMENT_INVALID', field, input: clipInput(input) },
    `${ctx.subject}: ${message}${form}`,
  )
}

export function parseInstrumentId(id: string): Instrument {
  if (typeof id !== 'string') {
    throw refuse({ subject: 'instrument id' }, 'id', String(id), 'is not a string')
  }
  const ctx: Context = { subject: `instrument id ${quoteInput(id)}` }
  const everyForm = KINDS.map((k) => FORMS[k].example).join(', ')
  // Length first: nothing longer is ever printed, and it bounds every later step.
  if (id.length > INSTRUMENT_ID_MAX_LENGTH) {
    throw refuse(ctx, 'id', id, `is ${id.length} characters; ids are at most ${INSTRUMENT_ID_MAX_LENGTH}`)
  }
  if (id === '') throw refuse(ctx, 'id', id, `is empty; write an id such as ${everyForm}`)
  const fields = id.split(':')
  const kindText = fields[0] ?? ''
  if (!(KINDS as string[]).includes(kindText)) {
    throw refuse(
      ctx,
      'kind',
      kindText,
      `kind ${quoteInput(kindText)} is not one of ${KINDS.join(', ')}; write e.g. ${everyForm}`,
    )
  }
  const kind = kindText as InstrumentKind
  ctx.kind = kind
  if (fields.length !== FORMS[kind].fields) {
    throw refuse(
      ctx,
      'id',
      id,
      `a ${kind} id has ${FORMS[kind].fields} fields separated by ':' but this one has ${fields.length}` +
        (/\dT\d{2}:\d{2}/.test(id) ? `; times are written without colons, e.g. ${TIME_EXAMPLE}` : ''),
    )
  }
  const field = (i: number): string => fields[i] ?? ''
  let instrument: Instrument
  switch (kind) {
    case 'SPOT':
      instrument = { kind, capacityClass: parseClass(ctx, 'capacityClass', field(1)) }
      break
    case 'FUT':
      instrument = {
        kind,
        capacityClass: parseClass(ctx, 'capacityClass', field(1)),
        deliveryStart: parseTime(ctx, 'deliveryStart', field(2)),
        windowSeconds: parseDuration(ctx, 'windowSeconds', field(3)),
      }
      break
    case 'OPT': {
      const right = field(1)
      if (right !== 'C' && right !== 'P') {
        throw refuse(ctx, 'right', right, `right ${quoteInput(right)} is not C (call) or P (put)`)
      }
      const capacityClass = parseClass(ctx, 'capacityClass', field(2))
      instrument = {
        kind,
        right,
        capacityClass,
        expiry: parseTime(ctx, 'expiry', field(3)),
        strike: parseStrike(ctx, field(4), classSpec(capacityClass)),
      }
      break
    }
    case 'SWP': {
      const legs = field(1).split('/')
      if (legs.length !== 2) {
        throw refuse(
          ctx,
          'legs',
          field(1),
          `legs ${quoteInput(field(1))} are not two legs separated by one '/'; write <payClass>/<receive>`,
        )
      }
      const payClass = parseClass(ctx, 'payClass', legs[0] ?? '')
      const receive = legs[1] ?? ''
      if (receive !== 'fixed') parseClass(ctx, 'receive', receive)
      instrument = { kind, payClass, receive, tenorSeconds: parseDuration(ctx, 'tenorSeconds', field(2)) }
      break
    }
  }
  checkInstrument(ctx, instrument)
  return instrument
}

export function formatInstrumentId(instrument: Instrument): string {
  const kind = instrument?.kind
  const ctx: Context = {
    subject: `cannot print instrument ${typeof kind === 'string' ? clipInput(kind) : ''}`.trim(),
  }
  if (!(KINDS as unknown[]).includes(kind)) {
    throw refuse(ctx, 'kind', String(kind), `kind is not one of ${KINDS.join(', ')}`)
  }
  ctx.kind = kind
  checkInstrument(ctx, instrument)
  let id: string
  switch (instrument.kind) {
    case 'SPOT':
      id = `SPOT:${instrument.capacityClass}`
      break
    case 'FUT':
      id = `FUT:${instrument.capacityClass}:${formatTime(instrument.deliveryStart)}:${formatDuration(instrument.windowSeconds)}`
      break
    case 'OPT':
      id = `OPT:${instrument.right}:${instrument.capacityClass}:${formatTime(instrument.expiry)}:${instrument.strike}`
      break
    case 'SWP':
      id = `SWP:${instrument.payClass}/${instrument.receive}:${formatDuration(instrument.tenorSeconds)}`
      break
  }
  if (id.length > INSTRUMENT_ID_MAX_LENGTH) {
    throw refuse(
      ctx,
      'id',
      id,
      `its id would be ${id.length} characters; ids are at most ${INSTRUMENT_ID_MAX_LENGTH}`,
    )
  }
  return id
}

/** The spec of the class an instrument is priced in; for a swap, the class paid. */
export function instrumentSpec(instrument: Instrument): ClassSpec {
  return classSpec(instrument.kind === 'SWP' ? instrument.payClass : instrument.capacityClass)
}

/** The checks on values, shared by parse and print so that neither accepts what the other refuses. */
function checkInstrument(ctx: Context, instrument: Instrument): void {
  switch (instrument.kind) {
    case 'SPOT':
      checkClass(ctx, 'capacityClass', instrument.capacityClass)
      return
    case 'FUT':
      checkClass(ctx, 'capacityClass', instrument.capacityClass)
      checkTime(ctx, 'deliveryStart', instrument.deliveryStart)
      checkDuration(ctx, 'windowSeconds', instrument.windowSeconds)
      return
    case 'OPT': {
      if (instrument.right !== 'C' && instrument.right !== 'P') {
        throw refuse(
          ctx,
          'right',
          String(instrument.right),
          `right ${quoteInput(String(instrument.right))} is not C or P`,
        )
      }
      checkClass(ctx, 'capacityClass', instrument.capacityClass)
      checkTime(ctx, 'expiry', instrument.expiry)
      checkStrike(ctx, instrument.strike, classSpec(instrument.capacityClass))
      return
    }
    case 'SWP':
      checkClass(ctx, 'payClass', instrument.payClass)
      if (instrument.receive !== 'fixed') checkClass(ctx, 'receive', instrument.receive)
      if (instrument.receive === instrument.payClass) {
        throw refuse(
          ctx,
          'receive',
          instrument.receive,
          `receive leg ${quoteInput(instrument.receive)} is the same class as the pay leg; swap two different ` +
            `classes, or write 'fixed' for fixed against floating`,
        )
      }
      checkDuration(ctx, 'tenorSeconds', instrument.tenorSeconds)
      return
  }
}

const LABELS: Record<string, string> = {
  capacityClass: 'class',
  payClass: 'pay class',
  receive: 'receive leg',
  deliveryStart: 'delivery start',
  expiry: 'expiry',
  windowSeconds: 'window',
  tenorSeconds: 'tenor',
}

function parseClass(ctx: Context, field: string, text: string): string {
  checkClass(ctx, field, text)
  return text
}

function checkClass(ctx: Context, field: string, value: unknown): void {
  if (typeof value === 'string' && isCapacityClass(value)) return
  const input = String(value)
  const fixed = field === 'receive' ? ", or 'fixed'" : ''
  throw refuse(
    ctx,
    field,
    input,
    `${LABELS[field]} ${quoteInput(input)} is not a capacity class; write gpu, cpu or qpu followed by one to ` +
      `three lowercase dot-separated segments, e.g. gpu.h100${fixed}`,
  )
}

function parseTime(ctx: Context, field: string, text: string): number {
  const label = LABELS[field]
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(text)
  if (match === null) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is not a UTC time in ISO 8601 basic format to the minute; write it ` +
        `like ${TIME_EXAMPLE}`,
    )
  }
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ]
  if (year < 1970) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is before 1970; write a later time like ${TIME_EXAMPLE}`,
    )
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute)
  // Date.UTC rolls over (month 13, 24:00, 30 February); a real time prints back unchanged.
  if (formatTime(ms) !== text) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is not a real calendar time (month 01-12, a day the month has, ` +
        `hour 00-23, minute 00-59); write it like ${TIME_EXAMPLE}`,
    )
  }
  return ms
}

function checkTime(ctx: Context, field: string, ms: unknown): void {
  if (
    typeof ms === 'number' &&
    Number.isSafeInteger(ms) &&
    ms % MINUTE_MS === 0 &&
    ms >= 0 &&
    ms <= LATEST_TIME
  ) {
    return
  }
  throw refuse(
    ctx,
    field,
    String(ms),
    `${LABELS[field]} ${String(ms)} is not unix milliseconds on a whole minute between 1970 and 9999`,
  )
}

function formatTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `T${two(d.getUTCHours())}${two(d.getUTCMinutes())}Z`
  )
}

function parseDuration(ctx: Context, field: string, text: string): number {
  const label = LABELS[field]
  const match = /^([1-9]\d{0,15})([smhd])$/.exec(text)
  if (match === null) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is not a duration; write a positive whole number without leading zeros ` +
        'followed by s, m, h or d, e.g. 1h',
    )
  }
  const unit = DURATION_UNITS.find(([suffix]) => suffix === match[2])
  const seconds = Number(match[1]) * (unit?.[1] ?? 1)
  if (!Number.isSafeInteger(seconds)) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is too long; the longest is ${formatDuration(Number.MAX_SAFE_INTEGER)}`,
    )
  }
  const canonical = formatDuration(seconds)
  if (canonical !== text) {
    throw refuse(
      ctx,
      field,
      text,
      `${label} ${quoteInput(text)} is not in canonical form (the largest unit that divides it); write ${canonical}`,
    )
  }
  return seconds
}

function checkDuration(ctx: Context, field: string, seconds: unknown): void {
  if (typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0) return
  throw refuse(
    ctx,
    field,
    String(seconds),
    `${LABELS[field]} ${String(seconds)} is not a positive whole number of seconds`,
  )
}

function formatDuration(seconds: number): string {
  for (const [suffix, size] of DURATION_UNITS) {
    if (seconds % size === 0) return `${seconds / size}${suffix}`
  }
  return `${seconds}s`
}

function parseStrike(ctx: Context, text: string, spec: ClassSpec): bigint {
  if (!/^[1-9]\d{0,15}$/.test(text)) {
    throw refuse(
      ctx,
      'strike',
      text,
      `strike ${quoteInput(text)} is not a positive whole number of price base units without leading zeros ` +
        `(${spec.priceDecimals} decimals: 2500000 is 2.5)`,
    )
  }
  return BigInt(text)
}

function checkStrike(ctx: Context, strike: unknown, spec: ClassSpec): void {
  const input = String(strike)
  if (typeof strike !== 'bigint' || strike <= 0n || strike > MAX_BASE_UNITS) {
    throw refuse(
      ctx,
      'strike',
      input,
      `strike ${quoteInput(input)} is not a positive count of price base units at most ${MAX_BASE_UNITS}`,
    )
  }
  const remainder = strike % spec.tickSize
  if (remainder !== 0n) {
    const below = strike - remainder
    const options = [below, below + spec.tickSize].filter((v) => v > 0n && v <= MAX_BASE_UNITS)
    throw refuse(
      ctx,
      'strike',
      input,
      `strike ${input} is not a multiple of the tick ${spec.tickSize} base units (${formatPrice(spec.tickSize, spec)}) ` +
        `for ${spec.capacityClass}; use ${options.join(' or ')}`,
    )
  }
}
