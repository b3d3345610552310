// Turns an XState state value into the short label the status API reports:
// "idle", "online.maintaining", or "online(connections.idle, walk.walking)" for parallel states.

import type { StateValue } from 'xstate'

export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value
  const entries = Object.entries(value).filter(([, child]) => child !== undefined) as Array<
    [string, StateValue]
  >
  if (entries.length === 1) {
    const [key, child] = entries[0] as [string, StateValue]
    const inner = stateLabel(child)
    return inner.startsWith('(') ? `${key}${inner}` : `${key}.${inner}`
  }
  return `(${entries.map(([key, child]) => `${key}.${stateLabel(child)}`).join(', ')})`
}
