// The local simulator behind the QPU adapter interface: its capabilities, the job lifecycle
// (submit, status, result, cancel) directly and through runJob, its refusals, and the
// usage it reports for metering.

import { describe, expect, it } from 'vitest'
import type { QpuAdapter, QpuJobState } from '../../../../quantum-adapters/adapters/adapter.ts'
import { runJob } from '../../../../quantum-adapters/adapters/run-job.ts'
import { createSimAdapter, SIM_MAX_SHOTS } from '../../../../quantum-adapters/adapters/sim-adapter.ts'
import { circuitDepth } from '../../../../quantum-adapters/circuit/circuit.ts'
import { GATE_NAMES } from '../../../../quantum-adapters/circuit/gates.ts'
import { qubitLimit } from '../../../../quantum-adapters/sim/qubit-limit.ts'
import { simulate } from '../../../../quantum-adapters/sim/simulate.ts'
import { circuitOf, gateOp, measuredCircuit } from '../../../helpers/circuits.ts'
import { qpuRejection } from '../../../helpers/qpu-calls.ts'

async function settled(adapter: QpuAdapter, jobId: string): Promise<QpuJobState> {
  for (let i = 0; i < 200; i++) {
    const { state } = await adapter.status(jobId)
    if (state !== 'queued' && state !== 'running') return state
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`job ${jobId} did not finish`)
}

/** Lets every queued job start and end. */
const afterQueuedJobs = () => new Promise((resolve) => setTimeout(resolve, 20))

const BELL = measuredCircuit(2, [gateOp('h', [0]), gateOp('cx', [0, 1])])

