// Capacity classes name what is sold (`gpu.h100`, `cpu.x86`, `qpu.sim`, `qpu.ibm.brisbane`):
// lowercase dot-separated segments, the first one the kind of hardware.

export const CAPACITY_CLASS_PATTERN = /^(gpu|cpu|qpu)(\.[a-z0-9][a-z0-9-]{0,31}){1,3}$/

export function isCapacityClass(value: string): boolean {
  return CAPACITY_CLASS_PATTERN.test(value)
}
