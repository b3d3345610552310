// `hcx qpu run FILE` runs an OpenQASM 2 or 3 circuit on a backend (the local simulator by
// default) and prints its counts; `hcx qpu backends` lists the backends and what they offer.

import type { Command } from 'commander'
import { describeError } from '../../../errors/hcx-error.ts'
import { BACKEND_IDS } from '../../../quantum-adapters/adapters/adapter.ts'
import type { Counts } from '../../../quantum-adapters/circuit/counts.ts'
import {
  integerOrRaw,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  readBoundedFile,
} from '../common-options.ts'
import { printJson, printLines } from '../output.ts'

interface QpuRunOptions {
  shots: number | string
  seed?: number | string
  backend: string
  json?: boolean
}

const DEFAULT_SHOTS = 1024
/** Larger files are refused before they are read. */
const MAX_SOURCE_BYTES = 16 * 2 ** 20

export function registerQpuCommands(program: Command): void {
  const qpu = program.command('qpu').description('quantum circuits on the simulator or a real QPU')
  qpu
    .command('run')
    .description('run an OpenQASM 2 or 3 circuit and print its counts')
    .argument('<file>', 'the OpenQASM source')
    .option('--shots <n>', 'how many shots', integerOrRaw, DEFAULT_SHOTS)
    .option('--seed <s>', 'seed for the simulator (the same seed gives the same counts)', integerOrRaw)
    .option('--backend <id>', `where to run it: ${BACKEND_IDS.join(', ')}`, 'sim')
    .option('--json', 'print one JSON object')
    .action(async (file: string, options: QpuRunOptions) => {
      const backend = oneOf('--backend', 'backend', options.backend, BACKEND_IDS)
      const shots = positiveInteger('--shots', options.shots)
      const seed = options.seed === undefined ? undefined : nonNegativeInteger('--seed', options.seed)
      const source = readBoundedFile(file, MAX_SOURCE_BYTES, file, 'OpenQASM sources')
      const { parseQasm } = await import('../../../quantum-adapters/qasm/parse-qasm.ts')
      const circuit = parseQasm(source, file)
      const { createAdapter } = await import('../../../quantum-adapters/adapters/registry.ts')
      const { runJob } = await import('../../../quantum-adapters/adapters/run-job.ts')
      const adapter = createAdapter(backend, process.env)
      const started = performance.now()
      const result = await runJob(adapter, { circuit, shots, ...(seed === undefined ? {} : { seed }) })
      const durationMs = Math.round(performance.now() - started)
      if (options.json === true) {
        printJson({
          backend,
          qubits: circuit.numQubits,
          shots: result.shots,
          counts: result.counts,
          durationMs,
        })
      } else printLines(countsTable(backend, circuit.numQubits, result.shots, result.counts, durationMs))
    })
  qpu
    .command('backends')
    .description('list the quantum backends, their capabilities, and whether they can be used here')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => {
      const { createAdapter } = await import('../../../quantum-adapters/adapters/registry.ts')
      const listed = await Promise.all(
        BACKEND_IDS.map(async (id) => {
          try {
            const capabilities = await createAdapter(id, process.env).capabilities(
              AbortSignal.timeout(15_000),
            )
            return { backend: id, available: true, capabilities }
          } catch (err) {
            return { backend: id, available: false, reason: describeError(err) }
          }
        }),
      )
      if (options.json === true) {
        printJson(listed)
        return
      }
      printLines(
        listed.map((entry) =>
          entry.capabilities === undefined
            ? `${entry.backend.padEnd(7)} unavailable: ${entry.reason}`
            : `${entry.backend.padEnd(7)} ${entry.capabilities.device}: ${entry.capabilities.qubits} qubits, ` +
              `up to ${entry.capabilities.maxShots} shots`,
        ),
      )
    })
}

function countsTable(
  backend: string,
  qubits: number,
  shots: number,
  counts: Counts,
  durationMs: number,
): string[] {
  const rows = Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  const width = Math.max(7, ...rows.map(([key]) => key.length))
  return [
    `${shots} shots of a ${qubits}-qubit circuit on ${backend} in ${durationMs} ms`,
    `${'outcome'.padEnd(width)}  count  share`,
    ...rows.map(
      ([key, count]) =>
        `${key.padEnd(width)}  ${String(count).padStart(5)}  ${((100 * count) / shots).toFixed(1).padStart(5)}%`,
    ),
  ]
}
