// Single-qubit unitaries in IBM's 1-qubit basis (rz, sx, x): a 2×2 unitary's ZYZ Euler angles
// rewritten in the ZSX form rz·sx·rz·sx·rz, shorter where an angle allows it.

import type { ComplexMatrix } from '../../circuit/complex-matrix.ts'
import { normaliseAngle, zyzAngles } from '../one-qubit-unitary.ts'

export type OneQubitStep = { readonly name: 'rz'; readonly angle: number } | { readonly name: 'sx' | 'x' }

// Angles this close to a special value take the shorter form; far below what any device resolves.
const ANGLE_EPSILON = 1e-10

/**
 * Steps in circuit order (first applied first) equal to `u` up to a global phase, which no
 * measurement can see. Uses `x` for half turns about an equatorial axis when the backend has it.
 */
export function zsxSteps(u: ComplexMatrix, hasX: boolean): OneQubitStep[] {
  // u = e^{iα}·Rz(β)·Ry(γ)·Rz(δ).
  const { beta, gamma, delta } = zyzAngles(u)
  if (Math.abs(gamma) < ANGLE_EPSILON) return rz(beta + delta)
  if (Math.abs(gamma - Math.PI / 2) < ANGLE_EPSILON) {
    return [...rz(delta - Math.PI / 2), { name: 'sx' }, ...rz(beta + Math.PI / 2)]
  }
  if (Math.abs(gamma - Math.PI) < ANGLE_EPSILON) {
    // Rz(β)·Ry(π)·Rz(δ) = X·Rz(δ − β + π) up to phase, and X = SX·SX.
    return [
      ...rz(delta - beta + Math.PI),
      ...(hasX ? [{ name: 'x' } as const] : [{ name: 'sx' } as const, { name: 'sx' } as const]),
    ]
  }
  return [...rz(delta), { name: 'sx' }, ...rz(gamma + Math.PI), { name: 'sx' }, ...rz(beta + Math.PI)]
}

/** An rz step, or none when the angle is a whole number of turns. */
function rz(angle: number): OneQubitStep[] {
  const wrapped = normaliseAngle(angle)
  return Math.abs(wrapped) < ANGLE_EPSILON ? [] : [{ name: 'rz', angle: wrapped }]
}
