// Loads Freivalds' WebAssembly kernels (assembly/dots.ts, built at install into build/) on a
// given shared memory. The module is compiled once per thread and instantiated per memory.
import { readFileSync } from 'node:fs'

export const DOTS_WASM_FILE = new URL('./build/dots.wasm', import.meta.url)

export interface DotKernels {
  rowDots(mat: number, cols: number, vec: number, out: number, rowStart: number, rowEnd: number): void
  rowDotsChecked(
    mat: number,
    cols: number,
    vec: number,
    out: number,
    rowStart: number,
    rowEnd: number,
    bound: number,
  ): number
  rowDotsWithAbs(
    mat: number,
    cols: number,
    vec: number,
    vecAbs: number,
    out: number,
    outAbs: number,
    rowStart: number,
    rowEnd: number,
  ): void
}

let compiled: WebAssembly.Module | undefined
const instances = new WeakMap<WebAssembly.Memory, DotKernels>()

export function dotKernels(memory: WebAssembly.Memory): DotKernels {
  let kernels = instances.get(memory)
  if (kernels === undefined) {
    const instance = new WebAssembly.Instance(dotsModule(), { env: { memory } })
    kernels = instance.exports as unknown as DotKernels
    instances.set(memory, kernels)
  }
  return kernels
}

function dotsModule(): WebAssembly.Module {
  if (compiled === undefined) {
    let bytes: Uint8Array<ArrayBuffer>
    try {
      bytes = new Uint8Array(readFileSync(DOTS_WASM_FILE))
    } catch {
      throw new Error(
        `Freivalds' kernels are not built (${DOTS_WASM_FILE.pathname}); run 'npm run build:wasm'`,
      )
    }
    compiled = new WebAssembly.Module(bytes)
  }
  return compiled
}
