// Runs a circuit on the statevector and returns Qiskit-style counts. Gates between
// measurements are compiled into fused block plans; measurements at the end of the circuit
// are sampled for all shots from the one final state. A measurement, reset or `if` in the
// middle splits the shots between its outcomes (binomially, seeded), and each outcome's
// branch runs on with its share, so the counts are exact samples and the passes over the
// state grow with the number of distinct branches, not with the shots.

import type { Circuit, CircuitOp, Condition, GateOp, MeasureOp } from '../circuit/circuit.ts'
import { type Counts, countsKey, sortedCounts } from '../circuit/counts.ts'
import { QpuError } from '../errors.ts'
import { BlockRunner, EngineMemory, engineLayout, type LoadedPlan } from './block-engine.ts'
import { collapse, flip, probabilityOfOne, sampleBasisStates } from './measurement.ts'
import { compilePlan, DEFAULT_PLAN_OPTIONS, type Plan } from './plan.ts'
import { BYTES_PER_AMPLITUDE, memoryBudgetBytes, qubitLimit } from './qubit-limit.ts'
import { seededRandom } from './random.ts'
import type { ThreadPool } from './thread-pool.ts'

export interface SimulateOptions {
  readonly shots: number
  readonly seed: number
  /** Threads for large states; without one everything runs on the calling thread. */
  readonly pool?: ThreadPool
  readonly signal?: AbortSignal
}

export interface SimulateResult {
  readonly counts: Counts
  /** Fused block passes over the state, for the benchmark and metering. */
  readonly passes: number
}

/** Below this many qubits a pass takes microseconds: threads would only add overhead. */
const THREADED_FROM_QUBITS = 16

type Step =
  | { kind: 'unitary'; plan: number }
  | { kind: 'conditional-gate'; plan: number; condition: Condition }
  | { kind: 'measure'; op: MeasureOp }
  | { kind: 'reset'; qubit: number; condition?: Condition }

interface Program {
  readonly steps: readonly Step[]
  readonly plans: readonly Plan[]
  /** Measurements left to the end: sampled from the final state. */
  readonly finalMeasures: readonly MeasureOp[]
}

export async function simulate(circuit: Circuit, options: SimulateOptions): Promise<SimulateResult> {
  const { numQubits } = circuit
  const limit = qubitLimit()
  if (numQubits > limit) {
    throw new QpuError(
      { code: 'QPU_TOO_MANY_QUBITS', qubits: numQubits, limit },
      `the circuit has ${numQubits} qubits; its state would need ${formatBytes(BYTES_PER_AMPLITUDE * 2 ** numQubits)} ` +
        `and this machine simulates at most ${limit} qubits (${formatBytes(memoryBudgetBytes())} for the state); ` +
        'run it on a real QPU backend or reduce the qubit count',
    )
  }
  const program = compileProgram(circuit)
  const threads = options.pool !== undefined && numQubits >= THREADED_FROM_QUBITS ? options.pool.size : 1
  const memory = new EngineMemory(engineLayout(numQubits, DEFAULT_PLAN_OPTIONS.blockQubits, threads))
  const loaded = memory.load(program.plans)
  memory.amplitudes()[0] = 1
  const runner = threads === 1 ? new BlockRunner(memory.memory, memory.layout, 0) : undefined
  const runPlan = async (plan: LoadedPlan) => {
    if (runner !== undefined) for (const block of plan) runner.runBlock(block, 0, 1)
    else await options.pool?.run(memory.memory, memory.layout, plan)
  }
  const random = seededRandom(options.seed)
  const counts: Counts = {}
  const stateBytes = BYTES_PER_AMPLITUDE * 2 ** numQubits
  let saved = 0
  let passes = 0
  const branch = async (from: number, shots: number, classical: bigint): Promise<void> => {
    for (let at = from; at < program.steps.length; at++) {
      options.signal?.throwIfAborted()
      const step = program.steps[at] as Step
      if (step.kind === 'unitary' || step.kind === 'conditional-gate') {
        if (step.kind === 'conditional-gate' && !holds(step.condition, classical)) continue
        const plan = loaded[step.plan] as LoadedPlan
        await runPlan(plan)
        passes += plan.length
        continue
      }
      const condition = step.kind === 'measure' ? step.op.condition : step.condition
      if (condition !== undefined && !holds(condition, classical)) continue
      const qubit = step.kind === 'measure' ? step.op.qubit : step.qubit
      const amplitudes = memory.amplitudes()
      const p1 = probabilityOfOne(amplitudes, qubit)
      const ones = random.binomial(shots, p1)
      const record = (outcome: 0 | 1): bigint =>
        step.kind === 'measure' ? withBit(classical, step.op.clbit, outcome) : classical
      const settle = (outcome: 0 | 1) => {
        const state = memory.amplitudes()
        collapse(state, qubit, outcome, outcome === 1 ? p1 : 1 - p1)
        if (step.kind === 'reset' && outcome === 1) flip(state, qubit)
      }
      if (ones === 0 || ones === shots) {
        const outcome = ones === 0 ? 0 : 1
        settle(outcome)
        classical = record(outcome)
        continue
      }
      // Both outcomes happen: run the 1 branch on a copy, then the 0 branch on this state.
      // Each open split holds one copy of the state, so the splits share the memory budget.
      if ((saved + 2) * stateBytes > memoryBudgetBytes()) {
        throw new QpuError(
          { code: 'QPU_TOO_MANY_QUBITS', qubits: numQubits, limit },
          `the circuit's mid-circuit measurements need ${saved + 2} copies of its ${formatBytes(stateBytes)} state ` +
            `at once, more than the ${formatBytes(memoryBudgetBytes())} the simulator may use; ` +
            'measure at the end of the circuit or reduce the qubit count',
        )
      }
      const copy = Float64Array.from(amplitudes)
      saved++
      settle(1)
      await branch(at + 1, ones, record(1))
      saved--
      memory.amplitudes().set(copy)
      settle(0)
      shots -= ones
      classical = record(0)
    }
    finish(shots, classical)
  }
  const finish = (shots: number, classical: bigint) => {
    options.signal?.throwIfAborted()
    if (program.finalMeasures.length === 0) {
      add(counts, countsKey(classical, circuit.cregs), shots)
      return
    }
    for (const [state, hits] of sampleBasisStates(memory.amplitudes(), shots, random)) {
      let memoryBits = classical
      for (const m of program.finalMeasures)
        memoryBits = withBit(memoryBits, m.clbit, ((state >> m.qubit) & 1) as 0 | 1)
      add(counts, countsKey(memoryBits, circuit.cregs), hits)
    }
  }
  await branch(0, options.shots, 0n)
  return { counts: sortedCounts(counts), passes }
}

