import { describe, expect, it } from 'vitest'
import { canonicaliseNans } from '../../../../../gpu-runner/workloads/wasm/canonicalise-nans.ts'
import { ALLOWED_FEATURES } from '../../../../../gpu-runner/workloads/wasm/check-features.ts'
import { instantiate, rewritten, wat } from '../../../../helpers/wasm-modules.ts'

const CANONICAL_F64 = 0x7ff8000000000000n
const CANONICAL_F32 = 0x7fc00000
const NEGATIVE_F64_NAN = 'nan:0x8000000000001'

// Each export computes one float op and returns its raw bits.
const PROBES = wat(`(module
  (global $zero (mut f64) (f64.const 0))
  (global $weird (mut f64) (f64.const -${NEGATIVE_F64_NAN}))
  (func (export "div0") (result i64) (i64.reinterpret_f64 (f64.div (global.get $zero) (global.get $zero))))
  (func (export "payload") (result i64) (i64.reinterpret_f64 (f64.add (global.get $weird) (f64.const 1))))
  (func (export "sqrt") (result i32) (i32.reinterpret_f32 (f32.sqrt (f32.const -1))))
  (func (export "lanes") (result i64)
    (i64x2.extract_lane 1 (f64x2.mul (f64x2.splat (global.get $weird)) (f64x2.splat (f64.const 2)))))
  (func (export "sum") (result f64) (f64.add (f64.const 1.5) (f64.const 2.25)))
  (func (export "neg") (result i64) (i64.reinterpret_f64 (f64.neg (global.get $weird)))))`)

const canonical = instantiate(rewritten(PROBES, ALLOWED_FEATURES, canonicaliseNans)).exports as Record<
  string,
  () => bigint | number
>

describe('NaN canonicalisation', () => {
  it('gives 0/0 the positive quiet NaN, whatever the CPU makes', () => {
    expect(canonical.div0?.()).toBe(BigInt.asIntN(64, CANONICAL_F64))
  })

  it('drops the sign and payload a NaN operand carries', () => {
    expect(canonical.payload?.()).toBe(BigInt.asIntN(64, CANONICAL_F64))
  })

  it('covers f32 results and every lane of f64x2 results', () => {
    expect(canonical.sqrt?.()).toBe(CANONICAL_F32)
    expect(canonical.lanes?.()).toBe(BigInt.asIntN(64, CANONICAL_F64))
  })

  it('leaves numbers and bit-level ops alone', () => {
    expect(canonical.sum?.()).toBe(3.75)
    // f64.neg flips the sign bit of its operand, NaN or not, on every engine.
    expect(canonical.neg?.()).toBe(BigInt.asIntN(64, 0x7ff8000000000001n))
  })
})
