// Netting: an epoch's trades become one line per account and instrument (position change
// and cash change, integers), the same lines whatever order the trades come in. Positions
// sum to zero per instrument and cash sums to zero overall, which the clearing contract
// checks again on chain.

export interface NettableTrade {
  /** Canonical instrument id. */
  instrument: string
  /** Price per unit in settlement-token base units. */
  price: bigint
  qty: bigint
  /** Settlement accounts, 0x-prefixed 20-byte hex. */
  buyer: string
  seller: string
}

export interface NetLine {
  /** Lowercase 0x-prefixed account address. */
  account: string
  instrument: string
  /** Units bought (positive) or sold (negative) over the epoch. */
  position: bigint
  /** Token base units received (positive) or paid (negative) over the epoch. */
  cash: bigint
}

const ACCOUNT = /^0x[0-9a-fA-F]{40}$/

/** Nets trades into lines sorted by instrument, then account; lines that net to nothing are left out. */
export function netTrades(trades: Iterable<NettableTrade>): NetLine[] {
  const lines = new Map<string, NetLine>()
  const line = (account: string, instrument: string): NetLine => {
    const key = `${instrument}\n${account}`
    let found = lines.get(key)
    if (found === undefined) {
      found = { account, instrument, position: 0n, cash: 0n }
      lines.set(key, found)
    }
    return found
  }
  for (const trade of trades) {
    checkTrade(trade)
    const buyer = line(trade.buyer.toLowerCase(), trade.instrument)
    const seller = line(trade.seller.toLowerCase(), trade.instrument)
    const cash = trade.price * trade.qty
    buyer.position += trade.qty
    buyer.cash -= cash
    seller.position -= trade.qty
    seller.cash += cash
  }
  return [...lines.values()]
    .filter((l) => l.position !== 0n || l.cash !== 0n)
    .sort((a, b) => compare(a.instrument, b.instrument) || compare(a.account, b.account))
}

/** Whether lines conserve: positions sum to zero per instrument, cash to zero overall. */
export function linesBalance(lines: readonly NetLine[]): boolean {
  const positions = new Map<string, bigint>()
  let cash = 0n
  for (const l of lines) {
    positions.set(l.instrument, (positions.get(l.instrument) ?? 0n) + l.position)
    cash += l.cash
  }
  return cash === 0n && [...positions.values()].every((sum) => sum === 0n)
}

function checkTrade(trade: NettableTrade): void {
  if (trade.price <= 0n || trade.qty <= 0n) {
    throw new RangeError(`trade on ${trade.instrument} has a non-positive price or quantity`)
  }
  if (!ACCOUNT.test(trade.buyer) || !ACCOUNT.test(trade.seller)) {
    throw new RangeError(`trade on ${trade.instrument} names an account that is not a 20-byte hex address`)
  }
}

/** Code-unit order, the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
