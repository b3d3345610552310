// A Braket gate-model task's `results.json` (amazon-braket-schemas GateModelTaskResult v1) and the
// Qiskit counts it gives. Results hold either `measurements` (one row per shot, one 0/1 per
// measured qubit, in `measuredQubits` order) or, on some devices, `measurementProbabilities`
// (bit strings in `measuredQubits` order, the first character the first qubit).

import { z } from 'zod'
import { type Counts, sortedCounts } from '../../circuit/counts.ts'
import { apportion } from '../apportion.ts'
import { type ReadoutLayout, shotKey } from '../readout-layout.ts'

const bit = z.union([z.literal(0), z.literal(1)])

export const taskResultSchema = z.object({
  braketSchemaHeader: z.object({
    name: z.literal('braket.task_result.gate_model_task_result'),
    version: z.literal('1'),
  }),
  measurements: z.array(z.array(bit).min(1)).min(1).nullable().optional(),
  measurementProbabilities: z
    .record(z.string().regex(/^[01]+$/), z.number().min(0).max(1))
    .nullable()
    .optional(),
  measuredQubits: z.array(z.number().int().nonnegative()).min(1).nullable().optional(),
  taskMetadata: z.object({
    braketSchemaHeader: z
      .object({ name: z.literal('braket.task_result.task_metadata'), version: z.literal('1') })
      .optional(),
    id: z.string().min(1),
    shots: z.number().int().nonnegative(),
    deviceId: z.string().min(1),
  }),
  additionalMetadata: z.record(z.string(), z.unknown()),
})

export type TaskResult = z.infer<typeof taskResultSchema>

// Probabilities read back from JSON may miss 1 by rounding; more than this is not a distribution.
const SUM_TOLERANCE = 1e-3

/** Counts, or a sentence saying why the result cannot be this circuit's. */
export function countsFromTaskResult(result: TaskResult, layout: ReadoutLayout): Counts | string {
  const measured = result.measuredQubits ?? []
  const column = new Map(measured.map((q, i) => [q, i]))
  for (const q of layout.clbitSource) {
    if (q !== null && !column.has(q)) return `qubit ${q} is read by the circuit but not in measuredQubits`
  }
  const at = (q: number): number => column.get(q) as number
  if (result.measurements != null) {
    const counts: Counts = {}
    for (const [shot, row] of result.measurements.entries()) {
      if (row.length !== measured.length) {
        return `shot ${shot} has ${row.length} outcomes for ${measured.length} measured qubits`
      }
      const key = shotKey(layout, (q) => row[at(q)] as 0 | 1)
      counts[key] = (counts[key] ?? 0) + 1
    }
    return sortedCounts(counts)
  }
  if (result.measurementProbabilities != null) {
    // Probabilities only: whole counts for the task's shots, by largest remainder.
    const weights = new Map<string, number>()
    let total = 0
    for (const [bits, p] of Object.entries(result.measurementProbabilities)) {
      if (bits.length !== measured.length)
        return `'${bits}' has ${bits.length} bits for ${measured.length} qubits`
      const key = shotKey(layout, (q) => (bits[at(q)] === '1' ? 1 : 0))
      weights.set(key, (weights.get(key) ?? 0) + p)
      total += p
    }
    if (Math.abs(total - 1) > SUM_TOLERANCE) return `measurementProbabilities sum to ${total}, not 1`
    return sortedCounts(Object.fromEntries(apportion(weights, layout.shots)))
  }
  return 'it has neither measurements nor measurementProbabilities'
}
