// The child expressions of each kind of binaryen expression this workload accepts, read and
// replaced by position through binaryen's per-class accessors. A kind missing from the table
// is one the instrumenter does not understand, so a module using it is refused.

import binaryen from 'binaryen'
import { runtimeMethod } from './binaryen-runtime.ts'

type Ref = binaryen.ExpressionRef
type Get = (expr: Ref) => Ref
type Set = (expr: Ref, child: Ref) => void

interface Shape {
  /** Fixed children in position order; an optional one reads as 0 when absent. */
  readonly fields: readonly { readonly get: Get; readonly set: Set }[]
  /** A variable-length tail: block children, call operands. */
  readonly list?: {
    readonly count: (expr: Ref) => number
    readonly get: (expr: Ref, index: number) => Ref
    readonly set: (expr: Ref, index: number, child: Ref) => void
  }
}

const accessor = runtimeMethod

/** `listOf` is [singular, plural]: ['Child', 'Children'] reads getNumChildren and getChildAt. */
function shape(className: string, fields: readonly string[], listOf?: readonly [string, string]): Shape {
  const list =
    listOf === undefined
      ? undefined
      : {
          count: accessor<(expr: Ref) => number>(className, `getNum${listOf[1]}`),
          get: accessor<(expr: Ref, index: number) => Ref>(className, `get${listOf[0]}At`),
          set: accessor<(expr: Ref, index: number, child: Ref) => void>(className, `set${listOf[0]}At`),
        }
  return {
    fields: fields.map((field) => ({
      get: accessor<Get>(className, `get${field}`),
      set: accessor<Set>(className, `set${field}`),
    })),
    ...(list === undefined ? {} : { list }),
  }
}

const LEAF: Shape = { fields: [] }
const OPERANDS = ['Operand', 'Operands'] as const

// Everything the allowed feature set (see check-features.ts) can produce, and nothing more.
const SHAPES = new Map<number, Shape>([
  [binaryen.NopId, LEAF],
  [binaryen.BlockId, shape('Block', [], ['Child', 'Children'])],
  [binaryen.IfId, shape('If', ['Condition', 'IfTrue', 'IfFalse'])],
  [binaryen.LoopId, shape('Loop', ['Body'])],
  [binaryen.BreakId, shape('Break', ['Value', 'Condition'])],
  [binaryen.SwitchId, shape('Switch', ['Value', 'Condition'])],
  [binaryen.CallId, shape('Call', [], OPERANDS)],
  [binaryen.CallIndirectId, shape('CallIndirect', ['Target'], OPERANDS)],
  [binaryen.LocalGetId, LEAF],
  [binaryen.LocalSetId, shape('LocalSet', ['Value'])],
  [binaryen.GlobalGetId, LEAF],
  [binaryen.GlobalSetId, shape('GlobalSet', ['Value'])],
  [binaryen.LoadId, shape('Load', ['Ptr'])],
  [binaryen.StoreId, shape('Store', ['Ptr', 'Value'])],
  [binaryen.SIMDExtractId, shape('SIMDExtract', ['Vec'])],
  [binaryen.SIMDReplaceId, shape('SIMDReplace', ['Vec', 'Value'])],
  [binaryen.SIMDShuffleId, shape('SIMDShuffle', ['Left', 'Right'])],
  [binaryen.SIMDTernaryId, shape('SIMDTernary', ['A', 'B', 'C'])],
  [binaryen.SIMDShiftId, shape('SIMDShift', ['Vec', 'Shift'])],
  [binaryen.SIMDLoadId, shape('SIMDLoad', ['Ptr'])],
  [binaryen.SIMDLoadStoreLaneId, shape('SIMDLoadStoreLane', ['Ptr', 'Vec'])],
  [binaryen.MemoryInitId, shape('MemoryInit', ['Dest', 'Offset', 'Size'])],
  [binaryen.DataDropId, LEAF],
  [binaryen.MemoryCopyId, shape('MemoryCopy', ['Dest', 'Source', 'Size'])],
  [binaryen.MemoryFillId, shape('MemoryFill', ['Dest', 'Value', 'Size'])],
  [binaryen.ConstId, LEAF],
  [binaryen.UnaryId, shape('Unary', ['Value'])],
  [binaryen.BinaryId, shape('Binary', ['Left', 'Right'])],
  [binaryen.SelectId, shape('Select', ['IfTrue', 'IfFalse', 'Condition'])],
  [binaryen.DropId, shape('Drop', ['Value'])],
  [binaryen.ReturnId, shape('Return', ['Value'])],
  [binaryen.MemorySizeId, LEAF],
  [binaryen.MemoryGrowId, shape('MemoryGrow', ['Delta'])],
  [binaryen.UnreachableId, LEAF],
  [binaryen.RefNullId, LEAF],
  [binaryen.RefIsNullId, shape('RefIsNull', ['Value'])],
  [binaryen.RefFuncId, LEAF],
  [binaryen.TableGetId, shape('TableGet', ['Index'])],
  [binaryen.TableSetId, shape('TableSet', ['Index', 'Value'])],
  [binaryen.TableSizeId, LEAF],
  [binaryen.TableGrowId, shape('TableGrow', ['Value', 'Delta'])],
  [binaryen.TupleMakeId, shape('TupleMake', [], OPERANDS)],
  [binaryen.TupleExtractId, shape('TupleExtract', ['Tuple'])],
])

export function isSupported(expr: Ref): boolean {
  return SHAPES.has(binaryen.getExpressionId(expr))
}

/** How many child positions `expr` has; some may be empty (0) optional children. */
export function childCount(expr: Ref): number {
  const found = shapeOf(expr)
  return found.fields.length + (found.list?.count(expr) ?? 0)
}

export function childAt(expr: Ref, index: number): Ref {
  const found = shapeOf(expr)
  const field = found.fields[index]
  if (field !== undefined) return field.get(expr)
  if (found.list === undefined) throw new RangeError(`expression has no child ${index}`)
  return found.list.get(expr, index - found.fields.length)
}

/** Puts `child` in position `index` of `expr`; the replacement must have the same type. */
export function setChildAt(expr: Ref, index: number, child: Ref): void {
  const found = shapeOf(expr)
  const field = found.fields[index]
  if (field !== undefined) {
    field.set(expr, child)
    return
  }
  if (found.list === undefined) throw new RangeError(`expression has no child ${index}`)
  found.list.set(expr, index - found.fields.length, child)
}

// binaryen.js exposes every kind's id through a C entry `_Binaryen<Kind>Id()`, including the
// kinds it has no `binaryen.<Kind>Id` constant for.
const ID_NAMES = new Map<number, string>(
  Object.entries(binaryen as unknown as Record<string, unknown>).flatMap(([key, value]) => {
    const kind = /^_Binaryen(\w+)Id$/.exec(key)?.[1]
    if (kind === undefined || kind === 'ExpressionGet' || typeof value !== 'function') return []
    return [[(value as () => number)(), kind] as const]
  }),
)

/** binaryen's name for the kind of `expr` (`AtomicRMW`, `TableFill`), for error messages. */
export function expressionKindName(expr: Ref): string {
  return ID_NAMES.get(binaryen.getExpressionId(expr)) ?? `expression kind ${binaryen.getExpressionId(expr)}`
}

function shapeOf(expr: Ref): Shape {
  const found = SHAPES.get(binaryen.getExpressionId(expr))
  if (found === undefined) throw new Error(`unsupported expression ${expressionKindName(expr)}`)
  return found
}
