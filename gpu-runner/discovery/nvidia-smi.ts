// NVIDIA GPUs as the driver's own tool lists them. nvidia-smi ships with every NVIDIA driver, so
// asking it needs no Python and no CUDA toolkit; a machine without it simply has no NVIDIA GPUs
// to sell, which is a finding, not an error.
import { execFile } from 'node:child_process'
import { gpuCapacityClass } from './capacity-class.ts'

/** The fields asked for, in this order; `nounits` leaves memory in MiB and utilisation in percent. */
export const NVIDIA_SMI_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'driver_version',
] as const
export const NVIDIA_SMI_ARGS = [
  `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
] as const

const DEFAULT_TIMEOUT_MS = 10_000
/** nvidia-smi prints one short line per GPU; anything far larger is not its output. */
const MAX_OUTPUT_BYTES = 1 << 20
const MIB = 1024 * 1024

export interface NvidiaGpu {
  readonly index: number
  readonly uuid: string
  readonly name: string
  /** null where nvidia-smi reports the value as unavailable (`[N/A]`, `[Not Supported]`). */
  readonly memoryTotalBytes: number | null
  readonly memoryUsedBytes: number | null
  readonly utilizationPercent: number | null
  readonly driverVersion: string | null
  readonly capacityClass: string
}

export interface NvidiaSmiReport {
  readonly gpus: NvidiaGpu[]
  /** Why no GPU is listed, when nvidia-smi could not be asked or failed. */
  readonly reason?: string
}

/** nvidia-smi printed something that is not the CSV asked for. */
export class NvidiaSmiFormatError extends Error {
  readonly line: number

  constructor(line: number, message: string) {
    super(`nvidia-smi output line ${line}: ${message}`)
    this.name = 'NvidiaSmiFormatError'
    this.line = line
  }
}

/** The GPUs in `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output; blank lines are skipped. */
export function parseNvidiaSmiCsv(text: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return
    gpus.push(parseLine(raw, i + 1))
  })
  return gpus
}

function parseLine(raw: string, line: number): NvidiaGpu {
  const fields = raw.split(',').map((field) => field.trim())
  if (fields.length !== NVIDIA_SMI_FIELDS.length) {
    throw new NvidiaSmiFormatError(
      line,
      `expected ${NVIDIA_SMI_FIELDS.length} comma-separated fields (${NVIDIA_SMI_FIELDS.join(', ')}), ` +
        `found ${fields.length} in ${JSON.stringify(raw.slice(0, 200))}`,
    )
  }
  // The count is checked above, so every default here is unused.
  const [index = '', uuid = '', name = '', memoryTotal = '', memoryUsed = '', utilization = '', driver = ''] =
    fields
  if (!/^\d+$/.test(index))
    throw new NvidiaSmiFormatError(line, `index ${JSON.stringify(index)} is not a whole number`)
  for (const [field, value] of [
    ['uuid', uuid],
    ['name', name],
  ] as const) {
    if (value === '' || unavailable(value)) throw new NvidiaSmiFormatError(line, `the GPU has no ${field}`)
  }
  return {
    index: Number(index),
    uuid,
    name,
    memoryTotalBytes: mebibytes(memoryTotal, 'memory.total', line),
    memoryUsedBytes: mebibytes(memoryUsed, 'memory.used', line),
    utilizationPercent: percent(utilization, line),
    driverVersion: driver === '' || unavailable(driver) ? null : driver,
    capacityClass: gpuCapacityClass(name),
  }
}

/** `[N/A]`, `[Not Supported]`, `[Unknown Error]` and the like: nvidia-smi's "no value". */
function unavailable(value: string): boolean {
  return /^\[[^\]]*\]$/.test(value) || value === 'N/A'
}

function mebibytes(value: string, field: string, line: number): number | null {
  if (unavailable(value)) return null
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new NvidiaSmiFormatError(line, `${field} ${JSON.stringify(value)} is not a number of MiB`)
  }
  return Math.round(Number(value) * MIB)
}

function percent(value: string, line: number): number | null {
  if (unavailable(value)) return null
  const number = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || number > 100) {
    throw new NvidiaSmiFormatError(line, `utilization.gpu ${JSON.stringify(value)} is not a percentage`)
  }
  return number
}

export interface NvidiaSmiOptions {
  /** The nvidia-smi to run; found on PATH by default. */
  readonly binary?: string
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/** Asks nvidia-smi for the GPUs. No nvidia-smi, a failing one or unreadable output give no GPUs and a reason. */
export async function queryNvidiaSmi(options: NvidiaSmiOptions = {}): Promise<NvidiaSmiReport> {
  const binary = options.binary ?? 'nvidia-smi'
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let stdout: string
  try {
    stdout = await run(binary, timeoutMs, options.signal)
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason
    return { gpus: [], reason: failureReason(binary, timeoutMs, err as ExecFailure) }
  }
  try {
    const gpus = parseNvidiaSmiCsv(stdout)
    return gpus.length > 0 ? { gpus } : { gpus, reason: `${binary} listed no GPUs` }
  } catch (err) {
    if (!(err instanceof NvidiaSmiFormatError)) throw err
    return { gpus: [], reason: `${binary} printed output hcx cannot read: ${err.message}` }
  }
}

interface ExecFailure extends Error {
  code?: string | number | null
  killed?: boolean
  stdout?: string
  stderr?: string
}

function run(binary: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      [...NVIDIA_SMI_ARGS],
      {
        encoding: 'utf8',
        timeout: timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        windowsHide: true,
        ...(signal === undefined ? {} : { signal }),
      },
      (err, stdout, stderr) => {
        if (err === null) resolve(stdout)
        else reject(Object.assign(err, { stdout, stderr }))
      },
    )
  })
}

function failureReason(binary: string, timeoutMs: number, err: ExecFailure): string {
  if (err.code === 'ENOENT') return `${binary} is not installed: no NVIDIA driver on this machine`
  if (err.code === 'EACCES') return `${binary} cannot be run (permission denied)`
  if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    return `${binary} printed more than ${MAX_OUTPUT_BYTES} bytes`
  if (err.killed === true) return `${binary} did not answer within ${timeoutMs} ms`
  // nvidia-smi explains itself on stdout ("NVIDIA-SMI has failed because it couldn't communicate
  // with the NVIDIA driver", "No devices were found"); its first line is the useful part.
  const said = `${err.stdout ?? ''}\n${err.stderr ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '')
  const status = typeof err.code === 'number' ? `exited with status ${err.code}` : `failed (${err.message})`
  return `${binary} ${status}${said === undefined ? '' : `: ${said}`}`
}
