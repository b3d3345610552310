// Facts about 2×2 unitaries that every provider's gate lowering needs: their ZYZ Euler angles, a
// unitary square root (for splitting a multi-controlled gate into singly controlled halves), and
// rotation angles brought into one turn.

import { type ComplexMatrix, get, matrix, phase } from '../circuit/complex-matrix.ts'

/** `U = e^{i·phase} · Rz(beta) · Ry(gamma) · Rz(delta)`, gamma in [0, π]. */
export interface ZyzAngles {
  readonly phase: number
  readonly beta: number
  readonly gamma: number
  readonly delta: number
}

type Complex = readonly [number, number]

// Below this an entry counts as zero when choosing the angle formulas; far under any device's precision.
const TINY = 1e-12

export function zyzAngles(u: ComplexMatrix): ZyzAngles {
  const [a, b, c, d] = entries(u, 'zyzAngles')
  const det = sub(mul(a, d), mul(b, c))
  const globalPhase = Math.atan2(det[1], det[0]) / 2
  // W = e^{-i·phase}·U has determinant 1: W = [[w00, -conj(w10)], [w10, conj(w00)]] with
  // w00 = e^{-i(beta+delta)/2}·cos(gamma/2) and w10 = e^{i(beta-delta)/2}·sin(gamma/2).
  const unphase = phase(-globalPhase)
  const w00 = mul(a, unphase)
  const w10 = mul(c, unphase)
  const gamma = 2 * Math.atan2(abs(w10), abs(w00))
  const argA = Math.atan2(w00[1], w00[0])
  const argB = Math.atan2(w10[1], w10[0])
  if (abs(w10) < TINY) return { phase: globalPhase, beta: -2 * argA, gamma, delta: 0 }
  if (abs(w00) < TINY) return { phase: globalPhase, beta: 2 * argB, gamma, delta: 0 }
  return { phase: globalPhase, beta: argB - argA, gamma, delta: -argA - argB }
}

/** A unitary V with V·V = U: (U + s·I)/t with s² = det U and t² = tr U + 2s. */
export function unitarySqrt(u: ComplexMatrix): ComplexMatrix {
  const [a, b, c, d] = entries(u, 'unitarySqrt')
  const root = sqrt(sub(mul(a, d), mul(b, c)))
  const trace = add(a, d)
  // Of the two signs of s, the one that keeps t away from zero (both are never small for a unitary).
  const plus = add(trace, add(root, root))
  const minus = sub(trace, add(root, root))
  const usePlus = abs(plus) >= abs(minus)
  const s = usePlus ? root : neg(root)
  const t = sqrt(usePlus ? plus : minus)
  return matrix([
    [div(add(a, s), t), div(b, t)],
    [div(c, t), div(add(d, s), t)],
  ])
}

/** The same angle in (−π, π]. */
export function normaliseAngle(angle: number): number {
  const turn = 2 * Math.PI
  let wrapped = angle % turn
  if (wrapped <= -Math.PI) wrapped += turn
  if (wrapped > Math.PI) wrapped -= turn
  return wrapped
}

function entries(u: ComplexMatrix, what: string): [Complex, Complex, Complex, Complex] {
  if (u.dim !== 2) throw new Error(`${what} needs a 2×2 matrix, got ${u.dim}×${u.dim}`)
  return [get(u, 0, 0), get(u, 0, 1), get(u, 1, 0), get(u, 1, 1)]
}

function add(x: Complex, y: Complex): Complex {
  return [x[0] + y[0], x[1] + y[1]]
}

function sub(x: Complex, y: Complex): Complex {
  return [x[0] - y[0], x[1] - y[1]]
}

function neg(x: Complex): Complex {
  return [-x[0], -x[1]]
}

function mul(x: Complex, y: Complex): Complex {
  return [x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]]
}

function div(x: Complex, y: Complex): Complex {
  const norm = y[0] * y[0] + y[1] * y[1]
  return [(x[0] * y[0] + x[1] * y[1]) / norm, (x[1] * y[0] - x[0] * y[1]) / norm]
}

function abs(x: Complex): number {
  return Math.hypot(x[0], x[1])
}

function sqrt(x: Complex): Complex {
  const r = Math.sqrt(abs(x))
  const angle = Math.atan2(x[1], x[0]) / 2
  return [r * Math.cos(angle), r * Math.sin(angle)]
}
