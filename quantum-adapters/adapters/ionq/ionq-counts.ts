// IonQ returns a job's result as probabilities keyed by the decimal value of the whole register,
// qubit 0 in the least significant bit (the convention Cirq and qiskit-ionq decode it with), not
// as per-shot outcomes. They become whole counts for the job's shots, then Qiskit keys through the
// circuit's final measurements.

import { type Counts, sortedCounts } from '../../circuit/counts.ts'
import { apportion } from '../apportion.ts'
import { type ReadoutLayout, shotKey } from '../readout-layout.ts'

// Probabilities read back from JSON may miss 1 by rounding; more than this is not a distribution.
const SUM_TOLERANCE = 1e-3

/** Counts, or a sentence saying why the probabilities cannot be this circuit's. */
export function countsFromStateProbabilities(
  probabilities: Readonly<Record<string, number>>,
  layout: ReadoutLayout,
): Counts | string {
  const weights = new Map<string, number>()
  let total = 0
  const width = BigInt(layout.numQubits)
  for (const [state, p] of Object.entries(probabilities)) {
    const value = BigInt(state)
    if (value >> width !== 0n) return `state ${state} does not fit in the job's ${layout.numQubits} qubits`
    const key = shotKey(layout, (q) => ((value >> BigInt(q)) & 1n ? 1 : 0))
    weights.set(key, (weights.get(key) ?? 0) + p)
    total += p
  }
  if (Math.abs(total - 1) > SUM_TOLERANCE) return `the probabilities sum to ${total}, not 1`
  return sortedCounts(Object.fromEntries(apportion(weights, layout.shots)))
}
