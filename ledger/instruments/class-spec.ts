// The trading parameters of a capacity class: the unit it is metered in, and the price tick and
// quantity lot that every order on it must respect.
import { CAPACITY_CLASS_PATTERN } from './capacity-class.ts'
import { clipInput, InstrumentError, quoteInput } from './errors.ts'

/** Decimals of the settlement token: a price of 2.5 per unit is 2_500_000n base units. */
export const PRICE_DECIMALS = 6

/** 2^53-1: the matching core stores prices and quantities as safe integers, so nothing above it is accepted. */
export const MAX_BASE_UNITS = 9_007_199_254_740_991n

export interface ClassSpec {
  capacityClass: string
  unit: string
  tickSize: bigint
  lotSize: bigint
  priceDecimals: number
}

// GPU time is cheap per second, so its tick is coarser (0.0001) to keep books from
// fragmenting into sub-cent price levels; CPU seconds and shots price in the token's finest unit.
const FAMILIES: Record<string, { unit: string; tickSize: bigint }> = {
  gpu: { unit: 'gpu-second', tickSize: 100n },
  cpu: { unit: 'core-second', tickSize: 1n },
  qpu: { unit: 'shot', tickSize: 1n },
}

export function classSpec(capacityClass: string): ClassSpec {
  const family =
    typeof capacityClass === 'string' && CAPACITY_CLASS_PATTERN.test(capacityClass)
      ? FAMILIES[capacityClass.slice(0, 3)]
      : undefined
  if (family === undefined) {
    const input = String(capacityClass)
    throw new InstrumentError(
      { code: 'INSTRUMENT_INVALID', field: 'capacityClass', input: clipInput(input) },
      `capacity class ${quoteInput(input)} is not valid: write gpu, cpu or qpu followed by one to three ` +
        `lowercase dot-separated segments (${CAPACITY_CLASS_PATTERN}), e.g. gpu.h100 or qpu.ibm.brisbane`,
    )
  }
  return {
    capacityClass,
    unit: family.unit,
    tickSize: family.tickSize,
    lotSize: 1n,
    priceDecimals: PRICE_DECIMALS,
  }
}
