// What a job on an IonQ system costs, in integer micro-USD. IonQ's own API bills by contract
// (quantum compute time or gate counts, see GET /jobs/estimate), so these are the list prices IonQ
// systems carry per shot and per task on Amazon Braket (https://aws.amazon.com/braket/pricing/:
// Forte $0.08/shot, Aria $0.03/shot, $0.30/task), the published per-shot figures for them. The
// ideal simulator is free.

import type { BackendPrice } from '../adapter.ts'

const PER_TASK_MICROS = 300_000

const FAMILIES: ReadonlyArray<readonly [prefix: string, perShotMicros: number]> = [
  ['qpu.forte', 80_000],
  ['qpu.aria', 30_000],
]

export function ionqPrice(backend: string): BackendPrice {
  if (backend === 'simulator') return { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 }
  const family = FAMILIES.find(([prefix]) => backend.startsWith(prefix))
  // A system not in the table is priced as the dearest one, so it is never sold below cost.
  const perShotMicros = family?.[1] ?? Math.max(...FAMILIES.map(([, micros]) => micros))
  return { currency: 'USD', perShotMicros, perTaskMicros: PER_TASK_MICROS }
}
