// `hcx gpu list` shows what this machine can sell; `hcx gpu run` runs a workload (a seeded
// matrix product or a sandboxed WebAssembly module) and prints its output hash and usage;
// `hcx gpu verify` checks a claimed matrix product with Freivalds' algorithm.

import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { BACKEND_IDS, type MatmulBackend } from '../../../gpu-runner/backends/backend.ts'
import { GpuError } from '../../../gpu-runner/errors.ts'
import { DEFAULT_WASM_LIMITS } from '../../../gpu-runner/workloads/wasm/limits.ts'
import {
  integerOrRaw,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  readBoundedFile,
} from '../common-options.ts'
import { CliError, usageError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'

const WORKLOADS = ['matmul', 'wasm'] as const

interface RunOptions {
  workload: string
  n?: number | string
  seed?: number | string
  a?: string
  b?: string
  backend?: string
  out?: string
  force?: boolean
  allowGpu?: boolean
  module?: string
  input?: string
  entry?: string
  fuel?: number | string
  memoryMb?: number | string
  timeoutMs?: number | string
  outputLimit?: number | string
  json?: boolean
}

interface VerifyOptions {
  workload: string
  n?: number | string
  seed?: number | string
  a?: string
  b?: string
  result?: string
  rounds?: number | string
  json?: boolean
}

/** Larger module and input files are refused before they are read. */
const MAX_WASM_FILE_BYTES = 64 * 2 ** 20

export function registerGpuCommands(program: Command): void {
  const gpu = program.command('gpu').description('compute devices, workloads and their verification')
  gpu
    .command('list')
    .description('list the CPU, GPUs and backends of this machine, measured by a short calibration')
    .option('--allow-gpu', 'also start the CUDA worker to probe NVIDIA GPUs')
    .option('--no-calibrate', 'skip the calibration runs')
    .option('--json', 'print one JSON object')
    .action(async (options: { allowGpu?: boolean; calibrate: boolean; json?: boolean }) => {
      const { discover } = await import('../../../gpu-runner/discovery/discover.ts')
      const report = await discover({ allowGpu: options.allowGpu === true, calibrate: options.calibrate })
      if (options.json === true) printJson(report)
      else {
        const { discoveryLines } = await import('../../../gpu-runner/discovery/discovery-lines.ts')
        printLines(discoveryLines(report))
      }
    })
  gpu
    .command('run')
    .description('run a workload and print its output hash, time and usage')
    .requiredOption('--workload <kind>', `what to run: ${WORKLOADS.join(', ')}`)
    .option('--n <n>', 'matmul: the matrices are n x n', integerOrRaw)
    .option('--seed <s>', 'matmul: seed of the inputs (0 to 4294967295; default 0)', integerOrRaw)
    .option('--a <file>', 'matmul: A in the matrix file format, instead of --n and --seed')
    .option('--b <file>', 'matmul: B in the matrix file format, with --a')
    .option(
      '--backend <id>',
      `matmul: where to multiply (${BACKEND_IDS.join(', ')}); the fastest allowed by default`,
    )
    .option('--out <file>', 'write the result (matmul: the matrix file format; wasm: the output bytes)')
    .option('--force', 'overwrite --out if it exists')
    .option('--allow-gpu', 'allow the CUDA worker to start')
    .option('--module <file>', 'wasm: the WebAssembly module')
    .option('--input <file>', 'wasm: the input bytes the module reads')
    .option('--entry <name>', 'wasm: the exported function to run', 'run')
    .option('--fuel <n>', `wasm: instruction budget (default ${DEFAULT_WASM_LIMITS.fuel})`, integerOrRaw)
    .option(
      '--memory-mb <n>',
      `wasm: memory limit in MiB (default ${DEFAULT_WASM_LIMITS.memoryBytes / 2 ** 20})`,
      integerOrRaw,
    )
    .option(
      '--timeout-ms <n>',
      `wasm: wall-clock limit (default ${DEFAULT_WASM_LIMITS.timeMs})`,
      integerOrRaw,
    )
    .option(
      '--output-limit <bytes>',
      `wasm: the most output the module may write (default ${DEFAULT_WASM_LIMITS.outputBytes})`,
      integerOrRaw,
    )
    .option('--json', 'print one JSON object')
    .action(async (options: RunOptions) => {
      const workload = oneOf('--workload', 'workload', options.workload, WORKLOADS)
      if (options.out !== undefined && options.force !== true && existsSync(options.out)) {
        throw new CliError(
          { code: 'CLI_OUTPUT_EXISTS', path: options.out },
          `${options.out} exists; pass --force to overwrite it or choose another --out`,
        )
      }
      if (workload === 'matmul') await runMatmul(options)
      else await runWasm(options)
    })
  gpu
    .command('verify')
    .description("check a claimed seeded matrix product with Freivalds' algorithm, in O(n^2)")
    .requiredOption('--workload <kind>', 'what to verify: matmul')
    .option('--n <n>', 'the matrices are n x n', integerOrRaw)
    .option('--seed <s>', 'seed the inputs were generated from', integerOrRaw)
    .option('--a <file>', 'A in the matrix file format, instead of --n and --seed')
    .option('--b <file>', 'B in the matrix file format, with --a')
    .option('--result <file>', 'the claimed product, in the matrix file format')
    .option(
      '--rounds <k>',
      'independent rounds; by default the fewest that make a false accept at most 2^-20',
      integerOrRaw,
    )
    .option('--json', 'print one JSON object')
    .action(async (options: VerifyOptions) => {
      if (oneOf('--workload', 'workload', options.workload, WORKLOADS) !== 'matmul') {
        throw usageError(
          'only --workload matmul can be verified by a check; a wasm result is verified by running it again',
        )
      }
      const inputs = productInputs(options)
      const resultFile = required('--result', options.result, (_flag, value) => value)
      const rounds = options.rounds === undefined ? undefined : positiveInteger('--rounds', options.rounds)
      const { verifyProduct } = await import('../../../gpu-runner/verify/verify-product.ts')
      const { FreivaldsVerifier } = await import('../../../gpu-runner/verify/freivalds.ts')
      const verifier = new FreivaldsVerifier()
      try {
        const outcome = await verifyProduct(
          { inputs, resultFile, ...(rounds === undefined ? {} : { rounds }) },
          verifier,
        )
        const durationMs = round3(outcome.durationMs)
        const of =
          'seed' in inputs
            ? `the seed-${inputs.seed} ${inputs.n}x${inputs.n} inputs`
            : `${inputs.aFile} x ${inputs.bFile}`
        if (options.json === true) printJson({ valid: outcome.valid, rounds: outcome.rounds, durationMs })
        else {
          printLines([
            `${outcome.valid ? 'valid' : 'INVALID'}: ${resultFile} ${outcome.valid ? 'is' : 'is not'} the product of ${of} ` +
              `(${outcome.rounds} round${outcome.rounds === 1 ? '' : 's'}, false accept at most 2^${outcome.falseAcceptLog2}, ${durationMs} ms)`,
          ])
        }
        if (!outcome.valid) {
          throw new GpuError(
            { code: 'GPU_RESULT_INVALID', file: resultFile },
            `${resultFile} is not the product of ${of}: do not accept or pay for it`,
          )
        }
      } finally {
        await verifier.close()
      }
    })
}

/** Seeded inputs (--n, --seed) or input files (--a, --b), never a mix. */
function productInputs(options: {
  n?: number | string
  seed?: number | string
  a?: string
  b?: string
}): { seed: number; n: number } | { aFile: string; bFile: string } {
  if (options.a !== undefined || options.b !== undefined) {
    if (options.n !== undefined || options.seed !== undefined) {
      throw usageError('give either --n and --seed or --a and --b, not both')
    }
    return {
      aFile: required('--a', options.a, (_flag, value) => value),
      bFile: required('--b', options.b, (_flag, value) => value),
    }
  }
  return {
    n: required('--n', options.n, positiveInteger),
    seed: required('--seed', options.seed, nonNegativeInteger),
  }
}

async function runMatmul(options: RunOptions): Promise<void> {
  const inputs = productInputs({
    ...options,
    seed: options.seed ?? (options.a === undefined ? 0 : undefined),
  })
  const backendId =
    options.backend === undefined ? undefined : oneOf('--backend', 'backend', options.backend, BACKEND_IDS)
  const { openBackend, openPreferredBackend } = await import('../../../gpu-runner/backends/open-backend.ts')
  const backendOptions = { allowGpu: options.allowGpu === true }
  const backend: MatmulBackend =
    backendId === undefined
      ? await openPreferredBackend(backendOptions)
      : await openBackend(backendId, backendOptions)
  try {
    const { checkHostMemory, runMatmulJob } = await import('../../../gpu-runner/workloads/matmul.ts')
    const { readMatrixFile, readMatrixShape } = await import('../../../gpu-runner/matrix/format.ts')
    if (!('seed' in inputs)) {
      const [a, b] = [readMatrixShape(inputs.aFile), readMatrixShape(inputs.bFile)]
      checkHostMemory(a.rows, a.cols, b.cols)
    }
    const job =
      'seed' in inputs ? inputs : { a: readMatrixFile(inputs.aFile), b: readMatrixFile(inputs.bFile) }
    const result = await runMatmulJob(backend, job)
    const n = result.c.rows
    if (options.out !== undefined) {
      const { writeMatrixFile } = await import('../../../gpu-runner/matrix/format.ts')
      writeMatrixFile(options.out, result.c)
    }
    const durationMs = round3(result.durationMs)
    const gflops = round3(result.gflops)
    if (options.json === true) {
      printJson({
        backend: result.backend,
        n,
        outputHash: result.outputHash,
        durationMs,
        gflops,
        usage: result.usage,
      })
    } else {
      printLines([
        `${n}x${result.c.cols} matmul (${'seed' in inputs ? `seed ${inputs.seed}` : `${inputs.aFile} x ${inputs.bFile}`}) on ${result.backend} (${backend.device.name}): ${durationMs} ms, ${gflops} GFLOP/s`,
        `output sha256 ${result.outputHash}${options.out === undefined ? '' : `, written to ${options.out}`}`,
        `usage: ${result.usage.deviceSeconds.toFixed(6)} ${result.usage.unit} of ${result.usage.capacityClass}, ` +
          `${result.usage.flops} FLOPs, ${result.usage.peakMemoryBytes} bytes peak`,
      ])
    }
  } finally {
    await backend.close()
  }
}

async function runWasm(options: RunOptions): Promise<void> {
  const moduleFile = required('--module', options.module, (_flag, value) => value)
  const module = readBoundedFile(moduleFile, MAX_WASM_FILE_BYTES, `--module ${moduleFile}`, 'files')
  const input =
    options.input === undefined
      ? undefined
      : readBoundedFile(options.input, MAX_WASM_FILE_BYTES, `--input ${options.input}`, 'files')
  const limits = {
    ...(options.fuel === undefined ? {} : { fuel: positiveInteger('--fuel', options.fuel) }),
    ...(options.memoryMb === undefined
      ? {}
      : { memoryBytes: positiveInteger('--memory-mb', options.memoryMb) * 2 ** 20 }),
    ...(options.timeoutMs === undefined
      ? {}
      : { timeMs: positiveInteger('--timeout-ms', options.timeoutMs) }),
  }
  const { runWasmJob } = await import('../../../gpu-runner/workloads/wasm/run-wasm.ts')
  const result = await runWasmJob({
    module,
    ...(input === undefined ? {} : { input }),
    entry: options.entry ?? 'run',
    limits,
  })
  if (options.out !== undefined) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(options.out, result.output)
  }
  const { computeUsage } = await import('../../../gpu-runner/metering/usage.ts')
  const { cpuCapacityClass } = await import('../../../gpu-runner/discovery/capacity-class.ts')
  // The sandbox runs the module on one thread: one core for its duration.
  const usage = computeUsage(cpuCapacityClass(), result.durationMs, 1, 0, result.peakMemoryBytes)
  const durationMs = round3(result.durationMs)
  if (options.json === true) {
    printJson({
      workload: 'wasm',
      moduleHash: result.moduleHash,
      outputHash: result.outputHash,
      outputBytes: result.output.length,
      durationMs,
      fuelUsed: result.fuelUsed,
      usage,
    })
  } else {
    printLines([
      `${moduleFile} ran in ${durationMs} ms using ${result.fuelUsed} fuel and ${result.peakMemoryBytes} bytes of memory`,
      `output sha256 ${result.outputHash} (${result.output.length} bytes)${options.out === undefined ? '' : `, written to ${options.out}`}`,
    ])
  }
}

function required<T, V>(flag: string, value: V | undefined, parse: (flag: string, value: V) => T): T {
  if (value === undefined) throw usageError(`${flag} is required here`)
  return parse(flag, value)
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000
}
