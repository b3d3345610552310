// circuitDepth(), the depth the simulator reports in its usage, and countsKey(), the
// counts key in Qiskit's format that every backend returns.

import { describe, expect, it } from 'vitest'
import { circuitDepth } from '../../../../quantum-adapters/circuit/circuit.ts'
import { countsKey } from '../../../../quantum-adapters/circuit/counts.ts'
import { circuitOf, gateOp, registers } from '../../../helpers/circuits.ts'

describe('circuit depth', () => {
  it('counts one layer for gates on disjoint qubits and ignores barriers', () => {
    const ops = [
      gateOp('h', [0]),
      gateOp('h', [1]),
      gateOp('h', [2]),
      { kind: 'barrier' as const, qubits: [0, 1, 2] },
    ]
    expect(circuitDepth(circuitOf(3, ops))).toBe(1)
    expect(circuitDepth(circuitOf(3, []))).toBe(0)
  })

  it('stacks a CNOT ladder one layer per gate', () => {
    const ops = [gateOp('h', [0]), gateOp('cx', [0, 1]), gateOp('cx', [1, 2]), gateOp('cx', [2, 3])]
    expect(circuitDepth(circuitOf(4, ops))).toBe(4)
  })

  it('orders measurements on one clbit and conditioned ops after the bits they read', () => {
    const [c] = registers([['c', 2]])
    if (c === undefined) throw new Error('no register')
    const ops = [
      gateOp('h', [0]),
      { kind: 'measure' as const, qubit: 0, clbit: 0 },
      // Qubit 1 is free, but its condition reads all of c, and c[0] is written at layer 2.
      gateOp('x', [1], [], { register: c, value: 1n }),
      // Qubit 2 is free, but c[1] is read by the conditioned x at layer 3.
      { kind: 'measure' as const, qubit: 2, clbit: 1 },
      { kind: 'reset' as const, qubit: 2 },
    ]
    expect(circuitDepth(circuitOf(3, ops, [c]))).toBe(5)
  })
})

describe('counts keys', () => {
  it('writes one register with its highest bit leftmost', () => {
    const cregs = registers([['c', 3]])
    expect(countsKey(0b001n, cregs)).toBe('001')
    expect(countsKey(0b110n, cregs)).toBe('110')
  })

  it('writes registers in reverse declaration order, joined by spaces', () => {
    const cregs = registers([
      ['a', 2],
      ['b', 1],
      ['c', 3],
    ])
    // a = 01, b = 1, c = 100.
    const memory = 0b01n | (0b1n << 2n) | (0b100n << 3n)
    expect(countsKey(memory, cregs)).toBe('100 1 01')
  })

  it('gives an empty key to a circuit without classical bits', () => {
    expect(countsKey(0n, [])).toBe('')
  })
})
