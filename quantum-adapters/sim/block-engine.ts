// Runs plan blocks with the WebAssembly kernels. The state and everything the kernels read
// live in one shared WebAssembly memory: the amplitudes, one pair of block buffers per
// thread, and the loaded plan's matrices and tables. A block pass gathers one setting's
// 2^width amplitudes into the thread's buffer, runs every step there (it stays in cache),
// and scatters them back.

import { readFileSync } from 'node:fs'
import type { Block, Plan, Step } from './plan.ts'

export const KERNELS_WASM_FILE = new URL('./build/kernels.wasm', import.meta.url)

/** wasm32 addresses 4 GiB: 2^27 complex doubles (2 GiB) plus buffers and tables. */
export const MAX_ENGINE_QUBITS = 27

interface KernelExports {
  single(buf: number, size: number, qubit: number, m: number): void
  singleReal(buf: number, size: number, qubit: number, m: number): void
  controlled(buf: number, size: number, qubit: number, controlMask: number, m: number): void
  phases(buf: number, size: number, table: number): void
  monomial(from: number, to: number, size: number, perm: number, table: number): void
  dense(buf: number, size: number, mask: number, k: number, offsets: number, m: number, scratch: number): void
  gather(state: number, base: number, buf: number, offsets: number, runs: number, run: number): void
  scatter(state: number, base: number, buf: number, offsets: number, runs: number, run: number): void
}

let compiled: WebAssembly.Module | undefined

function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) {
    let bytes: Uint8Array<ArrayBuffer>
    try {
      bytes = new Uint8Array(readFileSync(KERNELS_WASM_FILE))
    } catch {
      throw new Error(
        `the simulator kernels are not built (${KERNELS_WASM_FILE.pathname}); run 'npm run build:wasm'`,
      )
    }
    compiled = new WebAssembly.Module(bytes)
  }
  return compiled
}

const PAGE = 65_536
// The module's own static data sits below this.
const STATE_OFFSET = PAGE
const DENSE_SCRATCH_BYTES = 16 << 6

/** Where everything sits in the shared memory; plain numbers, so it can be posted to workers. */
export interface EngineLayout {
  readonly numQubits: number
  /** Block width the thread buffers are sized for. */
  readonly width: number
  readonly threads: number
  readonly state: number
  /** Per thread: buffer, spare and dense scratch, back to back. */
  readonly scratch: readonly number[]
  readonly plan: number
}

/** Where one step's data sits in memory. */
type LoadedStep =
  | { kind: 'single'; qubit: number; matrix: number }
  | { kind: 'singleReal'; qubit: number; matrix: number }
  | { kind: 'controlled'; qubit: number; controlMask: number; matrix: number }
  | { kind: 'phases'; table: number }
  | { kind: 'monomial'; perm: number; table: number }
  | { kind: 'dense'; mask: number; k: number; offsets: number; matrix: number }

export interface LoadedBlock {
  readonly size: number
  readonly steps: readonly LoadedStep[]
  /** Amplitude offsets of the block's runs from a setting's base. */
  readonly runOffsets: number
  readonly runs: number
  readonly run: number
  /** The qubits the block does not name: one pass per setting of them. */
  readonly outside: readonly number[]
}

export type LoadedPlan = readonly LoadedBlock[]

export function engineLayout(numQubits: number, width: number, threads: number): EngineLayout {
  if (numQubits > MAX_ENGINE_QUBITS) {
    throw new Error(`the engine holds at most ${MAX_ENGINE_QUBITS} qubits, not ${numQubits}`)
  }
  const w = Math.min(width, numQubits)
  const scratchBytes = 2 * (16 << w) + DENSE_SCRATCH_BYTES
  const scratchStart = STATE_OFFSET + 16 * 2 ** numQubits
  const scratch = Array.from({ length: threads }, (_, t) => scratchStart + t * scratchBytes)
  return {
    numQubits,
    width: w,
    threads,
    state: STATE_OFFSET,
    scratch,
    plan: scratchStart + threads * scratchBytes,
  }
}

/** The shared memory of one simulation: created on the main thread, posted to workers. */
export class EngineMemory {
  readonly layout: EngineLayout
  readonly memory: WebAssembly.Memory

  constructor(layout: EngineLayout) {
    this.layout = layout
    this.memory = new WebAssembly.Memory({
      initial: Math.ceil(layout.plan / PAGE),
      maximum: PAGE,
      shared: true,
    })
  }

  /** A live view of the amplitudes (re, im interleaved); take a new one after loading a plan. */
  amplitudes(): Float64Array {
    return new Float64Array(this.memory.buffer, this.layout.state, 2 * 2 ** this.layout.numQubits)
  }

  /** Writes the plans' matrices and tables after the thread buffers, replacing any loaded before. */
  load(plans: readonly Plan[]): LoadedPlan[] {
    const writer = new PlanWriter(this.memory, this.layout.plan)
    return plans.map((plan) => plan.blocks.map((block) => loadBlock(block, this.layout, writer)))
  }
}

/** One thread's view: its own kernel instance over the shared memory. */
export class BlockRunner {
  readonly #kernels: KernelExports
  readonly #layout: EngineLayout
  readonly #buffer: number
  readonly #spare: number
  readonly #denseScratch: number

