import { describe, expect, it } from 'vitest'
import { stateLabel } from '../../../actors/state-label.ts'

describe('stateLabel', () => {
  it('prints simple, nested and parallel state values', () => {
    expect(stateLabel('idle')).toBe('idle')
    expect(stateLabel({ online: 'maintaining' })).toBe('online.maintaining')
    expect(stateLabel({ connections: 'idle', walk: 'walking' })).toBe('(connections.idle, walk.walking)')
    expect(stateLabel({ online: { a: 'x', b: { c: 'y' } } })).toBe('online(a.x, b.c.y)')
  })
})
