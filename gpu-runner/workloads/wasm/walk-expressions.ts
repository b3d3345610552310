// Visits every expression of a function without recursion (a hostile module can nest far
// deeper than the JavaScript stack) and without allocating per expression (a 16 MiB module
// has millions). A visit names its place as (parent, index), so a pass can replace it later.

import binaryen from 'binaryen'
import { functionApi } from './binaryen-runtime.ts'
import { childAt, childCount, setChildAt } from './expression-children.ts'

type Ref = binaryen.ExpressionRef

/** Where an expression sits: child `index` of `parent`, or the function's body when `parent` is 0. */
export const BODY = 0

/**
 * `loop` is the innermost loop whose body contains `expr` (not counting `expr` itself), or 0
 * at the function's top level.
 */
export type ExpressionVisitor = (expr: Ref, parent: Ref, index: number, loop: Ref) => void

export function walkFunction(func: binaryen.FunctionRef, visit: ExpressionVisitor): void {
  const body = functionApi.getBody(func)
  if (body === 0) return
  // Four parallel stacks instead of one array of objects.
  const exprs: Ref[] = [body]
  const parents: Ref[] = [BODY]
  const indexes: number[] = [0]
  const loops: Ref[] = [0]
  while (exprs.length > 0) {
    const expr = exprs.pop() as Ref
    const parent = parents.pop() as Ref
    const index = indexes.pop() as number
    const loop = loops.pop() as Ref
    visit(expr, parent, index, loop)
    const innerLoop = binaryen.getExpressionId(expr) === binaryen.LoopId ? expr : loop
    const count = childCount(expr)
    for (let i = 0; i < count; i++) {
      const child = childAt(expr, i)
      if (child === 0) continue
      exprs.push(child)
      parents.push(expr)
      indexes.push(i)
      loops.push(innerLoop)
    }
  }
}

export function replaceAt(func: binaryen.FunctionRef, parent: Ref, index: number, replacement: Ref): void {
  if (parent === BODY) functionApi.setBody(func, replacement)
  else setChildAt(parent, index, replacement)
}

/** The functions with bodies, in index order (imports have none). */
export function definedFunctions(module: binaryen.Module): binaryen.FunctionRef[] {
  const functions: binaryen.FunctionRef[] = []
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i)
    if (!binaryen.getFunctionInfo(func).module) functions.push(func)
  }
  return functions
}

export function functionName(func: binaryen.FunctionRef): string {
  return functionApi.getName(func)
}
