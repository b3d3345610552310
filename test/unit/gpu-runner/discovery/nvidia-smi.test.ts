import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  NVIDIA_SMI_ARGS,
  NvidiaSmiFormatError,
  parseNvidiaSmiCsv,
  queryNvidiaSmi,
} from '../../../../gpu-runner/discovery/nvidia-smi.ts'

// Output in the shape `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,
// utilization.gpu,driver_version --format=csv,noheader,nounits` prints.
const H100 = '0, GPU-6f1d2c1e-9a4b-4c55-8d1e-2b3c4d5e6f70, NVIDIA H100 80GB HBM3, 81559, 4, 0, 550.54.15\n'
const TWO_GPUS =
  '0, GPU-0a1b2c3d-0000-1111-2222-333344445555, NVIDIA A100-SXM4-40GB, 40960, 1024, 37, 535.183.01\n' +
  '1, GPU-9f8e7d6c-0000-1111-2222-333344445555, NVIDIA GeForce RTX 4090, 24564, 812, 100, 535.183.01\n'
const NA_UTILISATION =
  '0, GPU-1234abcd-0000-1111-2222-333344445555, NVIDIA A10G, 23028, [N/A], [N/A], 535.104.05\n'

const scratch = mkdtempSync(join(tmpdir(), 'hcx-nvidia-smi-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A stand-in nvidia-smi: a shell script that records its arguments and runs `body`. */
function fakeNvidiaSmi(name: string, body: string): string {
  const file = join(scratch, name)
  writeFileSync(file, `#!/bin/sh\necho "$@" > "${file}.args"\n${body}\n`)
  chmodSync(file, 0o755)
  return file
}

describe('parseNvidiaSmiCsv', () => {
  it('reads an H100 with its memory in bytes and its capacity class', () => {
    expect(parseNvidiaSmiCsv(H100)).toEqual([
      {
        index: 0,
        uuid: 'GPU-6f1d2c1e-9a4b-4c55-8d1e-2b3c4d5e6f70',
        name: 'NVIDIA H100 80GB HBM3',
        memoryTotalBytes: 81559 * 2 ** 20,
        memoryUsedBytes: 4 * 2 ** 20,
        utilizationPercent: 0,
        driverVersion: '550.54.15',
        capacityClass: 'gpu.h100',
      },
    ])
  })

  it('reads two GPUs of different models, one line each', () => {
    const gpus = parseNvidiaSmiCsv(TWO_GPUS)
    expect(gpus.map((gpu) => [gpu.index, gpu.capacityClass, gpu.utilizationPercent])).toEqual([
      [0, 'gpu.a100', 37],
      [1, 'gpu.rtx-4090', 100],
    ])
  })

  it('reads [N/A] fields as null', () => {
    const [gpu] = parseNvidiaSmiCsv(NA_UTILISATION)
    expect(gpu).toMatchObject({ memoryUsedBytes: null, utilizationPercent: null, capacityClass: 'gpu.a10' })
    expect(parseNvidiaSmiCsv('0, GPU-x, Tesla T4, [Not Supported], 0, 0, [N/A]')[0]).toMatchObject({
      memoryTotalBytes: null,
      driverVersion: null,
    })
  })

  it('skips blank lines and Windows line ends; empty output lists no GPUs', () => {
    expect(parseNvidiaSmiCsv(`\r\n${H100.replace('\n', '\r\n')}\n`)).toHaveLength(1)
    expect(parseNvidiaSmiCsv('')).toEqual([])
  })

  it('rejects malformed lines, naming the line and what is wrong', () => {
    const cases: [string, RegExp][] = [
      [
        'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.',
        /line 1: expected 7/,
      ],
      [`${H100}0, GPU-x, H100, 81559, 4, 0`, /line 2: expected 7 comma-separated fields .* found 6/],
      ['zero, GPU-x, H100, 81559, 4, 0, 550', /index "zero" is not a whole number/],
      ['0, [N/A], H100, 81559, 4, 0, 550', /has no uuid/],
      ['0, GPU-x, , 81559, 4, 0, 550', /has no name/],
      ['0, GPU-x, H100, 80 GiB, 4, 0, 550', /memory.total "80 GiB" is not a number of MiB/],
      ['0, GPU-x, H100, 81559, 4, 250, 550', /utilization.gpu "250" is not a percentage/],
    ]
    for (const [text, message] of cases) {
      expect(() => parseNvidiaSmiCsv(text)).toThrow(NvidiaSmiFormatError)
      expect(() => parseNvidiaSmiCsv(text)).toThrow(message)
    }
  })
})

describe('queryNvidiaSmi', () => {
  it('asks for the documented fields and parses the answer', async () => {
    const binary = fakeNvidiaSmi('two', `printf '%s' '${TWO_GPUS}'`)
    const report = await queryNvidiaSmi({ binary })
    expect(report.reason).toBeUndefined()
    expect(report.gpus.map((gpu) => gpu.name)).toEqual(['NVIDIA A100-SXM4-40GB', 'NVIDIA GeForce RTX 4090'])
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(`${binary}.args`, 'utf8').trim()).toBe(NVIDIA_SMI_ARGS.join(' '))
  })

  it('reports a missing nvidia-smi as no GPUs and a reason, not an error', async () => {
    const report = await queryNvidiaSmi({ binary: join(scratch, 'absent-nvidia-smi') })
    expect(report.gpus).toEqual([])
    expect(report.reason).toMatch(/is not installed: no NVIDIA driver/)
  })

  it('reports a failing nvidia-smi with its status and the first line it printed', async () => {
    const binary = fakeNvidiaSmi(
      'failing',
      'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."\nexit 9',
    )
    const report = await queryNvidiaSmi({ binary })
    expect(report).toEqual({
      gpus: [],
      reason: `${binary} exited with status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.`,
    })
  })

  it('gives up on an nvidia-smi that does not answer in time', async () => {
    const binary = fakeNvidiaSmi('hanging', 'exec sleep 5')
    const report = await queryNvidiaSmi({ binary, timeoutMs: 200 })
    expect(report.reason).toMatch(/did not answer within 200 ms/)
  })

  it('reports output it cannot read as a reason', async () => {
    const binary = fakeNvidiaSmi('garbage', "echo 'index, uuid, name'")
    const report = await queryNvidiaSmi({ binary })
    expect(report.gpus).toEqual([])
    expect(report.reason).toMatch(/printed output hcx cannot read: nvidia-smi output line 1/)
  })

  it('says so when nvidia-smi lists no GPUs', async () => {
    const report = await queryNvidiaSmi({ binary: fakeNvidiaSmi('empty', 'true') })
    expect(report).toMatchObject({ gpus: [], reason: expect.stringMatching(/listed no GPUs/) })
  })
})
