// Small WebAssembly modules for the wasm workload's tests, written as WAT and assembled with
// binaryen, each doing one thing a buyer's module might do (or a hostile one might try).

import binaryen from 'binaryen'

const F = binaryen.Features

// Everything V8 runs, refused proposals included, so that tests can write them; binaryen's
// newer encodings (compact imports) are left out because V8 cannot read them.
const WAT_FEATURES =
  F.MutableGlobals |
  F.NontrappingFPToInt |
  F.SignExt |
  F.BulkMemory |
  F.SIMD128 |
  F.RelaxedSIMD |
  F.Atomics |
  F.ReferenceTypes |
  F.Multivalue |
  F.TailCall |
  F.ExtendedConst |
  F.MultiMemory |
  F.Memory64

/** Assembles WAT text into a module binary, keeping `$names` in a name section as toolchains do. */
export function wat(text: string): Uint8Array<ArrayBuffer> {
  const module = binaryen.parseText(text)
  binaryen.setDebugInfo(true)
  try {
    module.setFeatures(WAT_FEATURES)
    return new Uint8Array(module.emitBinary())
  } finally {
    binaryen.setDebugInfo(false)
    module.dispose()
  }
}

const IO_IMPORTS = `
  (import "hcx" "input_size" (func $input_size (result i32)))
  (import "hcx" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "hcx" "write_output" (func $write_output (param i32 i32)))`

/** Reads the whole input at address 0, adds `delta` to every byte, and writes it back out. */
export function byteShiftModule(delta = 1): Uint8Array<ArrayBuffer> {
  return wat(`(module ${IO_IMPORTS}
    (memory (export "memory") 1)
    (func (export "run") (local $n i32) (local $i i32)
      (local.set $n (call $read_input (i32.const 0) (i32.const 0) (call $input_size)))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store8 (local.get $i) (i32.add (i32.load8_u (local.get $i)) (i32.const ${delta})))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (call $write_output (i32.const 0) (local.get $n))))`)
}

/** `(loop (br 0))`: runs until something stops it. */
export function infiniteLoopModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "run") (loop $forever (br $forever))))`)
}

/** Counts to `iterations` in a loop of integer arithmetic and writes the 4-byte sum. */
export function countingModule(iterations: number): Uint8Array<ArrayBuffer> {
  return wat(`(module ${IO_IMPORTS}
    (memory (export "memory") 1)
    (func (export "run") (local $i i32) (local $sum i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.const ${iterations})))
          (local.set $sum (i32.add (local.get $sum) (i32.mul (local.get $i) (i32.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.store (i32.const 0) (local.get $sum))
      (call $write_output (i32.const 0) (i32.const 4))))`)
}

/** Grows its memory a page at a time until refused, then keeps writing all over it forever. */
export function memoryBombModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module
    (memory (export "memory") 1)
    (func (export "run") (local $p i32)
      (block $full (loop $grow
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $grow)))
      (loop $touch
        (i32.store (local.get $p) (local.get $p))
        (local.set $p (i32.rem_u (i32.add (local.get $p) (i32.const 4096))
                                 (i32.mul (memory.size) (i32.const 65536))))
        (br $touch))))`)
}

/** Declares `pages` pages of memory up front. */
export function initialMemoryModule(pages: number): Uint8Array<ArrayBuffer> {
  return wat(`(module (memory (export "memory") ${pages}) (func (export "run")))`)
}

/** Imports one thing (`import` is the WAT of the import's description) and otherwise does nothing. */
export function importingModule(importText: string): Uint8Array<ArrayBuffer> {
  return wat(`(module ${importText} (memory (export "memory") 1) (func (export "run")))`)
}

/** Imports its memory instead of defining it. */
export function importedMemoryModule(): Uint8Array<ArrayBuffer> {
  return wat('(module (import "env" "memory" (memory 1)) (func (export "run")))')
}

/** Uses a shared memory and an atomic add, as a threaded build would. */
export function sharedMemoryModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (memory (export "memory") 1 1 shared)
    (func (export "run") (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))))`)
}

/** Uses an atomic load on ordinary memory: still atomics, still refused. */
export function atomicsModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (memory (export "memory") 1)
    (func (export "run") (drop (i32.atomic.load (i32.const 0)))))`)
}

/** Uses a relaxed-SIMD fused multiply-add, whose rounding differs by CPU. */
export function relaxedSimdModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "run")
    (drop (f32x4.relaxed_madd (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))))`)
}

/** Loads from past the end of its one page of memory, from a named function. */
export function outOfBoundsModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (memory (export "memory") 1)
    (func $peek (param $at i32) (result i32) (i32.load (local.get $at)))
    (func (export "run") (drop (call $peek (i32.const 70000)))))`)
}

/** Recurses without end. */
export function deepRecursionModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func $down (export "run") (call $down)))`)
}

/** Divides by zero. */
export function divideByZeroModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "run") (drop (i32.div_u (i32.const 1) (i32.const 0)))))`)
}

