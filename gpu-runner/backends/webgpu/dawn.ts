// Loads Dawn's node binding (the `webgpu` package) on demand, so a platform without it fails
// only the WebGPU backend and discovery. Its flag constants are read from the module's
// `globals` instead of being assigned onto globalThis: loading WebGPU changes nothing for the
// rest of the process.
import type { create } from 'webgpu'

export interface Dawn {
  /**
   * A fresh `navigator.gpu`. Dawn's instance lives while this object is referenced, so its
   * owner drops the reference when done with it.
   */
  readonly createGpu: () => GPU
  readonly bufferUsage: GPUBufferUsage
  readonly mapMode: GPUMapMode
}

interface DawnGlobals {
  readonly GPUBufferUsage: GPUBufferUsage
  readonly GPUMapMode: GPUMapMode
}

/** Rejects with the loader's own error when the native module cannot be loaded here. */
export async function loadDawn(): Promise<Dawn> {
  const module: { create: typeof create; globals: object } = await import('webgpu')
  const globals = module.globals as DawnGlobals
  return {
    createGpu: () => module.create([]),
    bufferUsage: globals.GPUBufferUsage,
    mapMode: globals.GPUMapMode,
  }
}
