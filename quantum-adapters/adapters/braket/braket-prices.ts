// What a task on a Braket device costs, in integer micro-USD. The device's own `deviceCost` wins
// when it is priced per shot or per task; otherwise the figures are Braket's published on-demand
// prices (https://aws.amazon.com/braket/pricing/): $0.30 per task on every QPU, and per shot
// IonQ Forte $0.08, IonQ Aria $0.03, IQM Garnet $0.00145, QuEra Aquila $0.01, Rigetti Ankaa $0.0009.
// Managed simulators are billed by the minute of simulation, which no shot or task price captures.

import type { BackendPrice } from '../adapter.ts'
import type { DeviceCapabilities } from './device-capabilities.ts'

const PER_TASK_MICROS = 300_000

// Keyed by the last part of the device ARN, lower case, which starts with the QPU family.
const PER_SHOT_MICROS: ReadonlyArray<readonly [family: string, micros: number]> = [
  ['forte', 80_000],
  ['aria', 30_000],
  ['garnet', 1_450],
  ['aquila', 10_000],
  ['ankaa', 900],
]

const MICROS_PER_USD = 1_000_000

export function braketPrice(deviceArn: string, cost: DeviceCapabilities['deviceCost']): BackendPrice {
  if (deviceArn.includes(':device/quantum-simulator/')) {
    return { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 }
  }
  const name = deviceName(deviceArn).toLowerCase()
  const family = PER_SHOT_MICROS.find(([prefix]) => name.startsWith(prefix))
  // A QPU missing from the table is priced as the dearest one, so it is never sold below cost.
  let perShotMicros = family?.[1] ?? Math.max(...PER_SHOT_MICROS.map(([, micros]) => micros))
  let perTaskMicros = PER_TASK_MICROS
  if (cost?.unit === 'shot') perShotMicros = Math.round(cost.price * MICROS_PER_USD)
  if (cost?.unit === 'task') perTaskMicros = Math.round(cost.price * MICROS_PER_USD)
  return { currency: 'USD', perShotMicros, perTaskMicros }
}

/** `Aria-1` from `arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1`. */
export function deviceName(deviceArn: string): string {
  return deviceArn.slice(deviceArn.lastIndexOf('/') + 1)
}
