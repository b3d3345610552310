// The hcx host functions a guest may import (see run-wasm.ts for the ABI), plus the private
// one the memory-grow helper calls. Every argument is an untrusted u32: bounds are checked
// before memory is touched, and copies are paid for in fuel before they happen.

import { bulkFuel, type HcxFunctionName } from './abi.ts'
import { MEMORY_REPORT_IMPORT } from './limit-memory.ts'
import type { GuestStop } from './sandbox-protocol.ts'

/** Thrown from a host function to stop the guest; no guest code can catch it. */
export class HostStop extends Error {
  readonly stop: GuestStop

  constructor(stop: GuestStop) {
    super(stop.reason)
    this.stop = stop
  }
}

export interface HostOptions {
  readonly input: Uint8Array
  readonly grants: readonly HcxFunctionName[]
  readonly outputLimit: number
  readonly onMemoryGrown: (pages: number) => void
}

export class HostFunctions {
  readonly #options: HostOptions
  readonly #output: Uint8Array[] = []
  #outputBytes = 0
  #memory: WebAssembly.Memory | undefined
  #fuel: WebAssembly.Global<'i64'> | undefined

  constructor(options: HostOptions) {
    this.#options = options
  }

  /** Connects the instance's memory and fuel counter; the host functions cannot run before. */
  link(memory: WebAssembly.Memory | undefined, fuel: WebAssembly.Global<'i64'>): void {
    this.#memory = memory
    this.#fuel = fuel
  }

  /** Only the granted functions are offered; the import check has already refused the rest. */
  imports(): WebAssembly.Imports {
    const all: Record<HcxFunctionName, (...args: number[]) => number | undefined> = {
      input_size: () => this.#options.input.length,
      read_input: (ptr = 0, offset = 0, len = 0) => this.#readInput(ptr >>> 0, offset >>> 0, len >>> 0),
      write_output: (ptr = 0, len = 0) => this.#writeOutput(ptr >>> 0, len >>> 0),
    }
    const granted = Object.fromEntries(this.#options.grants.map((name) => [name, all[name]]))
    return {
      hcx: granted,
      [MEMORY_REPORT_IMPORT.module]: {
        [MEMORY_REPORT_IMPORT.base]: (pages: number) => this.#options.onMemoryGrown(pages),
      },
    }
  }

  /** Everything written so far, in order, as one buffer. */
  output(): Uint8Array {
    const out = new Uint8Array(this.#outputBytes)
    let at = 0
    for (const chunk of this.#output) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  }

  #readInput(ptr: number, offset: number, len: number): number {
    const input = this.#options.input
    const count = offset >= input.length ? 0 : Math.min(len, input.length - offset)
    const memory = this.#bytes('read_input', ptr, count)
    this.#charge(count)
    memory.set(input.subarray(offset, offset + count), ptr)
    return count
  }

  #writeOutput(ptr: number, len: number): undefined {
    const memory = this.#bytes('write_output', ptr, len)
    const attempted = this.#outputBytes + len
    if (attempted > this.#options.outputLimit) throw new HostStop({ reason: 'output-limit', attempted })
    this.#charge(len)
    this.#output.push(memory.slice(ptr, ptr + len))
    this.#outputBytes = attempted
    return undefined
  }

  /** A view of guest memory, after checking that [ptr, ptr + len) lies inside it. */
  #bytes(fn: HcxFunctionName, ptr: number, len: number): Uint8Array {
    const buffer = this.#memory?.buffer
    const size = buffer?.byteLength ?? 0
    if (ptr + len > size) {
      throw new HostStop({
        reason: 'trap',
        trap: `memory access out of bounds: bytes ${ptr} to ${ptr + len} of a ${size}-byte memory`,
        inFunction: `hcx.${fn}`,
      })
    }
    return buffer === undefined ? new Uint8Array(0) : new Uint8Array(buffer)
  }

  #charge(bytes: number): void {
    const fuel = this.#fuel
    if (fuel === undefined) return
    fuel.value -= BigInt(bulkFuel(bytes))
    if (fuel.value < 0n) throw new HostStop({ reason: 'out-of-fuel' })
  }
}
