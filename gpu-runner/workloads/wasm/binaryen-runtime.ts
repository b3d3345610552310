// Parts of binaryen.js that exist at run time but that its type declarations leave out: the
// per-class accessors (binaryen.Function.getBody, binaryen.Loop.setBody, ...) and the C entry
// for adding a local. Each is looked up once, when this file loads, so a binaryen upgrade that
// drops one fails loudly here instead of deep inside a pass.

import binaryen from 'binaryen'

const runtime = binaryen as unknown as Record<string, unknown>

export function runtimeMethod<F>(className: string, method: string): F {
  const owner = runtime[className]
  const fn = typeof owner === 'function' ? (owner as unknown as Record<string, unknown>)[method] : undefined
  if (typeof fn !== 'function') throw new Error(`binaryen.${className}.${method} is missing from binaryen.js`)
  return fn as F
}

type FunctionRef = binaryen.FunctionRef
type ExpressionRef = binaryen.ExpressionRef

export const functionApi = {
  getName: runtimeMethod<(func: FunctionRef) => string>('Function', 'getName'),
  getBody: runtimeMethod<(func: FunctionRef) => ExpressionRef>('Function', 'getBody'),
  setBody: runtimeMethod<(func: FunctionRef, body: ExpressionRef) => void>('Function', 'setBody'),
}

export const tableApi = {
  setMax: runtimeMethod<(table: binaryen.TableRef, max: number) => void>('Table', 'setMax'),
}

const addVar = runtime._BinaryenFunctionAddVar
if (typeof addVar !== 'function')
  throw new Error('binaryen._BinaryenFunctionAddVar is missing from binaryen.js')

/** Adds a local of `type` to `func` and returns its index. */
export function addLocal(func: FunctionRef, type: binaryen.Type): number {
  return (addVar as (func: FunctionRef, type: binaryen.Type) => number)(func, type)
}
