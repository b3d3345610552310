// The parts of a Braket device's `deviceCapabilities` document (GetDevice) this adapter reads, as
// published in amazon-braket-schemas (DeviceServiceProperties v1, OpenQASMDeviceActionProperties,
// GateModelQpuParadigmProperties v1). Everything else in the document is ignored.

import { z } from 'zod'

export const OPENQASM_ACTION = 'braket.ir.openqasm.program'

const capabilitiesSchema = z.object({
  service: z.object({
    shotsRange: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
    /** `unit` is `shot`, `task`, `minute`, `hour`… */
    deviceCost: z.object({ price: z.number().nonnegative(), unit: z.string() }).nullable().optional(),
  }),
  action: z.record(
    z.string(),
    z.object({
      actionType: z.string(),
      version: z.array(z.string()),
      supportedOperations: z.array(z.string()).optional(),
      requiresAllQubitsMeasurement: z.boolean().nullable().optional(),
    }),
  ),
  paradigm: z.object({ qubitCount: z.number().int().positive() }),
})

export interface DeviceCapabilities {
  readonly qubitCount: number
  readonly shotsRange: readonly [number, number]
  readonly deviceCost: { readonly price: number; readonly unit: string } | null
  /** Null when the device takes no OpenQASM programs (annealers, analog Hamiltonian devices). */
  readonly openqasm: {
    readonly supportedOperations: readonly string[]
    readonly requiresAllQubitsMeasurement: boolean
  } | null
}

/** The capabilities, or a sentence saying what does not match the published schema. */
export function parseDeviceCapabilities(document: string): DeviceCapabilities | string {
  let json: unknown
  try {
    json = JSON.parse(document)
  } catch {
    return 'deviceCapabilities is not JSON'
  }
  const parsed = capabilitiesSchema.safeParse(json)
  if (!parsed.success) return z.prettifyError(parsed.error)
  const { service, action, paradigm } = parsed.data
  const openqasm = action[OPENQASM_ACTION]
  return {
    qubitCount: paradigm.qubitCount,
    shotsRange: service.shotsRange,
    deviceCost: service.deviceCost ?? null,
    openqasm:
      openqasm === undefined
        ? null
        : {
            supportedOperations: openqasm.supportedOperations ?? [],
            requiresAllQubitsMeasurement: openqasm.requiresAllQubitsMeasurement ?? false,
          },
  }
}
