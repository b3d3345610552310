// The CPU this machine can sell core-seconds of, read from the operating system.
import { arch, availableParallelism, cpus, totalmem } from 'node:os'
import { cpuCapacityClass } from './capacity-class.ts'

export interface CpuInfo {
  /** The model string the OS reports, e.g. `AMD EPYC 7B13`. */
  readonly model: string
  /** Logical cores (hardware threads) this process may use: what a cpu-class offer sells. */
  readonly logicalCores: number
  /** Node's name for the architecture: `x64`, `arm64`, … */
  readonly architecture: string
  readonly memoryBytes: number
  readonly capacityClass: string
}

export function describeCpu(): CpuInfo {
  const architecture = arch()
  return {
    // Some virtual machines and containers report no model; say so rather than leave it blank.
    model: cpus()[0]?.model.trim() || 'unknown CPU',
    logicalCores: availableParallelism(),
    architecture,
    memoryBytes: totalmem(),
    capacityClass: cpuCapacityClass(architecture),
  }
}
