import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SeenCache } from '../../../../protocols/market/seen-cache.ts'

const TTL = 100

/** Random reads (and writes after them) of a few keys, time moving forward by up to 3*ttl a step. */
const accesses = fc.array(
  fc.record({
    advance: fc.integer({ min: 0, max: 3 * TTL }),
    key: fc.integer({ min: 0, max: 5 }),
    write: fc.boolean(),
  }),
  { maxLength: 40 },
)

/** What each read answered, beside the age of the key's last write (undefined: never written). */
function replay(steps: Array<{ advance: number; key: number; write: boolean }>) {
  const cache = new SeenCache(TTL, 0)
  const storedAt = new Map<number, number>()
  const reads: Array<{ seen: boolean; age: number | undefined }> = []
  let now = 0
  for (const { advance, key, write } of steps) {
    now += advance
    const at = storedAt.get(key)
    reads.push({ seen: cache.has(`k${key}`, now), age: at === undefined ? undefined : now - at })
    if (write) {
      cache.set(`k${key}`, true, now)
      storedAt.set(key, now)
    }
  }
  return reads
}

describe('seen cache', () => {
  it('keeps the value stored under a key', () => {
    const cache = new SeenCache<string>(TTL, 0)
    cache.set('nonce:1', 'order-a', 10)
    expect(cache.get('nonce:1', 20)).toBe('order-a')
    expect(cache.get('nonce:2', 20)).toBeUndefined()
    expect(cache.has('nonce:1', 20)).toBe(true)
  })

  it('keeps the value across a rotation', () => {
    const cache = new SeenCache<string>(TTL, 0)
    cache.set('nonce:1', 'order-a', 50)
    expect(cache.get('nonce:1', 50 + TTL - 1)).toBe('order-a')
  })

  it('remembers an entry for a full ttl, even one stored just before a rotation', () => {
    const cache = new SeenCache(TTL, 0)
    cache.set('late', true, TTL - 1)
    expect(cache.has('late', 2 * TTL - 2)).toBe(true)
    expect(cache.has('late', 2 * TTL - 1)).toBe(true)
  })

  it('forgets an entry after 2*ttl when nobody reads it in between', () => {
    const cache = new SeenCache(TTL, 0)
    cache.set('a', true, 0)
    expect(cache.has('a', 2 * TTL)).toBe(false)
  })

  it('forgets an entry after 2*ttl however often it is read in between', () => {
    const cache = new SeenCache(TTL, 0)
    cache.set('a', true, 0)
    // A read just before 2*ttl rotates the generations; the entry must still expire on time.
    expect(cache.has('a', 2 * TTL - 1)).toBe(true)
    expect(cache.has('a', 3 * TTL - 2)).toBe(false)
  })

  it('remembers every entry for at least ttl, whatever the pattern of reads and writes', () => {
    fc.assert(
      fc.property(accesses, (steps) => {
        for (const { seen, age } of replay(steps)) {
          if (age !== undefined && age < TTL) expect(seen).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('forgets every entry once it is older than 2*ttl, whatever the pattern of reads and writes', () => {
    fc.assert(
      fc.property(accesses, (steps) => {
        for (const { seen, age } of replay(steps)) {
          if (age === undefined || age > 2 * TTL) expect(seen).toBe(false)
        }
      }),
      { numRuns: 300 },
    )
  })
})
