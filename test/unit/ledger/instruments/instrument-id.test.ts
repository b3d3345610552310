import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classSpec, MAX_BASE_UNITS } from '../../../../ledger/instruments/class-spec.ts'
import { InstrumentError } from '../../../../ledger/instruments/errors.ts'
import {
  formatInstrumentId,
  type Instrument,
  instrumentSpec,
  parseInstrumentId,
} from '../../../../ledger/instruments/instrument-id.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const refusal = (run: () => unknown) => expectRefusal(run, InstrumentError)

const DEC_1_2026 = Date.UTC(2026, 11, 1)
const long = 'a'.repeat(32)

function expectRefused(id: string, field: string, ...fragments: string[]): void {
  const err = refusal(() => parseInstrumentId(id))
  expect(err.code).toBe('INSTRUMENT_INVALID')
  expect(err.type).toMatchObject({ field })
  for (const fragment of fragments) expect(err.message).toContain(fragment)
}

describe('instrument ids', () => {
  it.each<[string, Instrument]>([
    ['SPOT:gpu.h100', { kind: 'SPOT', capacityClass: 'gpu.h100' }],
    ['SPOT:qpu.ibm.brisbane', { kind: 'SPOT', capacityClass: 'qpu.ibm.brisbane' }],
    [
      'FUT:gpu.h100:20261201T0000Z:1h',
      { kind: 'FUT', capacityClass: 'gpu.h100', deliveryStart: DEC_1_2026, windowSeconds: 3600 },
    ],
    [
      'FUT:cpu.x86:20260301T1230Z:90m',
      {
        kind: 'FUT',
        capacityClass: 'cpu.x86',
        deliveryStart: Date.UTC(2026, 2, 1, 12, 30),
        windowSeconds: 5400,
      },
    ],
    [
      'OPT:C:gpu.h100:20261201T0000Z:2500000',
      { kind: 'OPT', right: 'C', capacityClass: 'gpu.h100', expiry: DEC_1_2026, strike: 2_500_000n },
    ],
    [
      'OPT:P:qpu.sim:20280229T2359Z:7',
      {
        kind: 'OPT',
        right: 'P',
        capacityClass: 'qpu.sim',
        expiry: Date.UTC(2028, 1, 29, 23, 59),
        strike: 7n,
      },
    ],
    [
      'SWP:gpu.h100/gpu.a100:30d',
      { kind: 'SWP', payClass: 'gpu.h100', receive: 'gpu.a100', tenorSeconds: 2_592_000 },
    ],
    ['SWP:qpu.sim/fixed:45s', { kind: 'SWP', payClass: 'qpu.sim', receive: 'fixed', tenorSeconds: 45 }],
  ])('%s parses to its instrument and prints back identically', (id, instrument) => {
    expect(parseInstrumentId(id)).toEqual(instrument)
    expect(formatInstrumentId(instrument)).toBe(id)
  })

  it('prints every valid instrument as an id that parses back equal and reprints identically', () => {
    const segment = (maxLength: number) =>
      fc
        .tuple(
          fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
          fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), maxLength }),
        )
        .map(([first, rest]) => first + rest)
    const capacityClass = (maxSegment: number) =>
      fc
        .tuple(
          fc.constantFrom('gpu', 'cpu', 'qpu'),
          fc.array(segment(maxSegment), { minLength: 1, maxLength: 3 }),
        )
        .map(([family, segments]) => [family, ...segments].join('.'))
    const time = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59) / 60_000 }).map((m) => m * 60_000)
    const duration = fc.oneof(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 1, max: 10_000 }).map((n) => n * 60),
      fc.integer({ min: 1, max: 10_000 }).map((n) => n * 3600),
      fc.integer({ min: 1, max: 10_000 }).map((n) => n * 86_400),
      fc.constant(Number.MAX_SAFE_INTEGER),
    )
    const instrument: fc.Arbitrary<Instrument> = fc.oneof(
      capacityClass(31).map((c): Instrument => ({ kind: 'SPOT', capacityClass: c })),
      fc
        .record({ capacityClass: capacityClass(12), deliveryStart: time, windowSeconds: duration })
        .map((r): Instrument => ({ kind: 'FUT', ...r })),
      fc
        .record({
          right: fc.constantFrom('C' as const, 'P' as const),
          capacityClass: capacityClass(12),
          expiry: time,
        })
        .chain((r) => {
          const tick = classSpec(r.capacityClass).tickSize
          return fc
            .bigInt({ min: 1n, max: MAX_BASE_UNITS / tick })
            .map((n): Instrument => ({ kind: 'OPT', ...r, strike: n * tick }))
        }),
      fc
        .record({
          payClass: capacityClass(12),
          receive: fc.oneof(fc.constant('fixed'), capacityClass(12)),
          tenorSeconds: duration,
        })
        .filter((r) => r.payClass !== r.receive)
        .map((r): Instrument => ({ kind: 'SWP', ...r })),
    )
    fc.assert(
      fc.property(instrument, (x) => {
        const id = formatInstrumentId(x)
        expect(id.length).toBeLessThanOrEqual(128)
        const parsed = parseInstrumentId(id)
        expect(parsed).toEqual(x)
        expect(formatInstrumentId(parsed)).toBe(id)
      }),
      { numRuns: 500 },
    )
  })

  it('gives the spec of the underlying class, and of the pay class for a swap', () => {
    expect(instrumentSpec(parseInstrumentId('OPT:C:gpu.h100:20261201T0000Z:2500000')).unit).toBe('gpu-second')
    expect(instrumentSpec(parseInstrumentId('SWP:qpu.sim/gpu.h100:1d')).unit).toBe('shot')
  })
})

