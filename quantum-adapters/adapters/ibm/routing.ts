// Placing logical qubits on physical ones and moving them next to each other: a greedy layout
// that puts strongly interacting qubits close together, then SWAPs (three CX) along shortest
// paths of the coupling map whenever a 2-qubit gate's qubits are not coupled.

import type { CouplingGraph } from './coupling.ts'
import type { BasicOp } from './decompose.ts'

export type RoutedOp = BasicOp | { readonly kind: 'barrier'; readonly qubits: readonly number[] }

export interface Routed {
  /** The same operations on physical qubits, with SWAPs inserted as CX triples. */
  readonly ops: RoutedOp[]
  /** Where each logical qubit starts: `initialLayout[logical] = physical`. */
  readonly initialLayout: number[]
  /** Where each logical qubit is after the last operation. */
  readonly finalLayout: number[]
}

function pairsOf(op: RoutedOp): readonly [number, number] | undefined {
  if (op.kind === 'cx') return [op.control, op.target]
  if (op.kind === 'cz') return [op.a, op.b]
  return undefined
}

/** Logical → physical, each logical qubit on a distinct physical one. */
export function chooseLayout(graph: CouplingGraph, numLogical: number, ops: readonly RoutedOp[]): number[] {
  if (numLogical > graph.numQubits) {
    throw new Error(`${numLogical} logical qubits do not fit on ${graph.numQubits} physical ones`)
  }
  const weight: number[][] = Array.from({ length: numLogical }, () => new Array<number>(numLogical).fill(0))
  for (const op of ops) {
    const pair = pairsOf(op)
    if (pair === undefined) continue
    const [a, b] = pair
    ;(weight[a] as number[])[b] = ((weight[a] as number[])[b] as number) + 1
    ;(weight[b] as number[])[a] = ((weight[b] as number[])[a] as number) + 1
  }
  const w = (a: number, b: number): number => (weight[a] as number[])[b] as number
  const total = weight.map((row) => row.reduce((sum, x) => sum + x, 0))

  // Start from the best-connected qubit of the largest connected group, and stay in that group.
  const group = largestGroup(graph)
  if (group.length < numLogical) {
    throw new Error(`the largest connected group of qubits has ${group.length}, fewer than ${numLogical}`)
  }
  let start = group[0] as number
  for (const p of group) if (graph.degree(p) > graph.degree(start)) start = p

  const layout = new Array<number>(numLogical).fill(-1)
  const taken = new Set<number>()
  const placed: number[] = []
  while (placed.length < numLogical) {
    // The unplaced qubit most tied to those already placed, then the busiest, then the lowest.
    let next = -1
    let bestTie = -1
    for (let l = 0; l < numLogical; l++) {
      if (layout[l] !== -1) continue
      const tie = placed.reduce((sum, m) => sum + w(l, m), 0)
      if (
        next === -1 ||
        tie > bestTie ||
        (tie === bestTie && (total[l] as number) > (total[next] as number))
      ) {
        next = l
        bestTie = tie
      }
    }
    // The free physical qubit closest (weighted) to its partners, then closest to the start.
    let bestPhysical = -1
    let bestCost = Number.POSITIVE_INFINITY
    let bestReach = Number.POSITIVE_INFINITY
    for (const p of group) {
      if (taken.has(p)) continue
      let cost = 0
      for (const m of placed) if (w(next, m) > 0) cost += w(next, m) * graph.distance(p, layout[m] as number)
      const reach = placed.length === 0 ? (p === start ? 0 : 1) : graph.distance(p, start)
      if (cost < bestCost || (cost === bestCost && reach < bestReach) || bestPhysical === -1) {
        bestPhysical = p
        bestCost = cost
        bestReach = reach
      }
    }
    layout[next] = bestPhysical
    taken.add(bestPhysical)
    placed.push(next)
  }
  return layout
}

/** The qubits of the largest connected component, in ascending order. */
function largestGroup(graph: CouplingGraph): number[] {
  const seen = new Set<number>()
  let best: number[] = []
  for (let p = 0; p < graph.numQubits; p++) {
    if (seen.has(p)) continue
    const group: number[] = []
    for (let r = p; r < graph.numQubits; r++) {
      if (Number.isFinite(graph.distance(p, r))) {
        group.push(r)
        seen.add(r)
      }
    }
    if (group.length > best.length) best = group
  }
  return best
}

/** `ops` on logical qubits, rewritten onto physical ones starting from `layout`. */
export function route(graph: CouplingGraph, ops: readonly RoutedOp[], layout: readonly number[]): Routed {
  const position = [...layout]
  const occupant = new Array<number>(graph.numQubits).fill(-1)
  position.forEach((p, l) => {
    occupant[p] = l
  })
  const at = (l: number): number => position[l] as number
  const out: RoutedOp[] = []
  const swap = (p: number, r: number): void => {
    out.push({ kind: 'cx', control: p, target: r }, { kind: 'cx', control: r, target: p })
    out.push({ kind: 'cx', control: p, target: r })
    const lp = occupant[p] as number
    const lr = occupant[r] as number
    occupant[p] = lr
    occupant[r] = lp
    if (lp !== -1) position[lp] = r
    if (lr !== -1) position[lr] = p
  }
  for (const op of ops) {
    const pair = pairsOf(op)
    if (pair !== undefined) {
      const [a, b] = pair
      if (!graph.adjacent(at(a), at(b))) {
        const path = graph.shortestPath(at(a), at(b))
        for (let i = 0; i + 2 < path.length; i++) swap(path[i] as number, path[i + 1] as number)
      }
    }
    switch (op.kind) {
      case 'u':
        out.push({ kind: 'u', qubit: at(op.qubit), matrix: op.matrix })
        break
      case 'cx':
        out.push({ kind: 'cx', control: at(op.control), target: at(op.target) })
        break
      case 'cz':
        out.push({ kind: 'cz', a: at(op.a), b: at(op.b) })
        break
      case 'barrier':
        out.push({ kind: 'barrier', qubits: op.qubits.map(at) })
        break
    }
  }
  return { ops: out, initialLayout: [...layout], finalLayout: position }
}