/**
 * Splits the ops into unitary runs (compiled into plans) and the steps between them. A
 * measurement is final when nothing later touches its qubit or clbit and no `if` follows.
 */
export function compileProgram(circuit: Circuit): Program {
  const final = finalMeasurements(circuit.ops)
  const steps: Step[] = []
  const plans: Plan[] = []
  let run: GateOp[] = []
  const flush = () => {
    if (run.length === 0) return
    plans.push(compilePlan(run, circuit.numQubits))
    steps.push({ kind: 'unitary', plan: plans.length - 1 })
    run = []
  }
  const finalMeasures: MeasureOp[] = []
  circuit.ops.forEach((op, index) => {
    if (op.kind === 'barrier') return
    if (op.kind === 'gate' && op.condition === undefined) {
      run.push(op)
      return
    }
    if (final.has(index)) {
      finalMeasures.push(op as MeasureOp)
      return
    }
    flush()
    if (op.kind === 'gate') {
      plans.push(compilePlan([op], circuit.numQubits))
      steps.push({ kind: 'conditional-gate', plan: plans.length - 1, condition: op.condition as Condition })
    } else if (op.kind === 'measure') steps.push({ kind: 'measure', op })
    else
      steps.push({
        kind: 'reset',
        qubit: op.qubit,
        ...(op.condition === undefined ? {} : { condition: op.condition }),
      })
  })
  flush()
  return { steps, plans, finalMeasures }
}

function finalMeasurements(ops: readonly CircuitOp[]): Set<number> {
  const final = new Set<number>()
  const touched = new Set<number>()
  const written = new Set<number>()
  let conditionalLater = false
  for (let index = ops.length - 1; index >= 0; index--) {
    const op = ops[index] as CircuitOp
    if (op.kind === 'barrier') continue
    if (
      op.kind === 'measure' &&
      op.condition === undefined &&
      !conditionalLater &&
      !touched.has(op.qubit) &&
      !written.has(op.clbit)
    ) {
      final.add(index)
    }
    for (const q of op.kind === 'gate' ? op.qubits : [op.qubit]) touched.add(q)
    if (op.kind === 'measure') written.add(op.clbit)
    if (op.condition !== undefined) conditionalLater = true
  }
  return final
}

function holds(condition: Condition, classical: bigint): boolean {
  const { offset, size } = condition.register
  return ((classical >> BigInt(offset)) & ((1n << BigInt(size)) - 1n)) === condition.value
}

function withBit(classical: bigint, clbit: number, value: 0 | 1): bigint {
  const bit = 1n << BigInt(clbit)
  return value === 1 ? classical | bit : classical & ~bit
}

function add(counts: Counts, key: string, hits: number): void {
  counts[key] = (counts[key] ?? 0) + hits
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`
}