describe('simulator adapter', () => {
  it('describes itself: statevector device, qubit limit, every gate name, free of charge', async () => {
    const adapter = createSimAdapter()
    expect(adapter.id).toBe('sim')
    expect(await adapter.capabilities()).toEqual({
      backend: 'sim',
      device: 'statevector',
      qubits: qubitLimit(),
      basisGates: GATE_NAMES,
      maxShots: SIM_MAX_SHOTS,
      queueEstimateMs: 0,
      price: { currency: 'USD', perShotMicros: 0, perTaskMicros: 0 },
    })
  })

  it('runs a job through runJob to the counts simulate() gives for its seed, with its usage', async () => {
    const adapter = createSimAdapter()
    const circuit = measuredCircuit(3, [
      gateOp('h', [0]),
      gateOp('cx', [0, 1]),
      gateOp('cx', [1, 2]),
      gateOp('t', [2]),
    ])
    const result = await runJob(adapter, { circuit, shots: 1234, seed: 77 }, { pollMs: 1 })
    const direct = await simulate(circuit, { shots: 1234, seed: 77 })
    expect(result.counts).toEqual(direct.counts)
    expect(result.shots).toBe(1234)
    expect(result.usage).toEqual({
      capacityClass: 'qpu.sim',
      shots: 1234,
      qubits: 3,
      depth: circuitDepth(circuit),
      durationMs: expect.any(Number),
    })
    expect(result.usage.depth).toBe(5)
    expect(result.usage.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('moves a job from queued to completed and answers QPU_JOB_NOT_DONE until then', async () => {
    const adapter = createSimAdapter()
    const jobId = await adapter.submit({ circuit: BELL, shots: 100, seed: 1 })
    expect(typeof jobId).toBe('string')
    const early = await adapter.status(jobId)
    expect(['queued', 'running', 'completed']).toContain(early.state)
    if (early.state !== 'completed') {
      const err = await qpuRejection(adapter.result(jobId))
      expect(err.type).toEqual({ code: 'QPU_JOB_NOT_DONE', backend: 'sim', jobId, status: early.state })
    }
    expect(await settled(adapter, jobId)).toBe('completed')
    const result = await adapter.result(jobId)
    expect(Object.keys(result.counts).sort()).toEqual(['00', '11'])
    expect(result.counts['00'] ?? 0).toBeGreaterThan(0)
    // The result stays readable.
    expect(await adapter.result(jobId)).toEqual(result)
  })

  it('keeps jobs apart: each has its own id and result', async () => {
    const adapter = createSimAdapter()
    const zero = await adapter.submit({ circuit: measuredCircuit(1, []), shots: 5, seed: 1 })
    const one = await adapter.submit({ circuit: measuredCircuit(1, [gateOp('x', [0])]), shots: 6, seed: 1 })
    expect(zero).not.toBe(one)
    await settled(adapter, zero)
    await settled(adapter, one)
    expect((await adapter.result(zero)).counts).toEqual({ '0': 5 })
    expect((await adapter.result(one)).counts).toEqual({ '1': 6 })
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, SIM_MAX_SHOTS + 1])(
    'refuses %s shots with QPU_BAD_SHOTS',
    async (shots) => {
      const err = await qpuRejection(createSimAdapter().submit({ circuit: BELL, shots }))
      expect(err.type).toEqual({ code: 'QPU_BAD_SHOTS', shots, maxShots: SIM_MAX_SHOTS })
    },
  )

  it('accepts a single shot', async () => {
    const result = await runJob(createSimAdapter(), { circuit: BELL, shots: 1, seed: 3 }, { pollMs: 1 })
    expect(Object.values(result.counts)).toEqual([1])
  })

  it('refuses a circuit over the qubit limit with QPU_TOO_MANY_QUBITS at submit', async () => {
    const limit = qubitLimit()
    const err = await qpuRejection(createSimAdapter().submit({ circuit: circuitOf(limit + 1, []), shots: 1 }))
    expect(err.type).toEqual({ code: 'QPU_TOO_MANY_QUBITS', qubits: limit + 1, limit })
  })

  it('answers QPU_UNKNOWN_JOB for a job it never had', async () => {
    const adapter = createSimAdapter()
    for (const call of [
      () => adapter.status('nope'),
      () => adapter.result('nope'),
      () => adapter.cancel('nope'),
    ]) {
      const err = await qpuRejection(call())
      expect(err.type).toEqual({ code: 'QPU_UNKNOWN_JOB', backend: 'sim', jobId: 'nope' })
    }
    // Job ids belong to one adapter.
    const jobId = await createSimAdapter().submit({ circuit: BELL, shots: 1 })
    expect((await qpuRejection(adapter.status(jobId))).code).toBe('QPU_UNKNOWN_JOB')
  })

  it('cancels a queued job: it stays cancelled and its result is QPU_JOB_CANCELLED', async () => {
    const adapter = createSimAdapter()
    const jobId = await adapter.submit({ circuit: BELL, shots: 100, seed: 1 })
    await adapter.cancel(jobId)
    expect((await adapter.status(jobId)).state).toBe('cancelled')
    await afterQueuedJobs()
    expect((await adapter.status(jobId)).state).toBe('cancelled')
    const err = await qpuRejection(adapter.result(jobId))
    expect(err.type).toEqual({ code: 'QPU_JOB_CANCELLED', backend: 'sim', jobId })
  })

  it('cancels a queued job of final measurements only: it stays cancelled', async () => {
    const adapter = createSimAdapter()
    const jobId = await adapter.submit({ circuit: measuredCircuit(2, []), shots: 100, seed: 1 })
    await adapter.cancel(jobId)
    await afterQueuedJobs()
    expect((await adapter.status(jobId)).state).toBe('cancelled')
    expect((await qpuRejection(adapter.result(jobId))).code).toBe('QPU_JOB_CANCELLED')
  })

  it('leaves a completed job and its result alone when asked to cancel it', async () => {
    const adapter = createSimAdapter()
    const jobId = await adapter.submit({ circuit: BELL, shots: 10, seed: 1 })
    await settled(adapter, jobId)
    await adapter.cancel(jobId)
    expect((await adapter.status(jobId)).state).toBe('completed')
    expect((await adapter.result(jobId)).shots).toBe(10)
  })

  it('marks a job that cannot run as failed, with the reason, and answers QPU_JOB_FAILED', async () => {
    // A two-qubit gate in a one-qubit circuit: malformed IR the planner refuses.
    const malformed = circuitOf(1, [gateOp('cx', [0, 1])])
    const adapter = createSimAdapter()
    const jobId = await adapter.submit({ circuit: malformed, shots: 10 })
    expect(await settled(adapter, jobId)).toBe('failed')
    const status = await adapter.status(jobId)
    expect(status.message).toMatch(/2 qubits/)
    const err = await qpuRejection(adapter.result(jobId))
    expect(err.type).toEqual({ code: 'QPU_JOB_FAILED', backend: 'sim', jobId })
    await expect(runJob(adapter, { circuit: malformed, shots: 10 }, { pollMs: 1 })).rejects.toMatchObject({
      code: 'QPU_JOB_FAILED',
    })
  })

  it('cancels the job when runJob is aborted while it waits', async () => {
    const adapter = createSimAdapter()
    const submitted: string[] = []
    const watched: QpuAdapter = {
      ...adapter,
      submit: async (request, signal) => {
        const jobId = await adapter.submit(request, signal)
        submitted.push(jobId)
        return jobId
      },
    }
    const controller = new AbortController()
    controller.abort()
    await expect(
      runJob(watched, { circuit: BELL, shots: 10, seed: 1 }, { signal: controller.signal, pollMs: 1_000 }),
    ).rejects.toMatchObject({ name: 'AbortError' })
    const [jobId] = submitted
    if (jobId === undefined) throw new Error('runJob submitted nothing')
    await afterQueuedJobs()
    expect((await adapter.status(jobId)).state).toBe('cancelled')
  })
})
