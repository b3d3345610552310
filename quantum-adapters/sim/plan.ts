// Turns a run of gates into a plan of cache-sized blocks. A block names at most
// `blockQubits` qubits; every gate in it acts only on those, so the simulator can gather the
// 2^blockQubits amplitudes of each setting of the other qubits into a cache-resident buffer,
// apply all of the block's gates there, and write them back: one pass over the state per
// block instead of one per gate. Inside a block, gates fuse further: consecutive 2×2s on one
// qubit multiply into one, and runs of monomial gates (permutations and diagonals) fold
// into one permutation-with-phases table.

import type { ComplexMatrix } from '../circuit/complex-matrix.ts'
import { type GateShape, gateShape } from './gate-shape.ts'

export interface PlannedGate {
  readonly qubits: readonly number[]
  readonly matrix: ComplexMatrix
}

/** One kernel call on a block buffer; qubits are local (bit j of a buffer index is block qubit j). */
export type Step =
  | { readonly kind: 'single'; readonly qubit: number; readonly matrix: Float64Array }
  | {
      readonly kind: 'controlled'
      readonly qubit: number
      readonly controlMask: number
      readonly matrix: Float64Array
    }
  /** buffer'[perm[i]] = phases[i] · buffer[i]; null perm is the identity, null phases all 1. */
  | { readonly kind: 'monomial'; readonly perm: Int32Array | null; readonly phases: Float64Array | null }
  | { readonly kind: 'dense'; readonly qubits: Int32Array; readonly matrix: Float64Array }

export interface Block {
  /** Global qubits in ascending order; local bit j is qubits[j]. */
  readonly qubits: Int32Array
  readonly steps: readonly Step[]
}

export interface Plan {
  readonly numQubits: number
  readonly blocks: readonly Block[]
  /** How many gates the plan applies, before fusion. */
  readonly gateCount: number
}

export interface PlanOptions {
  /** The most qubits a block may name: 2^blockQubits amplitudes should fit in a core's L2. */
  readonly blockQubits: number
  /** Qubits 0..lowQubits-1 always belong to a block, so gathers copy runs of 2^lowQubits. */
  readonly lowQubits: number
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { blockQubits: 14, lowQubits: 3 }

export function compilePlan(
  gates: readonly PlannedGate[],
  numQubits: number,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): Plan {
  const width = Math.min(numQubits, options.blockQubits)
  const widest = gates.reduce((most, gate) => Math.max(most, gate.qubits.length), 0)
  if (widest > width) throw new Error(`a gate on ${widest} qubits does not fit a block of ${width}`)
  // The reserved low qubits must leave room for the widest gate.
  const lowQubits = Math.min(options.lowQubits, width - widest)
  const built = new Map<string, Step>()
  const blocks = scheduleBlocks(gates, numQubits, width, lowQubits).map(({ qubits, members }) =>
    buildBlock(
      qubits,
      members.map((i) => gates[i] as PlannedGate),
      built,
    ),
  )
  return { numQubits, blocks, gateCount: gates.length }
}

interface ScheduledBlock {
  qubits: number[]
  members: number[]
}

/**
 * Greedy: walk the gates not yet placed in circuit order and take each one whose qubits fit
 * beside those already taken, unless an earlier gate left behind shares a qubit with it (it
 * must then wait for that gate). Gates on disjoint qubits commute, so the order is kept.
 */
function scheduleBlocks(
  gates: readonly PlannedGate[],
  numQubits: number,
  width: number,
  lowQubits: number,
): ScheduledBlock[] {
  const blocks: ScheduledBlock[] = []
  let remaining = gates.map((_, i) => i)
  while (remaining.length > 0) {
    const inBlock = new Uint8Array(numQubits)
    let size = 0
    for (let q = 0; q < lowQubits; q++) {
      inBlock[q] = 1
      size++
    }
    const blocked = new Uint8Array(numQubits)
    let blockedCount = 0
    const members: number[] = []
    const rest: number[] = []
    for (const index of remaining) {
      const { qubits } = gates[index] as PlannedGate
      if (blockedCount === numQubits || qubits.some((q) => blocked[q] === 1)) {
        rest.push(index)
        blockedCount += block(blocked, qubits)
        continue
      }
      const added = qubits.filter((q) => inBlock[q] === 0).length
      if (size + added <= width) {
        for (const q of qubits) inBlock[q] = 1
        size += added
        members.push(index)
      } else {
        rest.push(index)
        blockedCount += block(blocked, qubits)
      }
    }
    for (let q = 0; q < numQubits && size < width; q++) {
      if (inBlock[q] === 0) {
        inBlock[q] = 1
        size++
      }
    }
    const qubits: number[] = []
    for (let q = 0; q < numQubits; q++) if (inBlock[q] === 1) qubits.push(q)
    blocks.push({ qubits, members })
    remaining = rest
  }
  return blocks
}

function block(blocked: Uint8Array, qubits: readonly number[]): number {
  let added = 0
  for (const q of qubits) {
    if (blocked[q] === 0) {
      blocked[q] = 1
      added++
    }
  }
  return added
}

type Draft =
  | { kind: 'single'; qubit: number; matrix: Float64Array }
  | { kind: 'controlled'; qubit: number; controlMask: number; matrix: Float64Array }
  | { kind: 'monomial'; gates: MonomialGate[] }
  | { kind: 'dense'; qubits: Int32Array; matrix: Float64Array }

function buildBlock(globalQubits: number[], gates: readonly PlannedGate[], built: Map<string, Step>): Block {
  const local = new Map(globalQubits.map((q, j) => [q, j]))
  const drafts: Draft[] = []
  // The last draft that touches each local qubit: a gate may move back to just after it.
  const lastTouch = new Int32Array(globalQubits.length).fill(-1)
  const touch = (qubits: readonly number[], at: number) => {
    for (const q of qubits) lastTouch[q] = at
  }
  for (const gate of gates) {
    const qubits = gate.qubits.map((q) => local.get(q) as number)
    const shape = gateShape(gate.matrix)
    const latest = Math.max(-1, ...qubits.map((q) => lastTouch[q] as number))
    const previous = drafts[latest]
    if (qubits.length === 1 && previous?.kind === 'single' && previous.qubit === qubits[0]) {
      previous.matrix = multiply2(gate.matrix.data, previous.matrix)
      continue
    }
    if (shape.kind === 'monomial') {
      let into = -1
      for (let at = drafts.length - 1; at >= Math.max(latest, 0); at--) {
        if (drafts[at]?.kind === 'monomial') {
          into = at
          break
        }
      }
      const target = drafts[into]
      if (target?.kind === 'monomial') target.gates.push({ qubits, shape })
      else {
        drafts.push({ kind: 'monomial', gates: [{ qubits, shape }] })
        into = drafts.length - 1
      }
      touch(qubits, into)
      continue
    }
    if (shape.kind === 'single')
      drafts.push({ kind: 'single', qubit: qubits[0] as number, matrix: shape.matrix })
    else if (shape.kind === 'controlled') {
      let controlMask = 0
      for (const c of shape.controls) controlMask |= 1 << (qubits[c] as number)
      drafts.push({
        kind: 'controlled',
        qubit: qubits[shape.target] as number,
        controlMask,
        matrix: shape.matrix,
      })
    } else drafts.push({ kind: 'dense', qubits: Int32Array.from(qubits), matrix: gate.matrix.data })
    touch(qubits, drafts.length - 1)
  }
  const size = 1 << globalQubits.length
  return {
    qubits: Int32Array.from(globalQubits),
    steps: drafts.map((draft) =>
      draft.kind === 'monomial' ? monomialStep(draft.gates, size, built) : draft,
    ),
  }
}

/** b then a, for 2×2 complex matrices. */
function multiply2(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(8)
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      let re = 0
      let im = 0
      for (let k = 0; k < 2; k++) {
        const ar = a[2 * (2 * r + k)] as number
        const ai = a[2 * (2 * r + k) + 1] as number
        const br = b[2 * (2 * k + c)] as number
        const bi = b[2 * (2 * k + c) + 1] as number
        re += ar * br - ai * bi
        im += ar * bi + ai * br
      }
      out[2 * (2 * r + c)] = re
      out[2 * (2 * r + c) + 1] = im
    }
  }
  return out
}

