// Refuses every import but the granted hcx functions with their exact signatures, before
// anything is instantiated. The engine's own import list is the authority on what is imported
// (it sees memories and tags that binaryen.js cannot list); binaryen gives the signatures,
// which the engine would not check itself because a JavaScript function fits any signature.

import binaryen from 'binaryen'
import {
  HCX_FUNCTIONS,
  HCX_IMPORT_MODULE,
  type HcxFunctionName,
  type HostSignature,
  isHcxFunction,
  signatureText,
} from './abi.ts'
import { WasmError } from './errors.ts'

export function checkImports(
  compiled: WebAssembly.Module,
  module: binaryen.Module,
  grants: readonly HcxFunctionName[],
): void {
  const allowed = grants.map((grant) => `${HCX_IMPORT_MODULE}.${grant}`)
  const signatures = importedSignatures(module)
  for (const { module: from, name, kind } of WebAssembly.Module.imports(compiled)) {
    const where = `${from}.${name}`
    const refuse = (message: string): WasmError =>
      new WasmError({ code: 'WASM_FORBIDDEN_IMPORT', module: from, name, kind, allowed }, message)
    if (kind !== 'function') {
      throw refuse(
        `the module imports the ${kind} ${where}; a module may import only functions (${describeAllowed(allowed)}), ` +
          `so define the ${kind} inside the module${kind === 'memory' ? ' and export it' : ''}`,
      )
    }
    if (from !== HCX_IMPORT_MODULE || !isHcxFunction(name)) {
      throw refuse(
        `the module imports ${where}, which hcx does not provide; it may import only ${describeAllowed(allowed)}. ` +
          'Build for bare wasm32 (no WASI, no JavaScript glue) and do input and output through the hcx functions',
      )
    }
    if (!grants.includes(name)) {
      throw refuse(
        `the module imports ${where}, which this job does not grant; grant it to the job or build without it ` +
          `(granted: ${describeAllowed(allowed)})`,
      )
    }
    const actual = signatures.get(where)
    const expected: HostSignature = HCX_FUNCTIONS[name]
    if (actual !== undefined && !sameSignature(actual, expected)) {
      throw refuse(
        `the module imports ${where} with type ${actual.text}; it must be ${signatureText(expected)}`,
      )
    }
  }
}

function describeAllowed(allowed: readonly string[]): string {
  return allowed.length === 0 ? 'nothing: the job grants no host functions' : allowed.join(', ')
}

interface ImportedSignature {
  readonly params: binaryen.Type
  readonly results: binaryen.Type
  readonly text: string
}

function importedSignatures(module: binaryen.Module): Map<string, ImportedSignature> {
  const found = new Map<string, ImportedSignature>()
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i))
    if (!info.module) continue
    const params = binaryen.expandType(info.params).map(typeName)
    const results = binaryen.expandType(info.results).map(typeName)
    found.set(`${info.module}.${info.base ?? ''}`, {
      params: info.params,
      results: info.results,
      text: `(${params.join(', ')}) -> ${results.length === 0 ? '()' : results.join(', ')}`,
    })
  }
  return found
}

function sameSignature(actual: ImportedSignature, expected: HostSignature): boolean {
  // binaryen interns types, so equal signatures have equal type ids.
  return (
    actual.params === binaryen.createType(expected.params.map(valueType)) &&
    actual.results === binaryen.createType(expected.results.map(valueType))
  )
}

const VALUE_TYPES: Record<HostSignature['params'][number], binaryen.Type> = { i32: binaryen.i32 }

function valueType(name: HostSignature['params'][number]): binaryen.Type {
  return VALUE_TYPES[name]
}

const TYPE_NAMES = new Map<binaryen.Type, string>([
  [binaryen.i32, 'i32'],
  [binaryen.i64, 'i64'],
  [binaryen.f32, 'f32'],
  [binaryen.f64, 'f64'],
  [binaryen.v128, 'v128'],
  [binaryen.funcref, 'funcref'],
  [binaryen.externref, 'externref'],
])

function typeName(type: binaryen.Type): string {
  return TYPE_NAMES.get(type) ?? 'ref'
}
