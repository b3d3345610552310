import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MATRIX_HEADER_BYTES, writeMatrixFile } from '../../gpu-runner/matrix/format.ts'
import { matrix } from '../../gpu-runner/matrix/matrix.ts'
import { expectCleanFailure, HcxProcesses } from '../helpers/hcx-process.ts'
import {
  byteShiftModule,
  importingModule,
  infiniteLoopModule,
  memoryBombModule,
} from '../helpers/wasm-modules.ts'

interface RunOutput {
  backend: string
  n: number
  outputHash: string
  durationMs: number
  gflops: number
  usage: {
    capacityClass: string
    unit: string
    deviceSeconds: number
    flops: number
    peakMemoryBytes: number
  }
}

interface VerifyOutput {
  valid: boolean
  rounds: number
  durationMs: number
}

describe('hcx gpu', () => {
  const hcx = new HcxProcesses('hcx-gpu-')
  let dir: string

  beforeAll(async () => {
    dir = await hcx.tempDir()
  })
  afterAll(() => hcx.cleanup())

  const matmul = (n: number, seed: number, out: string, ...more: string[]) =>
    hcx.json<RunOutput>([
      'gpu',
      'run',
      '--workload',
      'matmul',
      '--n',
      String(n),
      '--seed',
      String(seed),
      '--out',
      out,
      '--json',
      ...more,
    ])
  const verify = (n: number, seed: number, result: string, ...more: string[]) =>
    hcx.run([
      'gpu',
      'verify',
      '--workload',
      'matmul',
      '--n',
      String(n),
      '--seed',
      String(seed),
      '--result',
      result,
      '--json',
      ...more,
    ])

  it('multiplies seeded matrices on the cpu backend and prints exactly the documented JSON', async () => {
    const out = join(dir, 'c65.hcxm')
    const run = await matmul(65, 3, out, '--backend', 'cpu')
    expect(Object.keys(run).sort()).toEqual(['backend', 'durationMs', 'gflops', 'n', 'outputHash', 'usage'])
    expect(run).toMatchObject({ backend: 'cpu', n: 65 })
    expect(run.usage).toMatchObject({ capacityClass: 'cpu.x86', unit: 'core-second', flops: 2 * 65 ** 3 })
    expect(run.usage.peakMemoryBytes).toBe(3 * 65 * 65 * 4)
    expect(run.gflops).toBeGreaterThan(0)
    // The output hash is the SHA-256 of the file written.
    expect(
      createHash('sha256')
        .update(await readFile(out))
        .digest('hex'),
    ).toBe(run.outputHash)
  })

  it('gives the same output hash for the same seed on every backend, and another for another seed', async () => {
    const cpu = await matmul(70, 9, join(dir, 'cpu70.hcxm'), '--backend', 'cpu')
    const other = await matmul(70, 10, join(dir, 'other70.hcxm'), '--backend', 'cpu')
    // Dawn writes warnings of its own to stderr on software adapters (lavapipe's oversized
    // limits), so this run's stdout is read alone.
    const result = await hcx.run([
      'gpu',
      'run',
      '--workload',
      'matmul',
      '--n',
      '70',
      '--seed',
      '9',
      '--backend',
      'webgpu',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Warning: '))).toEqual(
      [],
    )
    const webgpu = JSON.parse(result.stdout) as RunOutput
    expect(webgpu.backend).toBe('webgpu')
    expect(webgpu.outputHash).toBe(cpu.outputHash)
    expect(other.outputHash).not.toBe(cpu.outputHash)
  })

  it('verifies a correct product with one round by default, and honours --rounds', async () => {
    const out = join(dir, 'c100.hcxm')
    await matmul(100, 4, out, '--backend', 'cpu')
    const result = await verify(100, 4, out)
    expect(result.code).toBe(0)
    const outcome = JSON.parse(result.stdout) as VerifyOutput
    expect(Object.keys(outcome).sort()).toEqual(['durationMs', 'rounds', 'valid'])
    expect(outcome).toMatchObject({ valid: true, rounds: 1 })
    const three = JSON.parse((await verify(100, 4, out, '--rounds', '3')).stdout) as VerifyOutput
    expect(three).toMatchObject({ valid: true, rounds: 3 })
  })

  it('rejects a product with one wrong element, and the product of other inputs, exiting 1', async () => {
    const out = join(dir, 'c90.hcxm')
    await matmul(90, 5, out, '--backend', 'cpu')
    const tampered = join(dir, 'tampered.hcxm')
    const bytes = await readFile(out)
    const at = MATRIX_HEADER_BYTES + 4 * (37 * 90 + 58)
    bytes.writeFloatLE(bytes.readFloatLE(at) + 1, at)
    await writeFile(tampered, bytes)
    for (const result of [await verify(90, 5, tampered), await verify(90, 6, out)]) {
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, rounds: 1 })
      expect(result.stderr).toMatch(
        /^error GPU_RESULT_INVALID: .* is not the product of the seed-\d+ 90x90 inputs: do not accept or pay for it/,
      )
    }
  })

  it('multiplies input files and verifies the result against them, exactly or within float32 rounding', async () => {
    const real = (rows: number, cols: number, phase: number) =>
      matrix(
        rows,
        cols,
        Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.7 + phase)),
      )
    const whole = (rows: number, cols: number) =>
      matrix(
        rows,
        cols,
        Float32Array.from({ length: rows * cols }, (_, i) => (i % 13) - 6),
      )
    for (const [name, a, b] of [
      ['real', real(37, 21, 0), real(21, 15, 1)],
      ['whole', whole(37, 21), whole(21, 15)],
    ] as const) {
      const aFile = join(dir, `${name}-a.hcxm`)
      const bFile = join(dir, `${name}-b.hcxm`)
      const cFile = join(dir, `${name}-c.hcxm`)
      writeMatrixFile(aFile, a)
      writeMatrixFile(bFile, b)
      const run = await hcx.json<RunOutput>([
        'gpu',
        'run',
        '--workload',
        'matmul',
        '--a',
        aFile,
        '--b',
        bFile,
        '--out',
        cFile,
        '--backend',
        'cpu',
        '--json',
      ])
      expect(run).toMatchObject({ n: 37, usage: { flops: 2 * 37 * 21 * 15 } })
      const args = ['gpu', 'verify', '--workload', 'matmul', '--a', aFile, '--b', bFile, '--json']
      const good = await hcx.run([...args, '--result', cFile])
      expect(JSON.parse(good.stdout)).toMatchObject({ valid: true, rounds: 1 })
      const bytes = await readFile(cFile)
      const at = MATRIX_HEADER_BYTES + 4 * (5 * 15 + 7)
      bytes.writeFloatLE(bytes.readFloatLE(at) + 2, at)
      await writeFile(cFile, bytes)
      const bad = await hcx.run([...args, '--result', cFile])
      expect(bad.code).toBe(1)
      expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false })
    }
    const mixed = await hcx.run([
      'gpu',
      'verify',
      '--workload',
      'matmul',
      '--n',
      '4',
      '--a',
      join(dir, 'real-a.hcxm'),
      '--b',
      join(dir, 'real-b.hcxm'),
      '--result',
      join(dir, 'real-c.hcxm'),
    ])
    expectCleanFailure(mixed, 'CLI_USAGE', { exitCode: 2 })
  })

  it('refuses a result file of another shape or format with exit 2', async () => {
    const out = join(dir, 'c40.hcxm')
    await matmul(40, 1, out, '--backend', 'cpu')
    const wrongShape = await hcx.run([
      'gpu',
      'verify',
      '--workload',
      'matmul',
      '--n',
      '41',
      '--seed',
      '1',
      '--result',
      out,
      '--json',
    ])
    expectCleanFailure(wrongShape, 'GPU_BAD_MATRIX_FILE', { exitCode: 2 })
    expect(wrongShape.stderr).toMatch(/holds a 40x40 matrix where a 41x41 one was expected/)
    const garbage = join(dir, 'garbage.hcxm')
    await writeFile(garbage, 'not a matrix at all, just text')
    expectCleanFailure(
      await hcx.run([
        'gpu',
        'verify',
        '--workload',
        'matmul',
        '--n',
        '4',
        '--seed',
        '1',
        '--result',
        garbage,
      ]),
      'GPU_BAD_MATRIX_FILE',
      { exitCode: 2 },
    )
  })

  it('starts the cuda backend only with --allow-gpu', async () => {
    const result = await hcx.run([
      'gpu',
      'run',
      '--workload',
      'matmul',
      '--n',
      '8',
      '--backend',
      'cuda',
      '--json',
    ])
    expectCleanFailure(result, 'GPU_NOT_ALLOWED', { exitCode: 1 })
    expect(result.stderr).toMatch(/pass --allow-gpu/)
  })

  it.each([
    [['gpu', 'run', '--workload', 'matmul', '--json'], /--n is required/],
    [
      ['gpu', 'run', '--workload', 'fft', '--n', '4'],
      /--workload 'fft' is not a workload; use one of matmul, wasm/,
    ],
    [['gpu', 'run', '--workload', 'matmul', '--n', '0'], /--n '0' must be a positive integer/],
    [
      ['gpu', 'run', '--workload', 'matmul', '--n', '8', '--backend', 'tpu'],
      /--backend 'tpu' is not a backend/,
    ],
    [
      ['gpu', 'run', '--workload', 'matmul', '--n', '8', '--seed', '-1'],
      /--seed '-1' must be a non-negative integer/,
    ],
    [['gpu', 'verify', '--workload', 'matmul', '--n', '8', '--seed', '1'], /--result is required/],
    [['gpu', 'verify', '--workload', 'wasm', '--n', '8'], /verified by running it again/],
  ])('refuses %j with a usage error', async (args, message) => {
    const result = await hcx.run(args)
    expectCleanFailure(result, 'CLI_USAGE', { exitCode: 2 })
    expect(result.stderr).toMatch(message)
  })

  it('does not overwrite --out without --force', async () => {
    const out = join(dir, 'kept.hcxm')
    await writeFile(out, 'keep me')
    const result = await hcx.run(['gpu', 'run', '--workload', 'matmul', '--n', '8', '--out', out, '--json'])
    expectCleanFailure(result, 'CLI_OUTPUT_EXISTS')
    expect(await readFile(out, 'utf8')).toBe('keep me')
  })

  it('prints a readable summary without --json', async () => {
    const result = await hcx.run(['gpu', 'run', '--workload', 'matmul', '--n', '32', '--backend', 'cpu'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^32x32 matmul \(seed 0\) on cpu \(.+\): [\d.]+ ms, [\d.]+ GFLOP\/s\noutput sha256 [0-9a-f]{64}\n/,
    )
  })

  it('lists the machine: CPU, GPUs, adapters, backends with their calibration, and what it can sell', async () => {
    const result = await hcx.run(['gpu', 'list', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as {
      cpu: { logicalCores: number; capacityClass: string }
      nvidia: { gpus: unknown[] }
      backends: { id: string; available: boolean; reason?: string; calibration?: { gflops: number } }[]
      capacity: { capacityClass: string; unit: string; gflops: number | null }[]
    }
    expect(report.cpu.logicalCores).toBeGreaterThan(0)
    expect(report.backends.map((backend) => backend.id)).toEqual(['cpu', 'webgpu', 'cuda'])
    const cpu = report.backends.find((backend) => backend.id === 'cpu')
    expect(cpu?.available).toBe(true)
    expect(cpu?.calibration?.gflops).toBeGreaterThan(0)
    expect(report.backends.find((backend) => backend.id === 'cuda')?.reason).toMatch(/--allow-gpu/)
    expect(report.capacity).toContainEqual(
      expect.objectContaining({ capacityClass: report.cpu.capacityClass, unit: 'core-second' }),
    )
  })

  describe('--workload wasm', () => {
    const wasmFile = async (name: string, bytes: Uint8Array) => {
      const path = join(dir, name)
      await writeFile(path, bytes)
      return path
    }
    const runWasm = (...args: string[]) => hcx.run(['gpu', 'run', '--workload', 'wasm', '--module', ...args])

    it('runs a module on its input and prints the output hash, fuel and usage', async () => {
      const module = await wasmFile('shift.wasm', byteShiftModule(1))
      const input = await wasmFile('input.bin', Buffer.from('HAL'))
      const out = join(dir, 'shift.out')
      const args = ['gpu', 'run', '--workload', 'wasm', '--module', module, '--input', input, '--json']
      const run = await hcx.json<{
        outputHash: string
        outputBytes: number
        fuelUsed: number
        usage: { unit: string }
      }>([...args, '--out', out])
      expect(await readFile(out, 'utf8')).toBe('IBM')
      expect(run.outputHash).toBe(createHash('sha256').update('IBM').digest('hex'))
      expect(run).toMatchObject({ outputBytes: 3, usage: { unit: 'core-second' } })
      expect(run.fuelUsed).toBeGreaterThan(0)
      const again = await hcx.json<{ outputHash: string; fuelUsed: number }>(args)
      expect(again).toMatchObject({ outputHash: run.outputHash, fuelUsed: run.fuelUsed })
    })

    it('stops an endless loop at the fuel limit', async () => {
      const module = await wasmFile('loop.wasm', infiniteLoopModule())
      const result = await runWasm(module, '--fuel', '1000000')
      expectCleanFailure(result, 'WASM_OUT_OF_FUEL', { exitCode: 1 })
      expect(result.stderr).toMatch(/--fuel/)
    })

    it('stops a memory bomb at the memory limit', async () => {
      const module = await wasmFile('bomb.wasm', memoryBombModule())
      const result = await runWasm(module, '--memory-mb', '4', '--fuel', '10000000')
      // Growth past 4 MiB is refused, so the bomb ends up looping over its 64 pages until the fuel runs out.
      expectCleanFailure(result, 'WASM_OUT_OF_FUEL', { exitCode: 1 })
    })

    it('refuses a module that imports what the job does not grant', async () => {
      const module = await wasmFile(
        'wasi.wasm',
        importingModule(
          '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
        ),
      )
      const result = await runWasm(module)
      expectCleanFailure(result, 'WASM_FORBIDDEN_IMPORT', { exitCode: 1 })
      expect(result.stderr).toMatch(/wasi_snapshot_preview1/)
    })

    it('refuses a missing module file with a usage error', async () => {
      const result = await runWasm(join(dir, 'absent.wasm'))
      expectCleanFailure(result, 'CLI_USAGE', { exitCode: 2 })
      expect(result.stderr).toMatch(/cannot be read \(ENOENT\)/)
    })
  })
})
