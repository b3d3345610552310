// Meters a module in fuel by rewriting it. A mutable i64 global starts at the job's fuel; at
// every function entry and at the top of every loop body the code subtracts the static cost
// of the region that follows and traps (unreachable) once the counter is below zero. The host
// reads the counter after a trap: below zero means out of fuel, not a guest bug.
//
// A region is a function body or a loop body minus the loops nested in it. Control inside a
// region only moves forward (blocks, ifs and branches out of them), and the only way back is
// a branch to a loop, which lands on that loop's charge; so a region's code runs at most once
// per charge, and charging its full expression count (every arm of every if, a nested loop
// as 1) over-approximates the work soundly. Bulk memory instructions also pay one unit per
// BYTES_PER_FUEL bytes of their dynamic size, charged before they run.
//
// The counter is added after the guest's code was parsed, so no guest instruction can name
// it, and it is never importable; the host alone sees it, through an export the host names.

import binaryen from 'binaryen'
import { BYTES_PER_FUEL } from './abi.ts'
import { functionApi } from './binaryen-runtime.ts'
import { childAt, setChildAt } from './expression-children.ts'
import { freshFunctionName, freshGlobalName } from './fresh-names.ts'
import { definedFunctions, walkFunction } from './walk-expressions.ts'

type Ref = binaryen.ExpressionRef

/** Position of the byte count among the children of memory.copy, memory.fill and memory.init. */
const BULK_SIZE_CHILD = 2
/** A loop's only child is its body. */
const LOOP_BODY_CHILD = 0

/** Rewrites every function of `module` to draw on a `fuel`-unit counter; returns the counter's global name. */
export function instrumentFuel(module: binaryen.Module, fuel: number): string {
  const counter = freshGlobalName(module, 'hcx_fuel')
  module.addGlobal(counter, binaryen.i64, true, module.i64.const(BigInt(fuel)))
  const functions = definedFunctions(module)
  let chargeBytes: string | undefined
  for (const func of functions) {
    const { bodyCost, loopCosts, bulk } = measure(func)
    for (const [loop, cost] of loopCosts) {
      const body = childAt(loop, LOOP_BODY_CHILD)
      setChildAt(loop, LOOP_BODY_CHILD, charged(module, counter, cost, body))
    }
    for (const expr of bulk) {
      chargeBytes ??= addChargeBytes(module, counter)
      const size = childAt(expr, BULK_SIZE_CHILD)
      setChildAt(expr, BULK_SIZE_CHILD, module.call(chargeBytes, [size], binaryen.i32))
    }
    functionApi.setBody(func, charged(module, counter, bodyCost, functionApi.getBody(func)))
  }
  return counter
}

interface Costs {
  readonly bodyCost: number
  readonly loopCosts: Map<Ref, number>
  readonly bulk: Ref[]
}

function measure(func: binaryen.FunctionRef): Costs {
  let bodyCost = 0
  const loopCosts = new Map<Ref, number>()
  const bulk: Ref[] = []
  walkFunction(func, (expr, _parent, _index, loop) => {
    if (loop === 0) bodyCost++
    else loopCosts.set(loop, (loopCosts.get(loop) ?? 0) + 1)
    const id = binaryen.getExpressionId(expr)
    if (id === binaryen.MemoryCopyId || id === binaryen.MemoryFillId || id === binaryen.MemoryInitId)
      bulk.push(expr)
  })
  return { bodyCost, loopCosts, bulk }
}

/** `(block (charge cost) code)`, typed like `code`. */
function charged(module: binaryen.Module, counter: string, cost: number, code: Ref): Ref {
  return module.block(null, [...charge(module, counter, module.i64.const(BigInt(cost))), code], binaryen.auto)
}

function charge(module: binaryen.Module, counter: string, cost: Ref): Ref[] {
  const current = () => module.global.get(counter, binaryen.i64)
  return [
    module.global.set(counter, module.i64.sub(current(), cost)),
    module.if(module.i64.lt_s(current(), module.i64.const(0n)), module.unreachable()),
  ]
}

// (func $charge_bytes (param $n i32) (result i32)
//   (charge (ceil (n / BYTES_PER_FUEL))) (local.get $n))
// It passes the size through, so it wraps a size operand without changing evaluation order.
function addChargeBytes(module: binaryen.Module, counter: string): string {
  const name = freshFunctionName(module, 'hcx_charge_bytes')
  const bytes = module.i64.extend_u(module.local.get(0, binaryen.i32))
  const units = module.i64.div_u(
    module.i64.add(bytes, module.i64.const(BigInt(BYTES_PER_FUEL - 1))),
    module.i64.const(BigInt(BYTES_PER_FUEL)),
  )
  const body = module.block(
    null,
    [...charge(module, counter, units), module.local.get(0, binaryen.i32)],
    binaryen.i32,
  )
  module.addFunction(name, binaryen.i32, binaryen.i32, [], body)
  return name
}