describe('instrument ids refused', () => {
  it('refuses an id longer than 128 characters before reading it', () => {
    expectRefused(`SPOT:gpu.${'a'.repeat(124)}`, 'id', '133 characters', 'at most 128')
  })

  it('refuses an empty id, showing every form', () => {
    expectRefused('', 'id', 'empty', 'SPOT:gpu.h100', 'FUT:gpu.h100:20261201T0000Z:1h')
  })

  it.each(['BOND:gpu.h100', 'spot:gpu.h100', 'gpu.h100'])('refuses the unknown kind in %j', (id) => {
    expectRefused(id, 'kind', 'kind', 'is not one of SPOT, FUT, OPT, SWP', 'FUT:gpu.h100:20261201T0000Z:1h')
  })

  it.each([
    ['FUT:gpu.h100:20261201T0000Z', 'has 4 fields', 'this one has 3'],
    ['SPOT:gpu.h100:1h', 'has 2 fields', 'this one has 3'],
    ['OPT:C:gpu.h100:20261201T0000Z:2500000:x', 'has 5 fields', 'this one has 6'],
    ['SWP:gpu.h100:gpu.a100:1d', 'has 3 fields', 'this one has 4'],
  ])('refuses %j for its number of fields', (id, ...fragments) => {
    expectRefused(id, 'id', ...fragments)
  })

  it('shows the expected form and an example of the kind with each refusal', () => {
    expectRefused(
      'FUT:gpu.h100:2026-12-01:1h',
      'deliveryStart',
      'FUT:<class>:<deliveryStart>:<window>',
      'e.g. FUT:gpu.h100:20261201T0000Z:1h',
    )
  })

  it.each([
    ['SPOT:GPU.h100', 'capacityClass', 'class "GPU.h100" is not a capacity class'],
    ['SPOT:tpu.v5', 'capacityClass', 'class "tpu.v5"'],
    ['FUT:gpu:20261201T0000Z:1h', 'capacityClass', 'class "gpu"'],
    ['OPT:C:gpu..h100:20261201T0000Z:100', 'capacityClass', 'class "gpu..h100"'],
    ['SWP:gpu_h100/fixed:1d', 'payClass', 'pay class "gpu_h100"'],
    ['SWP:gpu.h100/floating:1d', 'receive', `receive leg "floating"`, "or 'fixed'"],
  ])('refuses the bad class in %j', (id, field, ...fragments) => {
    expectRefused(id, field, ...fragments, 'e.g. gpu.h100')
  })

  it.each([
    ['FUT:gpu.h100:2026-12-01T00:00Z:1h', 'this one has 5', 'times are written without colons'],
    ['FUT:gpu.h100:20261201:1h', 'delivery start "20261201" is not a UTC time in ISO 8601 basic format'],
    ['FUT:gpu.h100:20261201T0000:1h', 'delivery start "20261201T0000"'],
    ['FUT:gpu.h100:20261201T000000Z:1h', 'delivery start "20261201T000000Z"'],
    ['FUT:gpu.h100:20261301T0000Z:1h', 'delivery start "20261301T0000Z" is not a real calendar time'],
    ['FUT:gpu.h100:20270229T0000Z:1h', 'delivery start "20270229T0000Z" is not a real calendar time'],
    ['FUT:gpu.h100:20261201T2400Z:1h', 'is not a real calendar time'],
    ['FUT:gpu.h100:20261201T0060Z:1h', 'is not a real calendar time'],
    ['OPT:C:gpu.h100:19691231T2359Z:100', 'expiry "19691231T2359Z" is before 1970'],
    ['OPT:P:gpu.h100:20261201t0000z:100', 'expiry "20261201t0000z"'],
  ])('refuses the bad time in %j', (id, ...fragments) => {
    const field = id.startsWith('OPT') ? 'expiry' : id.split(':').length === 4 ? 'deliveryStart' : 'id'
    expectRefused(id, field, ...fragments)
  })

  it('tells how to write a time', () => {
    expectRefused('FUT:gpu.h100:2026-12-01:1h', 'deliveryStart', 'write it like 20261201T0000Z')
  })

  it.each([
    [
      'FUT:gpu.h100:20261201T0000Z:3600s',
      'windowSeconds',
      'window "3600s" is not in canonical form',
      'write 1h',
    ],
    ['FUT:gpu.h100:20261201T0000Z:60m', 'windowSeconds', 'write 1h'],
    ['FUT:gpu.h100:20261201T0000Z:24h', 'windowSeconds', 'write 1d'],
    ['SWP:gpu.h100/fixed:120s', 'tenorSeconds', 'tenor "120s"', 'write 2m'],
    ['FUT:gpu.h100:20261201T0000Z:0h', 'windowSeconds', 'window "0h" is not a duration', 'e.g. 1h'],
    ['FUT:gpu.h100:20261201T0000Z:01h', 'windowSeconds', 'window "01h" is not a duration'],
    ['FUT:gpu.h100:20261201T0000Z:1.5h', 'windowSeconds', 'window "1.5h"'],
    ['FUT:gpu.h100:20261201T0000Z:1w', 'windowSeconds', 'window "1w"'],
    ['FUT:gpu.h100:20261201T0000Z:1H', 'windowSeconds', 'window "1H"'],
    ['FUT:gpu.h100:20261201T0000Z:-1h', 'windowSeconds', 'window "-1h"'],
    ['FUT:gpu.h100:20261201T0000Z:', 'windowSeconds', 'window ""'],
    ['SWP:gpu.h100/fixed:9999999999999999d', 'tenorSeconds', 'tenor "9999999999999999d" is too long'],
  ])('refuses the bad duration in %j', (id, field, ...fragments) => {
    expectRefused(id, field, ...fragments)
  })

  it.each([
    ['OPT:X:gpu.h100:20261201T0000Z:100', 'right', 'right "X" is not C (call) or P (put)'],
    ['OPT:c:gpu.h100:20261201T0000Z:100', 'right', 'right "c"'],
    [
      'OPT:C:gpu.h100:20261201T0000Z:0',
      'strike',
      'strike "0" is not a positive whole number of price base units',
    ],
    ['OPT:C:gpu.h100:20261201T0000Z:0100', 'strike', 'strike "0100"', 'without leading zeros'],
    ['OPT:C:gpu.h100:20261201T0000Z:2.5', 'strike', 'strike "2.5"', '2500000 is 2.5'],
    ['OPT:C:gpu.h100:20261201T0000Z:-100', 'strike', 'strike "-100"'],
    [
      'OPT:C:gpu.h100:20261201T0000Z:2500050',
      'strike',
      'not a multiple of the tick 100',
      '0.0001',
      'use 2500000 or 2500100',
    ],
    ['OPT:C:cpu.x86:20261201T0000Z:9007199254740992', 'strike', 'at most 9007199254740991'],
  ])('refuses the bad option field in %j', (id, field, ...fragments) => {
    expectRefused(id, field, ...fragments)
  })

  it.each([
    ['SWP:gpu.h100/gpu.h100:1d', 'receive', 'same class as the pay leg'],
    ['SWP:gpu.h100:1d', 'legs', 'legs "gpu.h100" are not two legs'],
    ['SWP:gpu.h100/gpu.a100/cpu.x86:1d', 'legs', 'not two legs'],
    ['SWP:fixed/gpu.h100:1d', 'payClass', 'pay class "fixed"'],
  ])('refuses the bad swap legs in %j', (id, field, ...fragments) => {
    expectRefused(id, field, ...fragments, 'SWP:<classA>/<classB|fixed>:<tenor>')
  })
})