/** Exports a function, but not under the name `run`. */
export function noRunModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "main")))`)
}

/** Its entry returns `code`, which the ABI reads as a failure code when non-zero. */
export function exitCodeModule(code: number): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "run") (result i32) (i32.const ${code})))`)
}

/** Its entry takes a parameter, which the host has no value for. */
export function entryWithParamModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module (func (export "run") (param i32)))`)
}

/**
 * Spins forever while rewriting every global it owns, mutable i64s among them, to a huge
 * value, as a module trying to refill its fuel would.
 */
export function globalResetModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module
    (global $g0 (mut i64) (i64.const 0))
    (global $g1 (mut i64) (i64.const 0))
    (global $g2 (mut i32) (i32.const 0))
    (func (export "run")
      (loop $forever
        (global.set $g0 (i64.const 0x7fffffffffffffff))
        (global.set $g1 (i64.const 0x7fffffffffffffff))
        (global.set $g2 (i32.const 0x7fffffff))
        (br $forever))))`)
}

/** Writes `len` bytes of memory (from address 0) to the output `times` times. */
export function writeOutputModule(len: number, times = 1): Uint8Array<ArrayBuffer> {
  return wat(`(module ${IO_IMPORTS}
    (memory (export "memory") 1)
    (func (export "run") (local $i i32)
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${times})))
        (call $write_output (i32.const 0) (i32.const ${len}))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))`)
}

/** Computes 0/0 as f64 (x2: scalar and SIMD) and writes the raw NaN bits out. */
export function nanBitsModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module ${IO_IMPORTS}
    (memory (export "memory") 1)
    (global $zero (mut f64) (f64.const 0))
    (func (export "run")
      (f64.store (i32.const 0) (f64.div (global.get $zero) (global.get $zero)))
      (v128.store (i32.const 8) (f64x2.div (f64x2.splat (global.get $zero)) (f64x2.splat (global.get $zero))))
      (f32.store (i32.const 24) (f32.sqrt (f32.const -1)))
      (call $write_output (i32.const 0) (i32.const 28))))`)
}

/** Writes a data segment's bytes out from a start function, which runs before the entry. */
export function startFunctionModule(): Uint8Array<ArrayBuffer> {
  return wat(`(module ${IO_IMPORTS}
    (memory (export "memory") 1)
    (data (i32.const 0) "from start")
    (func $init (call $write_output (i32.const 0) (i32.const 10)))
    (start $init)
    (func (export "run")))`)
}

/** Fills `bytes` of memory with memory.fill, which is charged per byte. */
export function memoryFillModule(bytes: number): Uint8Array<ArrayBuffer> {
  return wat(`(module (memory (export "memory") 16)
    (func (export "run") (memory.fill (i32.const 0) (i32.const 7) (i32.const ${bytes}))))`)
}

/** A tight i64 arithmetic loop of `iterations` rounds, for timing the fuel meter. */
export function tightLoopModule(iterations: number): Uint8Array<ArrayBuffer> {
  return wat(`(module
    (global $sink (mut i64) (i64.const 0))
    (func (export "run") (local $i i32) (local $x i64)
      (loop $next
        (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
        (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${iterations}))))
      (global.set $sink (local.get $x))))`)
}

/** Reads `bytes` with binaryen, lets `pass` rewrite the module, checks it still validates, and emits it. */
export function rewritten(
  bytes: Uint8Array,
  features: binaryen.Features,
  pass: (module: binaryen.Module) => void,
): Uint8Array<ArrayBuffer> {
  const module = binaryen.readBinary(bytes)
  try {
    module.setFeatures(features)
    pass(module)
    if (!module.validate()) throw new Error('the rewritten module does not validate')
    return new Uint8Array(module.emitBinary())
  } finally {
    module.dispose()
  }
}

/** Instantiates a module in this thread: only for the tests' own modules, never a buyer's. */
export function instantiate(
  bytes: Uint8Array<ArrayBuffer>,
  imports: WebAssembly.Imports = {},
): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports)
}

/**
 * `run` is `depth` nested empty blocks, assembled byte by byte because binaryen's text parser
 * recurses too deeply to read such a module itself.
 */
export function deeplyNestedModule(depth: number): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...Array(depth).fill([0x02, 0x40]).flat(), 0x01, ...Array(depth + 1).fill(0x0b)]
  const section = (id: number, content: readonly number[]) => [id, ...leb128(content.length), ...content]
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(3, [1, 0]), // one function of that type
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0x00, 0]), // export "run" = function 0
    ...section(10, [1, ...leb128(body.length), ...body]),
  ])
}

function leb128(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  do {
    const low = rest & 0x7f
    rest >>>= 7
    bytes.push(rest === 0 ? low : low | 0x80)
  } while (rest !== 0)
  return bytes
}
