// The node's logger: pino, JSON lines on stderr, so stdout stays the CLI's own output.

import { type Logger, pino } from 'pino'

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'hcx' } }, pino.destination({ fd: 2, sync: true }))
}
