// Random circuits on up to 6 qubits, under random block plans: the simulator keeps the state
// normalised and equal to the dense reference (every gate as its full 2^n×2^n embedding).

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GateOp } from '../../quantum-adapters/circuit/circuit.ts'
import { statevector } from '../../quantum-adapters/sim/statevector.ts'
import { ALL_GATES, circuitOf, denseState, gateOp, maxDifference, norm } from '../helpers/circuits.ts'

const TWO_PI = 2 * Math.PI

function gateArbitrary(numQubits: number): fc.Arbitrary<GateOp> {
  const qubits = Array.from({ length: numQubits }, (_, q) => q)
  return fc.constantFrom(...ALL_GATES.filter((g) => g.numQubits <= numQubits)).chain((gate) =>
    fc
      .tuple(
        fc.shuffledSubarray(qubits, { minLength: gate.numQubits, maxLength: gate.numQubits }),
        fc.array(fc.double({ min: -TWO_PI, max: TWO_PI, noNaN: true }), {
          minLength: gate.numParams,
          maxLength: gate.numParams,
        }),
      )
      .map(([on, params]) => gateOp(gate.name, on, params)),
  )
}

const circuitArbitrary = fc.integer({ min: 1, max: 6 }).chain((numQubits) =>
  fc.record({
    numQubits: fc.constant(numQubits),
    gates: fc.array(gateArbitrary(numQubits), { maxLength: 30 }),
    blockQubits: fc.integer({ min: 3, max: 6 }),
    lowQubits: fc.integer({ min: 0, max: 2 }),
  }),
)

describe('statevector properties', () => {
  it('keeps the norm 1 and matches the dense reference on random circuits and block plans', async () => {
    await fc.assert(
      fc.asyncProperty(circuitArbitrary, async ({ numQubits, gates, blockQubits, lowQubits }) => {
        const widest = gates.reduce((most, g) => Math.max(most, g.qubits.length), 0)
        const circuit = circuitOf(numQubits, gates)
        const plan = { blockQubits: Math.max(blockQubits, widest), lowQubits }
        const { amplitudes } = await statevector(circuit, { plan })
        expect(Math.abs(norm(amplitudes) - 1)).toBeLessThan(1e-9)
        expect(maxDifference(amplitudes, denseState(circuit))).toBeLessThan(1e-12)
      }),
      { seed: 42, numRuns: 100 },
    )
  })
})
