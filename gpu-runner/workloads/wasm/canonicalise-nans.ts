// Makes float results bit-for-bit the same on every machine. The wasm spec lets an arithmetic
// op that returns NaN pick the NaN's sign and payload, and engines take what the CPU gives:
// V8 on x86-64 gets the negative default NaN (0xFFF8...) from 0/0 while on arm64 it gets the
// positive one (0x7FF8...), and both pass input payloads through differently. A module that
// stores such a NaN, or reinterprets it as an integer, would hash differently by provider.
// So every op that can produce a new NaN has its result replaced by the canonical positive
// quiet NaN when it is a NaN:
//   (select (canonical-nan) (local.tee $t op) (ne (local.get $t) (local.get $t)))
// (v128.bitselect with a lane-wise ne for SIMD), using one scratch local per type per function.
// Ops that only move or flip bits (neg, abs, copysign, loads, reinterpret, pmin/pmax) are
// deterministic by the spec and are left alone.

import binaryen from 'binaryen'
import { addLocal, runtimeMethod } from './binaryen-runtime.ts'
import { definedFunctions, replaceAt, walkFunction } from './walk-expressions.ts'

type Ref = binaryen.ExpressionRef
type Lanes = 'f32' | 'f64' | 'f32x4' | 'f64x2'

const b = binaryen
const lanes = (ops: readonly binaryen.Operations[], shape: Lanes) => ops.map((op) => [op, shape] as const)

// binaryen numbers unary and binary ops separately, so each needs its own table.
const NAN_UNARY = new Map<binaryen.Operations, Lanes>([
  ...lanes(
    [b.SqrtFloat32, b.CeilFloat32, b.FloorFloat32, b.TruncFloat32, b.NearestFloat32, b.DemoteFloat64],
    'f32',
  ),
  ...lanes(
    [b.SqrtFloat64, b.CeilFloat64, b.FloorFloat64, b.TruncFloat64, b.NearestFloat64, b.PromoteFloat32],
    'f64',
  ),
  ...lanes(
    [
      b.SqrtVecF32x4,
      b.CeilVecF32x4,
      b.FloorVecF32x4,
      b.TruncVecF32x4,
      b.NearestVecF32x4,
      b.DemoteZeroVecF64x2ToVecF32x4,
    ],
    'f32x4',
  ),
  ...lanes(
    [
      b.SqrtVecF64x2,
      b.CeilVecF64x2,
      b.FloorVecF64x2,
      b.TruncVecF64x2,
      b.NearestVecF64x2,
      b.PromoteLowVecF32x4ToVecF64x2,
    ],
    'f64x2',
  ),
])

const NAN_BINARY = new Map<binaryen.Operations, Lanes>([
  ...lanes([b.AddFloat32, b.SubFloat32, b.MulFloat32, b.DivFloat32, b.MinFloat32, b.MaxFloat32], 'f32'),
  ...lanes([b.AddFloat64, b.SubFloat64, b.MulFloat64, b.DivFloat64, b.MinFloat64, b.MaxFloat64], 'f64'),
  ...lanes(
    [b.AddVecF32x4, b.SubVecF32x4, b.MulVecF32x4, b.DivVecF32x4, b.MinVecF32x4, b.MaxVecF32x4],
    'f32x4',
  ),
  ...lanes(
    [b.AddVecF64x2, b.SubVecF64x2, b.MulVecF64x2, b.DivVecF64x2, b.MinVecF64x2, b.MaxVecF64x2],
    'f64x2',
  ),
])

const unaryOp = runtimeMethod<(expr: Ref) => binaryen.Operations>('Unary', 'getOp')
const binaryOp = runtimeMethod<(expr: Ref) => binaryen.Operations>('Binary', 'getOp')

const F32_NAN_BITS = 0x7fc00000
const F64_NAN_BITS = 0x7ff8000000000000n

export function canonicaliseNans(module: binaryen.Module): void {
  for (const func of definedFunctions(module)) {
    const found: { expr: Ref; parent: Ref; index: number; lanes: Lanes }[] = []
    walkFunction(func, (expr, parent, index) => {
      const lanes = nanLanes(expr)
      if (lanes !== undefined) found.push({ expr, parent, index, lanes })
    })
    if (found.length === 0) continue
    const scratch = new Map<binaryen.Type, number>()
    const local = (type: binaryen.Type): number => {
      let index = scratch.get(type)
      if (index === undefined) {
        index = addLocal(func, type)
        scratch.set(type, index)
      }
      return index
    }
    for (const { expr, parent, index, lanes } of found) {
      replaceAt(func, parent, index, canonical(module, expr, lanes, local))
    }
  }
}

function nanLanes(expr: Ref): Lanes | undefined {
  const id = binaryen.getExpressionId(expr)
  if (id === binaryen.UnaryId) return NAN_UNARY.get(unaryOp(expr))
  if (id === binaryen.BinaryId) return NAN_BINARY.get(binaryOp(expr))
  return undefined
}

function canonical(
  module: binaryen.Module,
  expr: Ref,
  lanes: Lanes,
  local: (type: binaryen.Type) => number,
): Ref {
  switch (lanes) {
    case 'f32': {
      const t = local(binaryen.f32)
      const get = () => module.local.get(t, binaryen.f32)
      return module.select(
        module.f32.ne(get(), get()),
        module.f32.const_bits(F32_NAN_BITS),
        module.local.tee(t, expr, binaryen.f32),
      )
    }
    case 'f64': {
      const t = local(binaryen.f64)
      const get = () => module.local.get(t, binaryen.f64)
      return module.select(
        module.f64.ne(get(), get()),
        module.f64.const_bits(F64_NAN_BITS),
        module.local.tee(t, expr, binaryen.f64),
      )
    }
    case 'f32x4':
    case 'f64x2': {
      const t = local(binaryen.v128)
      const get = () => module.local.get(t, binaryen.v128)
      const isNan = lanes === 'f32x4' ? module.f32x4.ne(get(), get()) : module.f64x2.ne(get(), get())
      return module.v128.bitselect(nanVector(module, lanes), module.local.tee(t, expr, binaryen.v128), isNan)
    }
  }
}

function nanVector(module: binaryen.Module, lanes: 'f32x4' | 'f64x2'): Ref {
  const bytes = new Uint8Array(16)
  const view = new DataView(bytes.buffer)
  for (let lane = 0; lane < 16; lane += lanes === 'f32x4' ? 4 : 8) {
    if (lanes === 'f32x4') view.setUint32(lane, F32_NAN_BITS, true)
    else view.setBigUint64(lane, F64_NAN_BITS, true)
  }
  return module.v128.const(bytes)
}
