// A backend's coupling map: which ordered physical qubit pairs take its 2-qubit gate, and
// distances over the undirected graph for layout and routing. A backend that publishes no map
// (a simulator) couples every pair both ways.

export interface CouplingGraph {
  readonly numQubits: number
  /** Whether the 2-qubit basis gate may be applied with `a` first and `b` second. */
  hasEdge(a: number, b: number): boolean
  /** Whether `a` and `b` are coupled in either direction. */
  adjacent(a: number, b: number): boolean
  distance(a: number, b: number): number
  /** Qubits from `a` to `b` inclusive, each next to the one before; deterministic. */
  shortestPath(a: number, b: number): number[]
  degree(a: number): number
}

export function couplingGraph(
  numQubits: number,
  edges: readonly (readonly [number, number])[] | null,
): CouplingGraph {
  if (edges === null) return completeGraph(numQubits)
  const directed = new Set<number>()
  const neighbours: number[][] = Array.from({ length: numQubits }, () => [])
  for (const [a, b] of edges) {
    if (a === b || a < 0 || b < 0 || a >= numQubits || b >= numQubits) {
      throw new Error(`coupling map edge [${a}, ${b}] is not a pair of distinct qubits below ${numQubits}`)
    }
    directed.add(a * numQubits + b)
    const fromA = neighbours[a] as number[]
    const fromB = neighbours[b] as number[]
    if (!fromA.includes(b)) fromA.push(b)
    if (!fromB.includes(a)) fromB.push(a)
  }
  for (const list of neighbours) list.sort((x, y) => x - y)
  const searches = new Map<number, { parent: Int32Array; distance: Int32Array }>()
  // Breadth-first search from `source`, kept per source: each qubit's parent on a shortest path
  // and its distance (-1 where unreachable).
  const bfs = (source: number): { parent: Int32Array; distance: Int32Array } => {
    const cached = searches.get(source)
    if (cached !== undefined) return cached
    const parent = new Int32Array(numQubits).fill(-1)
    const distance = new Int32Array(numQubits).fill(-1)
    parent[source] = source
    distance[source] = 0
    const queue = [source]
    for (let head = 0; head < queue.length; head++) {
      const at = queue[head] as number
      for (const next of neighbours[at] as number[]) {
        if (parent[next] !== -1) continue
        parent[next] = at
        distance[next] = (distance[at] as number) + 1
        queue.push(next)
      }
    }
    const search = { parent, distance }
    searches.set(source, search)
    return search
  }
  const shortestPath = (a: number, b: number): number[] => {
    const { parent } = bfs(a)
    if (parent[b] === -1) throw new Error(`qubits ${a} and ${b} are not connected in the coupling map`)
    const path = [b]
    while (path[path.length - 1] !== a) path.push(parent[path[path.length - 1] as number] as number)
    return path.reverse()
  }
  return {
    numQubits,
    hasEdge: (a, b) => directed.has(a * numQubits + b),
    adjacent: (a, b) => directed.has(a * numQubits + b) || directed.has(b * numQubits + a),
    distance: (a, b) => {
      const d = bfs(a).distance[b] as number
      return d === -1 ? Number.POSITIVE_INFINITY : d
    },
    shortestPath,
    degree: (a) => (neighbours[a] as number[]).length,
  }
}

function completeGraph(numQubits: number): CouplingGraph {
  return {
    numQubits,
    hasEdge: (a, b) => a !== b,
    adjacent: (a, b) => a !== b,
    distance: (a, b) => (a === b ? 0 : 1),
    shortestPath: (a, b) => (a === b ? [a] : [a, b]),
    degree: () => numQubits - 1,
  }
}
