import { describe, expect, it } from 'vitest'
import { statevector } from '../../../../quantum-adapters/sim/statevector.ts'
import { ThreadPool } from '../../../../quantum-adapters/sim/thread-pool.ts'
import { circuitOf, gateOp } from '../../../helpers/circuits.ts'

// 16 qubits with blocks of 8: every thread gets settings of every block.
const PLAN = { blockQubits: 8, lowQubits: 2 }
const GHZ = circuitOf(16, [
  gateOp('h', [0]),
  ...Array.from({ length: 15 }, (_, q) => gateOp('cx', [q, q + 1])),
])

// Long enough (tenths of a second) that terminating the threads lands mid-run.
const DEEP = circuitOf(
  20,
  Array.from({ length: 20 }, () => [
    ...Array.from({ length: 20 }, (_, q) => gateOp('h', [q])),
    ...Array.from({ length: 19 }, (_, q) => gateOp('cx', [q, q + 1])),
  ]).flat(),
)

function ghzAmplitudes(amplitudes: Float64Array): [number, number] {
  return [amplitudes[0] as number, amplitudes[2 * (2 ** 16 - 1)] as number]
}

describe('the simulator thread pool', () => {
  it('starts fresh threads for a run after it was closed', async () => {
    const pool = new ThreadPool(2)
    const first = await statevector(GHZ, { pool, plan: PLAN })
    expect(ghzAmplitudes(first.amplitudes)).toEqual([Math.SQRT1_2, Math.SQRT1_2])
    await pool.close()
    const again = await statevector(GHZ, { pool, plan: PLAN })
    expect(ghzAmplitudes(again.amplitudes)).toEqual([Math.SQRT1_2, Math.SQRT1_2])
    await pool.close()
  })

  it('fails a run whose thread dies instead of waiting for it forever, and recovers', async () => {
    const pool = new ThreadPool(2)
    await statevector(GHZ, { pool, plan: PLAN })
    const failed = expect(statevector(DEEP, { pool })).rejects.toThrow(/simulator thread \d exited/)
    // Closing terminates the threads mid-run: the run must end with an error.
    await pool.close()
    await failed
    const after = await statevector(GHZ, { pool, plan: PLAN })
    expect(ghzAmplitudes(after.amplitudes)).toEqual([Math.SQRT1_2, Math.SQRT1_2])
    await pool.close()
  })
})
