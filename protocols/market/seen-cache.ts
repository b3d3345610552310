// A bounded-time memory of message ids (and of nonces per signer): two generations that
// rotate every `ttlMs`, so an entry lives between ttlMs and 2*ttlMs at O(1) cost per check.

export class SeenCache<V = true> {
  private current = new Map<string, V>()
  private previous = new Map<string, V>()
  private rotatedAt: number
  private readonly ttlMs: number

  constructor(ttlMs: number, now: number) {
    this.ttlMs = ttlMs
    this.rotatedAt = now
  }

  get(key: string, now: number): V | undefined {
    this.rotate(now)
    return this.current.get(key) ?? this.previous.get(key)
  }

  has(key: string, now: number): boolean {
    return this.get(key, now) !== undefined
  }

  set(key: string, value: V, now: number): void {
    this.rotate(now)
    this.current.set(key, value)
  }

  /** Rotates on whole periods from the start, however irregular the reads in between. */
  private rotate(now: number): void {
    const periods = Math.floor((now - this.rotatedAt) / this.ttlMs)
    if (periods < 1) return
    this.previous = periods === 1 ? this.current : new Map()
    this.current = new Map()
    this.rotatedAt += periods * this.ttlMs
  }
}
