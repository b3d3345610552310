// OpenQASM's register broadcasting: a statement given whole registers runs once per index,
// pairing the registers element-wise and repeating any single qubit or bit given with them.

import { QasmError, where } from './errors.ts'
import type { Argument } from './registers.ts'

/** How many times the statement runs: the common size of its whole registers, or 1. */
export function broadcastWidth(args: readonly Argument[], file: string, statement: string): number {
  let first: Argument | undefined
  for (const arg of args) {
    if (arg.kind !== 'register') continue
    if (first === undefined) {
      first = arg
      continue
    }
    if (arg.register.size !== first.register.size) {
      const a = first.register
      const b = arg.register
      throw new QasmError(
        { code: 'QASM_BROADCAST_MISMATCH', ...where(file, arg.at) },
        `'${statement}' is given registers of different sizes: ` +
          `'${a.name}' has ${a.size} and '${b.name}' has ${b.size}; ` +
          'registers given whole must be the same size, or index them',
      )
    }
  }
  return first === undefined ? 1 : first.register.size
}

/** The absolute indices of the arguments in run `i` of the broadcast. */
export function bitsAt(args: readonly Argument[], i: number): number[] {
  const bits = new Array<number>(args.length)
  for (let k = 0; k < args.length; k++) {
    const arg = args[k] as Argument
    bits[k] = arg.kind === 'bit' ? arg.index : arg.register.offset + i
  }
  return bits
}

/** Refuses a call that would give one qubit twice in some run of the broadcast. */
export function checkDistinct(args: readonly Argument[], file: string, gate: string): void {
  const repeated = args.length <= 8 ? repeatedPairwise(args) : repeatedBySets(args)
  if (repeated === undefined) return
  const shown =
    repeated.kind === 'register'
      ? `the qubits of '${repeated.register.name}'`
      : `'${repeated.register.name}[${repeated.index - repeated.register.offset}]'`
  throw new QasmError(
    { code: 'QASM_ARGUMENTS', ...where(file, repeated.at), gate },
    `gate '${gate}' is given ${shown} twice; each qubit may appear once in a call`,
  )
}

// Registers never overlap, so two arguments clash only within one register: when either is
// the whole register, or both are the same bit.
const clash = (a: Argument, b: Argument): boolean =>
  a.register === b.register && (a.kind === 'register' || b.kind === 'register' || a.index === b.index)

/** The first argument that clashes with an earlier one; quadratic, for the usual few arguments. */
function repeatedPairwise(args: readonly Argument[]): Argument | undefined {
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] as Argument
    for (let j = 0; j < i; j++) if (clash(args[j] as Argument, arg)) return arg
  }
  return undefined
}

/** The same in linear time, for user gates with many qubit arguments. */
function repeatedBySets(args: readonly Argument[]): Argument | undefined {
  const whole = new Set<string>()
  const bits = new Set<number>()
  const bitRegisters = new Set<string>()
  for (const arg of args) {
    const name = arg.register.name
    if (arg.kind === 'register') {
      if (whole.has(name) || bitRegisters.has(name)) return arg
      whole.add(name)
    } else {
      if (bits.has(arg.index) || whole.has(name)) return arg
      bits.add(arg.index)
      bitRegisters.add(name)
    }
  }
  return undefined
}
