import { describe, expect, it } from 'vitest'
import { CAPACITY_CLASS_PATTERN, isCapacityClass } from '../../../../ledger/instruments/capacity-class.ts'
import { classSpec, PRICE_DECIMALS } from '../../../../ledger/instruments/class-spec.ts'
import { InstrumentError } from '../../../../ledger/instruments/errors.ts'
import { expectRefusal } from '../../../helpers/refusal.ts'

const refusal = (run: () => unknown) => expectRefusal(run, InstrumentError)

describe('classSpec', () => {
  it('meters GPU classes in gpu-seconds with a tick of 0.0001', () => {
    expect(classSpec('gpu.h100')).toEqual({
      capacityClass: 'gpu.h100',
      unit: 'gpu-second',
      tickSize: 100n,
      lotSize: 1n,
      priceDecimals: 6,
    })
    expect(classSpec('gpu.any-24g').unit).toBe('gpu-second')
  })

  it('meters CPU classes in core-seconds and QPU classes in shots, both at the finest tick', () => {
    expect(classSpec('cpu.x86')).toMatchObject({ unit: 'core-second', tickSize: 1n, lotSize: 1n })
    expect(classSpec('qpu.sim')).toMatchObject({ unit: 'shot', tickSize: 1n, lotSize: 1n })
    expect(classSpec('qpu.ibm.brisbane')).toMatchObject({ capacityClass: 'qpu.ibm.brisbane', unit: 'shot' })
  })

  it('prices in a settlement token of six decimals', () => {
    expect(PRICE_DECIMALS).toBe(6)
  })

  it.each(['GPU.h100', 'gpu', 'tpu.v5', 'gpu.', 'gpu.h100.a.b.c', '', ' gpu.h100'])(
    'refuses %j with the pattern and an example',
    (bad) => {
      const err = refusal(() => classSpec(bad))
      expect(err.code).toBe('INSTRUMENT_INVALID')
      expect(err.type).toMatchObject({ field: 'capacityClass', input: bad })
      expect(err.message).toContain(JSON.stringify(bad))
      expect(err.message).toContain(String(CAPACITY_CLASS_PATTERN))
      expect(err.message).toContain('gpu.h100')
    },
  )

  it('keeps the capacity class pattern as the single rule of class names', () => {
    expect(isCapacityClass('qpu.ibm.brisbane')).toBe(true)
    expect(CAPACITY_CLASS_PATTERN.test('gpu.H100')).toBe(false)
  })
})
