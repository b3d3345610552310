// The parts of IBM Quantum's REST answers (https://quantum.cloud.ibm.com/api/v1) this adapter
// reads, as published in the API reference and its generated clients: backend configuration
// and status, job creation, job details and job metrics. Unread fields pass unchecked.

import { z } from 'zod'

export const backendConfigurationSchema = z
  .object({
    backend_name: z.string().min(1),
    n_qubits: z.int().positive(),
    basis_gates: z.array(z.string()),
    max_shots: z.int().positive(),
    /** Directed pairs; absent or null on simulators, which couple every pair. */
    coupling_map: z
      .array(z.tuple([z.int().nonnegative(), z.int().nonnegative()]))
      .nullable()
      .optional(),
  })
  .refine(
    (config) =>
      (config.coupling_map ?? []).every(([a, b]) => a !== b && a < config.n_qubits && b < config.n_qubits),
    { message: 'coupling_map names a qubit outside n_qubits or a qubit coupled to itself' },
  )
export type BackendConfiguration = z.infer<typeof backendConfigurationSchema>

export const backendStatusSchema = z.object({
  state: z.boolean().optional(),
  status: z.string().optional(),
  message: z.string().nullable().optional(),
  length_queue: z.int().nonnegative(),
  backend_version: z.string().optional(),
})
export type BackendStatus = z.infer<typeof backendStatusSchema>

export const createdJobSchema = z.object({
  id: z.string().min(1),
  backend: z.string().optional(),
})

export const JOB_STATUSES = ['Queued', 'Running', 'Completed', 'Cancelled', 'Failed'] as const

export const jobSchema = z.object({
  id: z.string().min(1),
  backend: z.string().optional(),
  state: z.object({
    // Compared without case: older answers spelled these in capitals.
    status: z
      .string()
      .refine((s) => JOB_STATUSES.some((known) => s.toLowerCase().startsWith(known.toLowerCase())), {
        message: `status is none of ${JOB_STATUSES.join(', ')}`,
      }),
    reason: z.string().nullable().optional(),
    reason_code: z.int().nullable().optional(),
    reason_solution: z.string().nullable().optional(),
  }),
  status: z.string(),
})
export type JobDetails = z.infer<typeof jobSchema>

const seconds = z.number().nonnegative().nullable().optional()

export const jobMetricsSchema = z.object({
  timestamps: z
    .object({
      created: z.string().nullable().optional(),
      running: z.string().nullable().optional(),
      finished: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  usage: z
    .object({
      quantum_seconds: seconds,
      seconds,
      qpu_charge_time_seconds: seconds,
    })
    .nullable()
    .optional(),
  num_qubits: z.array(z.int().nonnegative()).nullable().optional(),
  circuit_depths: z.array(z.int().nonnegative()).nullable().optional(),
})
export type JobMetrics = z.infer<typeof jobMetricsSchema>
