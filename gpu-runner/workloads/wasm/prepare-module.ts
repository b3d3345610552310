// Turns the buyer's bytes into the module the sandbox runs: checked (imports, features,
// exports, memory) and rewritten (memory limit, fuel, NaN canonicalisation, deferred start).
// It parses hostile input, so it runs only inside the sandbox worker, never on the caller's
// thread.

import binaryen from 'binaryen'
import type { HcxFunctionName } from './abi.ts'
import { functionApi } from './binaryen-runtime.ts'
import { canonicaliseNans } from './canonicalise-nans.ts'
import { checkExports } from './check-exports.ts'
import { checkFeatures } from './check-features.ts'
import { checkImports } from './check-imports.ts'
import { WasmError } from './errors.ts'
import { freshExportName, freshFunctionName } from './fresh-names.ts'
import { instrumentFuel } from './instrument-fuel.ts'
import { limitMemory } from './limit-memory.ts'
import { memoryLimitPages, type WasmLimits } from './limits.ts'
import { definedFunctions } from './walk-expressions.ts'

export interface PrepareOptions {
  readonly entry: string
  readonly grants: readonly HcxFunctionName[]
  readonly limits: WasmLimits
  /** What binaryen printed since the last call (its validator reports through the console). */
  readonly diagnostics: () => string
}

export interface PreparedModule {
  readonly bytes: Uint8Array<ArrayBuffer>
  readonly entry: string
  readonly entryReturnsCode: boolean
  /** Export names the host uses; chosen so they cannot clash with the guest's own exports. */
  readonly fuelExport: string
  /** The guest's start function, exported so the host can call it after instantiation, or null. */
  readonly startExport: string | null
  readonly memoryExport: string | null
  readonly initialPages: number
  /** Maps a function index of the instrumented module back to the guest's own numbering. */
  readonly functionIndex: FunctionIndexShift
}

/** The instrumenter's imports sit after the guest's `guestImports` imported functions. */
export interface FunctionIndexShift {
  readonly guestImports: number
  readonly addedImports: number
}

export function guestFunctionIndex(index: number, shift: FunctionIndexShift): number {
  return index >= shift.guestImports + shift.addedImports ? index - shift.addedImports : index
}

export function prepareModule(original: Uint8Array<ArrayBuffer>, options: PrepareOptions): PreparedModule {
  const compiled = compileOriginal(original)
  try {
    return instrument(compiled, readModule(original), options)
  } catch (err) {
    // binaryen recurses over nested code; a module nested deep enough exhausts the stack.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      const reason = 'its code is nested too deeply to instrument'
      throw new WasmError(
        { code: 'WASM_INVALID_MODULE', reason },
        `the job's module cannot be metered: ${reason}`,
      )
    }
    throw err
  }
}

function instrument(
  compiled: WebAssembly.Module,
  module: binaryen.Module,
  options: PrepareOptions,
): PreparedModule {
  try {
    checkImports(compiled, module, options.grants)
    checkFeatures(module, options.diagnostics)
    const exports = checkExports(compiled, module, options.entry)
    const guestImports = importedFunctions(module)
    const initialPages = limitMemory(module, memoryLimitPages(options.limits))
    const functionIndex = { guestImports, addedImports: importedFunctions(module) - guestImports }
    const counter = instrumentFuel(module, options.limits.fuel)
    canonicaliseNans(module)
    const startExport = deferStart(module)
    const fuelExport = freshExportName(module, 'hcx_fuel')
    module.addGlobalExport(counter, fuelExport)
    options.diagnostics()
    if (!module.validate()) {
      throw new Error(`the instrumented module does not validate: ${options.diagnostics().slice(0, 2000)}`)
    }
    return {
      bytes: emitWithNames(module),
      entry: options.entry,
      entryReturnsCode: exports.entryReturnsCode,
      fuelExport,
      startExport,
      memoryExport: exports.memory,
      initialPages,
      functionIndex,
    }
  } finally {
    module.dispose()
  }
}

function importedFunctions(module: binaryen.Module): number {
  return module.getNumFunctions() - definedFunctions(module).length
}

// The engine's compiler is the reference for what a valid module is, and its messages say
// where the bytes go wrong; binaryen is only asked to read what the engine accepted.
function compileOriginal(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new WasmError(
      { code: 'WASM_INVALID_MODULE', reason },
      `the job's module is not valid WebAssembly: ${reason}`,
    )
  }
}

function readModule(bytes: Uint8Array): binaryen.Module {
  try {
    return binaryen.readBinary(bytes)
  } catch {
    const reason = 'binaryen could not read a module that the engine accepted'
    throw new WasmError(
      { code: 'WASM_INVALID_MODULE', reason },
      `the job's module could not be prepared for metering: ${reason}`,
    )
  }
}

// Host functions need the instance's exports (memory, fuel), which do not exist yet while a
// start function runs during instantiation. So the start function becomes a no-op and the
// guest's own start is exported for the host to call right after instantiating.
function deferStart(module: binaryen.Module): string | null {
  const start = module.getStart()
  if (start === 0) return null
  const exportName = freshExportName(module, 'hcx_start')
  module.addFunctionExport(functionApi.getName(start), exportName)
  const noop = module.addFunction(
    freshFunctionName(module, 'hcx_no_start'),
    binaryen.none,
    binaryen.none,
    [],
    module.nop(),
  )
  module.setStart(noop)
  return exportName
}

// With a name section, the engine's trap stack names the guest's functions.
function emitWithNames(module: binaryen.Module): Uint8Array<ArrayBuffer> {
  binaryen.setDebugInfo(true)
  try {
    return new Uint8Array(module.emitBinary())
  } finally {
    binaryen.setDebugInfo(false)
  }
}
