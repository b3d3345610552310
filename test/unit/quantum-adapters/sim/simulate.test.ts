// simulate() beyond the textbook: the qubit limit (refused before anything is allocated),
// cancellation, circuits without measurements, and the threaded path giving the same counts
// as the single-threaded one.

import { afterAll, describe, expect, it } from 'vitest'
import { MAX_ENGINE_QUBITS } from '../../../../quantum-adapters/sim/block-engine.ts'
import { BYTES_PER_AMPLITUDE, qubitLimit } from '../../../../quantum-adapters/sim/qubit-limit.ts'
import { simulate } from '../../../../quantum-adapters/sim/simulate.ts'
import { ThreadPool } from '../../../../quantum-adapters/sim/thread-pool.ts'
import { circuitOf, gateOp, measuredCircuit, randomGates, registers } from '../../../helpers/circuits.ts'
import { qpuRejection } from '../../../helpers/qpu-calls.ts'
import { seededRandom } from '../../../helpers/seeded-random.ts'

describe('qubit limit', () => {
  it('allows the qubits whose state fits half the memory budget, at most the engine maximum', () => {
    expect(qubitLimit(BYTES_PER_AMPLITUDE * 2 ** 20)).toBe(20)
    expect(qubitLimit(BYTES_PER_AMPLITUDE * 2 ** 20 - 1)).toBe(19)
    expect(qubitLimit(2 ** 50)).toBe(MAX_ENGINE_QUBITS)
    expect(qubitLimit()).toBeGreaterThanOrEqual(20)
    expect(qubitLimit()).toBeLessThanOrEqual(MAX_ENGINE_QUBITS)
  })

  it('refuses one qubit over the limit with QPU_TOO_MANY_QUBITS before allocating the state', async () => {
    const limit = qubitLimit()
    const circuit = circuitOf(limit + 1, [])
    const rssBefore = process.memoryUsage().rss
    const started = performance.now()
    const err = await qpuRejection(simulate(circuit, { shots: 1, seed: 1 }))
    const elapsed = performance.now() - started
    expect(err.code).toBe('QPU_TOO_MANY_QUBITS')
    expect(err.type).toEqual({ code: 'QPU_TOO_MANY_QUBITS', qubits: limit + 1, limit })
    expect(err.message).toContain(`${limit + 1} qubits`)
    expect(elapsed).toBeLessThan(500)
    // The state would take at least 2^(limit+1)·16 bytes; nothing close to that was touched.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20)
  })
})

describe('simulate', () => {
  it('counts every shot under the all-zero key when nothing is measured', async () => {
    const unmeasured = circuitOf(2, [gateOp('h', [0]), gateOp('cx', [0, 1])], registers([['c', 2]]))
    expect((await simulate(unmeasured, { shots: 7, seed: 1 })).counts).toEqual({ '00': 7 })
    expect((await simulate(circuitOf(2, [gateOp('h', [0])]), { shots: 7, seed: 1 })).counts).toEqual({
      '': 7,
    })
  })

  it('reports one fused pass for a short run of gates on a small circuit', async () => {
    const circuit = measuredCircuit(3, [gateOp('h', [0]), gateOp('cx', [0, 1]), gateOp('ccx', [0, 1, 2])])
    const { passes } = await simulate(circuit, { shots: 10, seed: 1 })
    expect(passes).toBe(1)
  })

  it('rejects with AbortError when its signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const circuit = measuredCircuit(2, [gateOp('h', [0])])
    await expect(simulate(circuit, { shots: 10, seed: 1, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
  })

  it('rejects an already-aborted signal with AbortError even for a measurement-only circuit', async () => {
    const controller = new AbortController()
    controller.abort()
    const circuit = measuredCircuit(2, [])
    await expect(simulate(circuit, { shots: 10, seed: 1, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
  })

  describe('on a thread pool', () => {
    const pool = new ThreadPool(2)
    afterAll(() => pool.close())

    it('gives the same counts and passes as the calling thread at 18 qubits', async () => {
      const random = seededRandom(81)
      const n = 18
      const [m, c] = registers([
        ['m', 1],
        ['c', n],
      ])
      if (m === undefined || c === undefined) throw new Error('no registers')
      const circuit = circuitOf(
        n,
        [
          ...randomGates(random, n, 40),
          { kind: 'measure', qubit: 3, clbit: 0 },
          gateOp('h', [17], [], { register: m, value: 1n }),
          ...randomGates(random, n, 20),
          ...Array.from({ length: n }, (_, q) => ({ kind: 'measure' as const, qubit: q, clbit: 1 + q })),
        ],
        [m, c],
      )
      const single = await simulate(circuit, { shots: 500, seed: 9 })
      const threaded = await simulate(circuit, { shots: 500, seed: 9, pool })
      expect(threaded).toEqual(single)
    })
  })
})
