// Refuses modules that use a proposal whose results could differ between runs or machines, or
// that could escape the memory and fuel limits. Two layers: binaryen's validator, run with only
// the allowed feature set, names any forbidden proposal; then every expression must be one the
// instrumenter understands (expression-children.ts), so nothing runs unmetered.

import binaryen from 'binaryen'
import { WasmError } from './errors.ts'
import { expressionKindName, isSupported } from './expression-children.ts'
import { definedFunctions, functionName, walkFunction } from './walk-expressions.ts'

const F = binaryen.Features

/**
 * What toolchains emit by default today, all deterministic apart from NaN bit patterns (which
 * canonicalise-nans.ts fixes). Left out: threads and atomics (scheduling-dependent), relaxed SIMD
 * (results differ by CPU), multiple memories and memory64 (the limit covers one wasm32 memory),
 * GC, strings and stack switching (heap objects outside linear memory, beyond the limit),
 * exception handling (not instrumented yet), FP16 and the rest of the newer proposals.
 */
export const ALLOWED_FEATURES: binaryen.Features =
  F.MVP |
  F.MutableGlobals |
  F.NontrappingFPToInt |
  F.SignExt |
  F.BulkMemory |
  F.BulkMemoryOpt |
  F.SIMD128 |
  F.ReferenceTypes |
  F.Multivalue |
  F.TailCall |
  F.ExtendedConst |
  F.CallIndirectOverlong

interface ForbiddenFeature {
  readonly flag: binaryen.Features
  readonly name: string
  readonly why: string
}

// In probing order: a module that needs several is named after the first that, together with
// those before it, makes the module valid.
const FORBIDDEN: readonly ForbiddenFeature[] = [
  {
    flag: F.Atomics,
    name: 'threads (shared memory or atomics)',
    why: 'results would depend on thread scheduling; build single-threaded, without +atomics',
  },
  {
    flag: F.RelaxedSIMD,
    name: 'relaxed SIMD',
    why: 'its results differ between CPUs; build without +relaxed-simd',
  },
  { flag: F.MultiMemory, name: 'multiple memories', why: 'the memory limit covers one memory' },
  { flag: F.Memory64, name: '64-bit memory (memory64)', why: 'jobs run as wasm32; build for wasm32' },
  {
    flag: F.ExceptionHandling,
    name: 'exception handling',
    why: 'it is not metered; build with exceptions disabled (-fno-exceptions, panic=abort)',
  },
  {
    flag: F.GC,
    name: 'garbage-collected types (GC)',
    why: 'GC objects live outside linear memory, beyond the limit',
  },
  { flag: F.Strings, name: 'reference strings', why: 'strings live outside linear memory, beyond the limit' },
  { flag: F.StackSwitching, name: 'stack switching', why: 'it is not metered' },
  {
    flag: F.SharedEverything,
    name: 'shared-everything threads',
    why: 'results would depend on thread scheduling',
  },
  { flag: F.RelaxedAtomics, name: 'relaxed atomics', why: 'results would depend on thread scheduling' },
  {
    flag: F.FP16,
    name: 'half-precision floats (FP16)',
    why: 'not every engine implements them the same way',
  },
  { flag: F.CustomPageSizes, name: 'custom page sizes', why: 'the memory limit counts 64 KiB pages' },
  { flag: F.WideArithmetic, name: 'wide arithmetic', why: 'it is not metered' },
]

export function checkFeatures(module: binaryen.Module, diagnostics: () => string): void {
  diagnostics()
  module.setFeatures(ALLOWED_FEATURES)
  if (!module.validate()) throw featureError(module, diagnostics())
  for (const func of definedFunctions(module)) {
    walkFunction(func, (expr) => {
      if (!isSupported(expr)) throw unsupportedInstruction(expressionKindName(expr), functionName(func))
    })
  }
}

// Which proposal broke validation is found by asking the validator again with more allowed,
// rather than by parsing its printed text; the text only supplies the function, when present.
function featureError(module: binaryen.Module, text: string): WasmError {
  const where = /\[wasm-validator error in function ([^\]]+)\]/.exec(text)?.[1]
  const place = where === undefined ? null : `function ${where}`
  let features = ALLOWED_FEATURES
  const culprit = FORBIDDEN.find((feature) => {
    features |= feature.flag
    module.setFeatures(features)
    return module.validate()
  })
  module.setFeatures(ALLOWED_FEATURES)
  if (culprit === undefined) {
    const reason = 'binaryen rejected a module that the engine accepted'
    return new WasmError(
      { code: 'WASM_INVALID_MODULE', reason },
      `the module could not be prepared for metering: ${reason}`,
    )
  }
  return new WasmError(
    { code: 'WASM_FORBIDDEN_FEATURE', feature: culprit.name, where: place },
    `the module uses ${culprit.name}${place === null ? '' : ` in ${place}`}, which hcx refuses: ${culprit.why}`,
  )
}

function unsupportedInstruction(kind: string, func: string): WasmError {
  const feature = /^(Table(Fill|Copy|Init)|ElemDrop)$/.test(kind)
    ? `bulk table instructions (${kind})`
    : `the ${kind} instruction`
  return new WasmError(
    { code: 'WASM_FORBIDDEN_FEATURE', feature, where: `function ${func}` },
    `the module uses ${feature} in function ${func}, which the hcx fuel meter does not cover; build without it`,
  )
}
