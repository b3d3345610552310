// How many qubits this machine may simulate: the state (16 bytes per amplitude) may use at
// most half of the memory the process can have, and the kernels address at most 4 GiB.

import { totalmem } from 'node:os'
import { MAX_ENGINE_QUBITS } from './block-engine.ts'

export const BYTES_PER_AMPLITUDE = 16

export function memoryBudgetBytes(): number {
  const constrained = process.constrainedMemory()
  const available = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem()
  return available / 2
}

export function qubitLimit(budgetBytes = memoryBudgetBytes()): number {
  return Math.min(MAX_ENGINE_QUBITS, Math.floor(Math.log2(budgetBytes / BYTES_PER_AMPLITUDE)))
}
