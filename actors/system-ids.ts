// The systemId of every actor in a node's actor system, in one place.

export const SYSTEM_IDS = {
  supervisor: 'supervisor',
  discovery: 'discovery',
  market: 'market',
  settlement: 'settlement',
} as const

export type SystemId = (typeof SYSTEM_IDS)[keyof typeof SYSTEM_IDS]
