// What a run consumed, in the unit of the capacity class it ran on, so a job can be charged
// and checked against the capacity bought.
import { classSpec } from '../../ledger/instruments/class-spec.ts'

export interface ComputeUsage {
  /** `gpu.h100`, `cpu.x86`, …: the class the device sells as. */
  readonly capacityClass: string
  /** The class's metering unit: `gpu-second` or `core-second`. */
  readonly unit: string
  /** Device time in that unit: GPU-seconds of one GPU, or core-seconds (wall time x cores used). */
  readonly deviceSeconds: number
  readonly flops: number
  /** The most device memory the job's buffers held at once. */
  readonly peakMemoryBytes: number
}

export function computeUsage(
  capacityClass: string,
  wallMs: number,
  devicesUsed: number,
  flops: number,
  peakMemoryBytes: number,
): ComputeUsage {
  return {
    capacityClass,
    unit: classSpec(capacityClass).unit,
    // Microseconds: finer than any clock a charge is based on.
    deviceSeconds: Math.round(wallMs * 1000 * devicesUsed) / 1e6,
    flops,
    peakMemoryBytes,
  }
}