type MonomialGate = { qubits: number[]; shape: Extract<GateShape, { kind: 'monomial' }> }

/**
 * Follows every basis index through the gates in order: where it lands, and with what phase.
 * Equal runs recur (the same CNOT ladder in every layer of a block), so they are built once.
 */
function monomialStep(gates: readonly MonomialGate[], size: number, built: Map<string, Step>): Step {
  const key = gates.map(({ qubits, shape }) => `${qubits}|${shape.rows}|${shape.phases}`).join(';')
  const known = built.get(key)
  if (known !== undefined) return known
  const perm = new Int32Array(size)
  const phases = new Float64Array(2 * size)
  for (let i = 0; i < size; i++) {
    perm[i] = i
    phases[2 * i] = 1
  }
  for (const { qubits, shape } of gates) {
    const k = qubits.length
    // Per column of the gate: the bits an index flips, and whether it picks up a phase.
    const flips = new Int32Array(1 << k)
    let rephases = false
    for (let col = 0; col < flips.length; col++) {
      const change = col ^ (shape.rows[col] as number)
      let mask = 0
      for (let b = 0; b < k; b++) if (((change >> b) & 1) === 1) mask |= 1 << (qubits[b] as number)
      flips[col] = mask
      if (shape.phases[2 * col] !== 1 || shape.phases[2 * col + 1] !== 0) rephases = true
    }
    const q0 = qubits[0] as number
    const q1 = k > 1 ? (qubits[1] as number) : 0
    for (let i = 0; i < size; i++) {
      const at = perm[i] as number
      let col = (at >> q0) & 1
      if (k > 1) {
        col |= ((at >> q1) & 1) << 1
        for (let b = 2; b < k; b++) col |= ((at >> (qubits[b] as number)) & 1) << b
      }
      perm[i] = at ^ (flips[col] as number)
      if (!rephases) continue
      const pr = shape.phases[2 * col] as number
      const pi = shape.phases[2 * col + 1] as number
      const xr = phases[2 * i] as number
      const xi = phases[2 * i + 1] as number
      phases[2 * i] = xr * pr - xi * pi
      phases[2 * i + 1] = xr * pi + xi * pr
    }
  }
  let movesAny = false
  let rephasesAny = false
  for (let i = 0; i < size; i++) {
    if (perm[i] !== i) movesAny = true
    if (phases[2 * i] !== 1 || phases[2 * i + 1] !== 0) rephasesAny = true
  }
  const step: Step = { kind: 'monomial', perm: movesAny ? perm : null, phases: rephasesAny ? phases : null }
  built.set(key, step)
  return step
}
