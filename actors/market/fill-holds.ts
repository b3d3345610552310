// Quantity a maker's node has promised a fill-or-kill taker for a few seconds, unsigned:
// the taker commits every hold once all its makers have held, or releases them. A hold
// nobody commits frees itself.

export const HOLD_MS = 3_000

export class FillHolds {
  private readonly holds = new Map<string, { free: () => void; timer: ReturnType<typeof setTimeout> }>()

  has(tradeId: string): boolean {
    return this.holds.has(tradeId)
  }

  /** Keeps a reservation for the trade; `free` gives it back when the hold lapses or is released. */
  place(tradeId: string, free: () => void, ms = HOLD_MS): void {
    const timer = setTimeout(() => this.release(tradeId), ms)
    this.holds.set(tradeId, { free, timer })
  }

  /** Hands the hold's reservation to the caller, who commits the trade; false if none is held. */
  take(tradeId: string): boolean {
    const hold = this.holds.get(tradeId)
    if (hold === undefined) return false
    clearTimeout(hold.timer)
    this.holds.delete(tradeId)
    return true
  }

  release(tradeId: string): void {
    const hold = this.holds.get(tradeId)
    if (hold === undefined) return
    clearTimeout(hold.timer)
    this.holds.delete(tradeId)
    hold.free()
  }

  stop(): void {
    for (const tradeId of [...this.holds.keys()]) this.release(tradeId)
  }
}
