import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { cpuCapacityClass } from '../../../../gpu-runner/discovery/capacity-class.ts'
import { type BackendReport, capacityOffers, discover } from '../../../../gpu-runner/discovery/discover.ts'
import type { NvidiaGpu } from '../../../../gpu-runner/discovery/nvidia-smi.ts'
import { hasCudaEngine } from '../../../helpers/cuda-engine.ts'

const ABSENT_NVIDIA_SMI = '/nonexistent/nvidia-smi'

function gpu(index: number, name: string, capacityClass: string): NvidiaGpu {
  return {
    index,
    uuid: `GPU-${index}`,
    name,
    memoryTotalBytes: null,
    memoryUsedBytes: null,
    utilizationPercent: null,
    driverVersion: null,
    capacityClass,
  }
}

function available(
  id: BackendReport['id'],
  capacityClass: string,
  units: number,
  gflops?: number,
): BackendReport {
  return {
    id,
    available: true,
    device: { name: id, capacityClass, units },
    ...(gflops === undefined ? {} : { calibration: { backend: id, n: 512, gflops, deviceMs: 1 } }),
  }
}

describe('discover on this machine', () => {
  it('lists the CPU and the backends, with cuda unavailable until the GPU is allowed', async () => {
    const report = await discover({ allowGpu: false, calibrate: false, nvidiaSmi: ABSENT_NVIDIA_SMI })
    expect(report.cpu).toMatchObject({
      logicalCores: availableParallelism(),
      capacityClass: cpuCapacityClass(),
    })
    expect(report.nvidia.gpus).toEqual([])
    expect(report.nvidia.reason).toMatch(/not installed/)
    expect(report.backends.map((backend) => backend.id)).toEqual(['cpu', 'webgpu', 'cuda'])
    expect(report.backends.find((backend) => backend.id === 'cpu')).toMatchObject({
      available: true,
      device: { capacityClass: cpuCapacityClass(), units: availableParallelism() },
    })
    expect(report.backends.find((backend) => backend.id === 'cuda')).toEqual({
      id: 'cuda',
      available: false,
      reason: 'start with --allow-gpu',
    })
    expect(Array.isArray(report.webgpu)).toBe(true)
    for (const adapter of report.webgpu) expect(adapter.capacityClass).toMatch(/^(cpu|gpu)\./)
    expect(report.capacity.find((offer) => offer.capacityClass === cpuCapacityClass())).toMatchObject({
      unit: 'core-second',
      units: availableParallelism(),
      gflops: null,
      tflopSecondsPerSecond: null,
    })
  })

  it('calibrates the backends it opens and prices the CPU offer from the measurement', async () => {
    const report = await discover({ allowGpu: false, calibrate: true, nvidiaSmi: ABSENT_NVIDIA_SMI })
    const cpu = report.backends.find((backend) => backend.id === 'cpu')
    expect(cpu?.calibration).toMatchObject({ backend: 'cpu', n: 512 })
    expect(cpu?.calibration?.gflops).toBeGreaterThan(0)
    const offer = report.capacity.find((entry) => entry.capacityClass === cpuCapacityClass())
    expect(offer?.gflops).toBeGreaterThan(0)
    // The report goes out as JSON (hcx gpu list --json) unchanged.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })

  it.skipIf(hasCudaEngine)('probes cuda when allowed and says why it cannot run here', async () => {
    const report = await discover({ allowGpu: true, calibrate: false, nvidiaSmi: ABSENT_NVIDIA_SMI })
    const cuda = report.backends.find((backend) => backend.id === 'cuda')
    expect(cuda?.available).toBe(false)
    expect(cuda?.reason).toMatch(/torch: .*cupy: /)
  })

  it('stops when its signal aborts', async () => {
    const aborted = AbortSignal.abort(new Error('stop discovery'))
    await expect(discover({ allowGpu: false, calibrate: true, signal: aborted })).rejects.toThrow(
      'stop discovery',
    )
  })
})

describe('capacityOffers', () => {
  it('offers every GPU of a class the driver lists, scaled from the one GPU measured', () => {
    const nvidia = {
      gpus: [gpu(0, 'NVIDIA H100 80GB HBM3', 'gpu.h100'), gpu(1, 'NVIDIA H100 80GB HBM3', 'gpu.h100')],
    }
    const offers = capacityOffers([available('cuda', 'gpu.h100', 1, 40_000)], nvidia)
    expect(offers).toEqual([
      {
        capacityClass: 'gpu.h100',
        unit: 'gpu-second',
        units: 2,
        gflops: 40_000,
        tflopSecondsPerSecond: 80,
        measuredBy: 'cuda',
      },
    ])
  })

  it('lets the fastest backend stand for a class several reach, and skips unavailable ones', () => {
    const offers = capacityOffers(
      [
        available('cpu', 'cpu.x86', 16, 400),
        available('webgpu', 'cpu.x86', 16, 20),
        available('webgpu', 'gpu.h100', 1, 9_000),
        available('cuda', 'gpu.h100', 1, 45_000),
        { id: 'cuda', available: false, reason: 'start with --allow-gpu' },
      ],
      { gpus: [] },
    )
    expect(
      offers.map((offer) => [
        offer.capacityClass,
        offer.measuredBy,
        offer.units,
        offer.tflopSecondsPerSecond,
      ]),
    ).toEqual([
      ['cpu.x86', 'cpu', 16, 0.4],
      ['gpu.h100', 'cuda', 1, 45],
    ])
  })

  it('offers uncalibrated devices with no throughput rather than a guess', () => {
    expect(capacityOffers([available('cpu', 'cpu.arm64', 8)], { gpus: [] })).toEqual([
      {
        capacityClass: 'cpu.arm64',
        unit: 'core-second',
        units: 8,
        gflops: null,
        tflopSecondsPerSecond: null,
        measuredBy: 'cpu',
      },
    ])
  })
})
