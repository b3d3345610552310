// The CLI's own output: JSON lines or plain text on stdout, and errors as one line on
// stderr (`error CODE: message`), with a stack only when --debug asks for it.

import { isHcxError } from '../../errors/hcx-error.ts'

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`)
}

export function printError(err: unknown, debug: boolean): void {
  const code = isHcxError(err) ? err.code : 'INTERNAL_ERROR'
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`error ${code}: ${message.replace(/\s*\n\s*/g, ' ')}\n`)
  if (debug && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`)
}
