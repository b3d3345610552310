// The OpenQASM 3 constructs outside the subset hcx runs, by the token that starts them, so a
// refusal names what the program used rather than reporting a puzzling syntax error.

import type { Token } from './lexer.ts'

const LOOPS = ['for', 'while']
const JUMPS = ['break', 'continue', 'return', 'end']
const TYPES = ['int', 'uint', 'float', 'angle', 'bool', 'complex', 'duration', 'stretch', 'array', 'const']
const MODIFIERS = ['ctrl', 'negctrl', 'inv', 'pow']
const CALIBRATION = ['defcal', 'defcalgrammar', 'cal', 'extern']

const BY_WORD: ReadonlyMap<string, string> = new Map([
  ...LOOPS.map((word): [string, string] => [word, `a '${word}' loop`]),
  ...JUMPS.map((word): [string, string] => [word, `a '${word}' statement`]),
  ...TYPES.map((word): [string, string] => [word, `a classical '${word}' declaration`]),
  ...MODIFIERS.map((word): [string, string] => [word, `the '${word} @' gate modifier`]),
  ...CALIBRATION.map((word): [string, string] => [word, `a pulse-level '${word}' block`]),
  ['def', "a subroutine ('def')"],
  ['input', "an 'input' declaration"],
  ['output', "an 'output' declaration"],
  ['let', "an alias ('let')"],
  ['box', "a 'box' statement"],
  ['delay', "a 'delay' instruction"],
  ['switch', "a 'switch' statement"],
  ['case', "a 'switch' statement"],
  ['default', "a 'switch' statement"],
  ['else', "an 'else' branch"],
  ['durationof', "'durationof'"],
  ['sizeof', "'sizeof'"],
  ['readonly', "an array reference ('readonly')"],
  ['mutable', "an array reference ('mutable')"],
])

const BY_SYMBOL: ReadonlyMap<string, string> = new Map([
  ['#', "a pragma ('#pragma')"],
  ['@', "an annotation ('@')"],
  ['{', "a scope block ('{ … }')"],
])

/** What OpenQASM 3 construct `token` starts when it is outside the subset, else undefined. */
export function unsupportedConstruct(token: Token): string | undefined {
  if (token.kind === 'identifier') return BY_WORD.get(token.text)
  if (token.kind === 'symbol') return BY_SYMBOL.get(token.text)
  if (token.kind === 'hardware') return `a physical qubit ('${token.text}')`
  return undefined
}
