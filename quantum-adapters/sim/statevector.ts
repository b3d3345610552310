// The final state of a measurement-free circuit, for verification and benchmarks.

import type { Circuit, GateOp } from '../circuit/circuit.ts'
import { BlockRunner, EngineMemory, engineLayout } from './block-engine.ts'
import { compilePlan, DEFAULT_PLAN_OPTIONS, type PlanOptions } from './plan.ts'
import type { ThreadPool } from './thread-pool.ts'

export interface StatevectorResult {
  /** 2^n amplitudes, re and im interleaved (a view of the shared state); amplitude i is basis state i (qubit 0 the low bit). */
  readonly amplitudes: Float64Array
  /** Fused block passes over the state. */
  readonly passes: number
}

export async function statevector(
  circuit: Circuit,
  options: { pool?: ThreadPool; plan?: PlanOptions } = {},
): Promise<StatevectorResult> {
  const gates: GateOp[] = []
  for (const op of circuit.ops) {
    if (op.kind === 'barrier') continue
    if (op.kind !== 'gate' || op.condition !== undefined) {
      throw new Error(
        `statevector() takes gates only; the circuit has a ${op.kind}${op.kind === 'gate' ? ' with if' : ''}`,
      )
    }
    gates.push(op)
  }
  const planOptions = options.plan ?? DEFAULT_PLAN_OPTIONS
  const plan = compilePlan(gates, circuit.numQubits, planOptions)
  const threads = options.pool?.size ?? 1
  const memory = new EngineMemory(engineLayout(circuit.numQubits, planOptions.blockQubits, threads))
  const [loaded = []] = memory.load([plan])
  memory.amplitudes()[0] = 1
  if (options.pool === undefined) {
    const runner = new BlockRunner(memory.memory, memory.layout, 0)
    for (const block of loaded) runner.runBlock(block, 0, 1)
  } else await options.pool.run(memory.memory, memory.layout, loaded)
  return { amplitudes: memory.amplitudes(), passes: loaded.length }
}