  constructor(memory: WebAssembly.Memory, layout: EngineLayout, thread: number) {
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory } })
    this.#kernels = instance.exports as unknown as KernelExports
    this.#layout = layout
    const scratch = layout.scratch[thread]
    if (scratch === undefined) throw new Error(`the layout has no thread ${thread}`)
    this.#buffer = scratch
    this.#spare = scratch + (16 << layout.width)
    this.#denseScratch = this.#spare + (16 << layout.width)
  }

  /** Applies `block` to its `part`-th of `parts` shares of the state. */
  runBlock(block: LoadedBlock, part: number, parts: number): void {
    const k = this.#kernels
    const { state } = this.#layout
    const settings = 2 ** block.outside.length
    const first = Math.floor((settings * part) / parts)
    const last = Math.floor((settings * (part + 1)) / parts)
    for (let setting = first; setting < last; setting++) {
      const base = deposit(setting, block.outside)
      k.gather(state, base, this.#buffer, block.runOffsets, block.runs, block.run)
      const result = this.#runSteps(block.steps, block.size)
      k.scatter(state, base, result, block.runOffsets, block.runs, block.run)
    }
  }

  #runSteps(steps: readonly LoadedStep[], size: number): number {
    const k = this.#kernels
    let current = this.#buffer
    let other = this.#spare
    for (const step of steps) {
      switch (step.kind) {
        case 'single':
          k.single(current, size, step.qubit, step.matrix)
          break
        case 'singleReal':
          k.singleReal(current, size, step.qubit, step.matrix)
          break
        case 'controlled':
          k.controlled(current, size, step.qubit, step.controlMask, step.matrix)
          break
        case 'phases':
          k.phases(current, size, step.table)
          break
        case 'monomial': {
          k.monomial(current, other, size, step.perm, step.table)
          const swap = current
          current = other
          other = swap
          break
        }
        case 'dense':
          k.dense(current, size, step.mask, step.k, step.offsets, step.matrix, this.#denseScratch)
          break
      }
    }
    return current
  }
}

class PlanWriter {
  readonly #memory: WebAssembly.Memory
  #next: number

  constructor(memory: WebAssembly.Memory, start: number) {
    this.#memory = memory
    this.#next = start
  }

  /** Appends `data`, 16-byte aligned, and returns its address. */
  write(data: Float64Array | Int32Array): number {
    const at = this.#next
    const end = at + data.byteLength
    const have = this.#memory.buffer.byteLength
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE))
    new Uint8Array(this.#memory.buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    )
    this.#next = at + Math.ceil(data.byteLength / 16) * 16
    return at
  }
}

function loadBlock(block: Block, layout: EngineLayout, writer: PlanWriter): LoadedBlock {
  const width = block.qubits.length
  if (width > layout.width)
    throw new Error(`a block of ${width} qubits does not fit buffers of ${layout.width}`)
  let lowRun = 0
  while (lowRun < width && block.qubits[lowRun] === lowRun) lowRun++
  const high = block.qubits.subarray(lowRun)
  const runOffsets = new Int32Array(1 << high.length)
  for (let h = 0; h < runOffsets.length; h++) runOffsets[h] = deposit(h, high)
  const inBlock = new Set(block.qubits)
  const outside: number[] = []
  for (let q = 0; q < layout.numQubits; q++) if (!inBlock.has(q)) outside.push(q)
  return {
    size: 1 << width,
    steps: block.steps.flatMap((step) => loadStep(step, writer)),
    runOffsets: writer.write(runOffsets),
    runs: runOffsets.length,
    run: 1 << lowRun,
    outside,
  }
}

function loadStep(step: Step, writer: PlanWriter): LoadedStep[] {
  switch (step.kind) {
    case 'single': {
      const { qubit, matrix } = step
      if (matrix.every((x, i) => i % 2 === 0 || x === 0)) {
        const splat = new Float64Array(8)
        for (let e = 0; e < 4; e++) splat.fill(matrix[2 * e] as number, 2 * e, 2 * e + 2)
        return [{ kind: 'singleReal', qubit, matrix: writer.write(splat) }]
      }
      return [{ kind: 'single', qubit, matrix: writer.write(expand(matrix)) }]
    }
    case 'controlled': {
      const { qubit, controlMask } = step
      return [{ kind: 'controlled', qubit, controlMask, matrix: writer.write(expand(step.matrix)) }]
    }
    case 'monomial': {
      const table = step.phases === null ? 0 : writer.write(step.phases)
      // Gates that cancel out (X·X, S·S†) leave nothing to do.
      if (step.perm === null) return table === 0 ? [] : [{ kind: 'phases', table }]
      return [{ kind: 'monomial', perm: writer.write(step.perm), table }]
    }
    case 'dense': {
      const k = step.qubits.length
      const offsets = new Int32Array(1 << k)
      for (let j = 0; j < offsets.length; j++) {
        let offset = 0
        for (let b = 0; b < k; b++) if (((j >> b) & 1) === 1) offset |= 1 << (step.qubits[b] as number)
        offsets[j] = offset
      }
      const mask = offsets[offsets.length - 1] as number
      return [
        { kind: 'dense', mask, k, offsets: writer.write(offsets), matrix: writer.write(expand(step.matrix)) },
      ]
    }
  }
}

/** Each complex (r, i) as [r, r, -i, i]: the form the kernels multiply by. */
function expand(matrix: Float64Array): Float64Array {
  const out = new Float64Array(matrix.length * 2)
  for (let e = 0; e < matrix.length / 2; e++) {
    const re = matrix[2 * e] as number
    const im = matrix[2 * e + 1] as number
    out.set([re, re, -im, im], 4 * e)
  }
  return out
}

/** Bit i of `value` moved to bit positions[i]. */
function deposit(value: number, positions: ArrayLike<number>): number {
  let out = 0
  for (let i = 0; i < positions.length; i++)
    if (((value >> i) & 1) === 1) out |= 1 << (positions[i] as number)
  return out
}
