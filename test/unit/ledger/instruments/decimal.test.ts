import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classSpec, MAX_BASE_UNITS } from '../../../../ledger/instruments/class-spec.ts'
import {
  formatPrice,
  formatQuantity,
  parsePrice,
  parseQuantity,
} from '../../../../ledger/instruments/decimal.ts'
import { InstrumentError } from '../../../../ledger/instruments/errors.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const refusal = (run: () => unknown) => expectRefusal(run, InstrumentError)

const gpu = classSpec('gpu.h100')
const cpu = classSpec('cpu.x86')
const qpu = classSpec('qpu.sim')

describe('parsePrice', () => {
  it.each([
    ['2.5', 2_500_000n],
    ['2.50', 2_500_000n],
    ['3', 3_000_000n],
    ['0.0001', 100n],
    ['9007199254.7409', 9_007_199_254_740_900n],
  ])('reads %s as %s base units on a GPU class', (text, value) => {
    expect(parsePrice(text, gpu)).toBe(value)
  })

  it('reads the finest tick of a CPU or QPU class', () => {
    expect(parsePrice('0.000001', cpu)).toBe(1n)
    expect(parsePrice('1.234567', qpu)).toBe(1_234_567n)
    expect(parsePrice('9007199254.740991', cpu)).toBe(MAX_BASE_UNITS)
  })

  it('refuses a price off the tick, saying the tick and the nearest prices on it', () => {
    const err = refusal(() => parsePrice('2.50005', gpu))
    expect(err.code).toBe('PRICE_INVALID')
    expect(err.message).toContain('price 2.50005 is not a multiple of the tick 0.0001 for gpu.h100')
    expect(err.message).toContain('2.5000 or 2.5001')
  })

  it.each([
    ['-2.5', 'negative'],
    ['0', 'zero'],
    ['0.000', 'zero'],
    ['2e3', 'exponent'],
    ['2.5E-1', 'exponent'],
    ['1.2345678', '7 decimals'],
    ['2.5000000', '7 decimals'],
    ['', 'empty'],
    ['.5', 'not a decimal'],
    ['5.', 'not a decimal'],
    ['+2.5', 'not a decimal'],
    [' 2.5', 'not a decimal'],
    ['2,5', 'not a decimal'],
    ['Infinity', 'not a decimal'],
    ['0x10', 'not a decimal'],
    ['02.5', 'leading zero'],
    ['9007199254.7410', 'exceeds the largest price 9007199254.740991'],
    ['1'.repeat(41), 'too long'],
  ])('refuses %j (%s)', (text, reason) => {
    const err = refusal(() => parsePrice(text, gpu))
    expect(err.code).toBe('PRICE_INVALID')
    expect(err.type).toMatchObject({ capacityClass: 'gpu.h100' })
    expect(err.message).toContain(reason)
    expect(err.message).toContain('gpu.h100')
  })
})

describe('formatPrice', () => {
  it('prints the decimals the tick implies', () => {
    expect(formatPrice(2_500_000n, gpu)).toBe('2.5000')
    expect(formatPrice(100n, gpu)).toBe('0.0001')
    expect(formatPrice(2_500_000n, cpu)).toBe('2.500000')
    expect(formatPrice(1n, qpu)).toBe('0.000001')
    expect(formatPrice(MAX_BASE_UNITS, cpu)).toBe('9007199254.740991')
  })

  it('refuses values a price cannot take rather than print them lossily', () => {
    for (const value of [0n, -100n, 150n, MAX_BASE_UNITS + 1n]) {
      expect(refusal(() => formatPrice(value, gpu)).code).toBe('PRICE_INVALID')
    }
  })

  it('prints every price on the tick so that it reads back unchanged', () => {
    for (const spec of [gpu, cpu]) {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: MAX_BASE_UNITS / spec.tickSize }), (ticks) => {
          const value = ticks * spec.tickSize
          expect(parsePrice(formatPrice(value, spec), spec)).toBe(value)
        }),
      )
    }
  })
})

describe('parseQuantity', () => {
  it('reads whole units', () => {
    expect(parseQuantity('1', gpu)).toBe(1n)
    expect(parseQuantity('3600', gpu)).toBe(3600n)
    expect(parseQuantity('9007199254740991', qpu)).toBe(MAX_BASE_UNITS)
  })

  it.each([
    ['0', 'zero'],
    ['-1', 'negative'],
    ['1.5', 'fraction'],
    ['1.0', 'fraction'],
    ['1e3', 'exponent'],
    ['', 'empty'],
    ['01', 'leading zero'],
    ['ten', 'not a whole number'],
    [' 1', 'not a whole number'],
    ['9007199254740992', 'exceeds the largest quantity 9007199254740991'],
    ['9'.repeat(41), 'too long'],
  ])('refuses %j (%s)', (text, reason) => {
    const err = refusal(() => parseQuantity(text, gpu))
    expect(err.code).toBe('QUANTITY_INVALID')
    expect(err.message).toContain(reason)
    expect(err.message).toContain('gpu.h100')
  })

  it('refuses a quantity off the lot, naming the lot and the nearest quantities on it', () => {
    const err = refusal(() => parseQuantity('7', { ...gpu, lotSize: 5n }))
    expect(err.code).toBe('QUANTITY_INVALID')
    expect(err.message).toContain('not a multiple of the lot 5 gpu-second; use 5 or 10')
  })
})

describe('formatQuantity', () => {
  it('prints whole units that read back unchanged', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_BASE_UNITS }), (value) => {
        expect(parseQuantity(formatQuantity(value, qpu), qpu)).toBe(value)
      }),
    )
  })

  it('refuses values a quantity cannot take', () => {
    for (const value of [0n, -1n, MAX_BASE_UNITS + 1n]) {
      expect(refusal(() => formatQuantity(value, qpu)).code).toBe('QUANTITY_INVALID')
    }
  })
})