describe('printing instruments refused', () => {
  it.each<[Instrument, string]>([
    [
      { kind: 'FUT', capacityClass: 'gpu.h100', deliveryStart: DEC_1_2026 + 1, windowSeconds: 60 },
      'deliveryStart',
    ],
    [
      { kind: 'FUT', capacityClass: 'gpu.h100', deliveryStart: DEC_1_2026, windowSeconds: 0 },
      'windowSeconds',
    ],
    [{ kind: 'FUT', capacityClass: 'gpu.h100', deliveryStart: -60_000, windowSeconds: 60 }, 'deliveryStart'],
    [{ kind: 'OPT', right: 'C', capacityClass: 'gpu.h100', expiry: DEC_1_2026, strike: 150n }, 'strike'],
    [{ kind: 'OPT', right: 'C', capacityClass: 'gpu.h100', expiry: DEC_1_2026, strike: 0n }, 'strike'],
    [{ kind: 'SWP', payClass: 'gpu.h100', receive: 'gpu.h100', tenorSeconds: 60 }, 'receive'],
    [{ kind: 'SWP', payClass: 'gpu.h100', receive: 'fixed', tenorSeconds: 1.5 }, 'tenorSeconds'],
    [{ kind: 'SPOT', capacityClass: 'GPU' }, 'capacityClass'],
    [
      { kind: 'SWP', payClass: `gpu.${long}.${long}.${long}`, receive: `cpu.${long}`, tenorSeconds: 60 },
      'id',
    ],
  ])('refuses to print %o (field %s)', (instrument, field) => {
    const err = refusal(() => formatInstrumentId(instrument))
    expect(err.code).toBe('INSTRUMENT_INVALID')
    expect(err.type).toMatchObject({ field })
    expect(err.message).toContain('cannot print instrument')
  })

  it('refuses an unknown kind', () => {
    const err = refusal(() => formatInstrumentId({ kind: 'BOND' } as unknown as Instrument))
    expect(err.type).toMatchObject({ field: 'kind' })
  })
})
