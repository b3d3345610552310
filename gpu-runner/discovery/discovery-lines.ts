// `hcx gpu list` without --json: the discovery report as a few readable lines.
import type { DiscoveryReport } from './discover.ts'

export function discoveryLines(report: DiscoveryReport): string[] {
  const { cpu, nvidia, webgpu } = report
  const gib = (bytes: number | null) => (bytes === null ? '?' : `${(bytes / 2 ** 30).toFixed(1)} GiB`)
  return [
    `cpu     ${cpu.model}, ${cpu.logicalCores} logical cores, ${gib(cpu.memoryBytes)} (${cpu.capacityClass})`,
    ...(nvidia.gpus.length === 0
      ? [`nvidia  none: ${nvidia.reason ?? 'nvidia-smi lists no GPU'}`]
      : nvidia.gpus.map(
          (gpu) =>
            `nvidia  #${gpu.index} ${gpu.name}, ${gib(gpu.memoryTotalBytes)}, ` +
            `${gpu.utilizationPercent === null ? '?' : gpu.utilizationPercent}% busy (${gpu.capacityClass})`,
        )),
    ...(webgpu.length === 0
      ? ['webgpu  no adapter']
      : webgpu.map(
          (adapter) =>
            `webgpu  ${adapter.description || adapter.device || adapter.vendor}${adapter.fallback ? ' (software)' : ''} (${adapter.capacityClass})`,
        )),
    ...report.backends.map((backend) =>
      backend.available
        ? `backend ${backend.id.padEnd(7)}${backend.device?.name ?? ''}` +
          (backend.calibration === undefined
            ? ''
            : `: ${backend.calibration.gflops.toFixed(1)} GFLOP/s at n = ${backend.calibration.n}`)
        : `backend ${backend.id.padEnd(7)}unavailable: ${backend.reason ?? ''}`,
    ),
    ...report.capacity.map(
      (offer) =>
        `sells   ${offer.units} ${offer.unit}${offer.units === 1 ? '' : 's'} per second of ${offer.capacityClass}` +
        (offer.tflopSecondsPerSecond === null
          ? ''
          : `, ${offer.tflopSecondsPerSecond.toFixed(3)} TFLOP/s float32 in all`),
    ),
  ]
}
