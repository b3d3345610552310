// `hcx order place|cancel`, `hcx book` and `hcx trades`: the market of a running node,
// through its control API.

import type { Command } from 'commander'
import { apiRequest } from '../../api/client.ts'
import { withDataDir } from '../common-options.ts'
import { usageError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'

interface TradeJson {
  tradeId: string
  instrument: string
  price: string
  qty: string
  takerSide: string
  maker: string
  taker: string
  state: string
  at: string
}

interface PlaceOptions {
  dataDir: string
  instrument: string
  side: string
  price: string
  qty: string
  tif: string
  expires?: string
  minReputation?: string
  json?: boolean
}

export function registerMarketCommands(program: Command): void {
  const order = program.command('order').description('place and cancel orders')
  withDataDir(order.command('place').description('place a signed limit order'))
    .requiredOption('--instrument <id>', 'instrument id, e.g. SPOT:gpu.h100')
    .requiredOption('--side <side>', 'buy or sell')
    .requiredOption('--price <p>', 'limit price per unit, a decimal, e.g. 2.50')
    .requiredOption('--qty <q>', 'quantity in the class unit, a whole number')
    .option('--tif <tif>', 'time in force: gtc, ioc or fok', 'gtc')
    .option('--expires <duration>', 'cancel the order after this long, e.g. 30s, 10m, 2h')
    .option('--min-reputation <n>', 'trade only with counterparties at least this reputable (0-10000)')
    .option('--json', 'print JSON')
    .action(async (options: PlaceOptions) => {
      if (options.side !== 'buy' && options.side !== 'sell')
        throw usageError(`--side '${options.side}' must be buy or sell`)
      if (!['gtc', 'ioc', 'fok'].includes(options.tif))
        throw usageError(`--tif '${options.tif}' must be gtc, ioc or fok`)
      const minReputation = options.minReputation === undefined ? undefined : Number(options.minReputation)
      if (minReputation !== undefined && !(Number.isInteger(minReputation) && minReputation >= 0)) {
        throw usageError(`--min-reputation '${options.minReputation}' must be an integer from 0 to 10000`)
      }
      const result = await apiRequest<{ orderId: string; status: string; fills: TradeJson[] }>(
        options.dataDir,
        'POST',
        '/v1/orders',
        {
          instrument: options.instrument,
          side: options.side,
          price: options.price,
          qty: options.qty,
          tif: options.tif,
          ...(options.expires === undefined ? {} : { expires: options.expires }),
          ...(minReputation === undefined ? {} : { minReputation }),
        },
      )
      if (options.json === true) return printJson(result)
      printLines([`order ${result.orderId} ${result.status}`, ...result.fills.map(tradeLine)])
    })

  withDataDir(order.command('cancel').description('cancel an open order of this node'))
    .argument('<order-id>', 'the order id printed by order place')
    .option('--json', 'print JSON')
    .action(async (orderId: string, options: { dataDir: string; json?: boolean }) => {
      if (!/^[0-9a-f]{64}$/.test(orderId)) throw usageError(`'${orderId}' is not an order id (64 hex digits)`)
      const result = await apiRequest<{ orderId: string; status: string }>(
        options.dataDir,
        'DELETE',
        `/v1/orders/${orderId}`,
      )
      if (options.json === true) return printJson(result)
      printLines([`order ${result.orderId} ${result.status}`])
    })

  withDataDir(program.command('book').description("an instrument's order book as this node sees it"))
    .requiredOption('--instrument <id>', 'instrument id, e.g. SPOT:gpu.h100')
    .option('--depth <n>', 'price levels per side', '20')
    .option('--json', 'print JSON')
    .action(async (options: { dataDir: string; instrument: string; depth: string; json?: boolean }) => {
      if (!/^[1-9][0-9]{0,5}$/.test(options.depth))
        throw usageError(`--depth '${options.depth}' must be a positive integer`)
      const book = await apiRequest<{ bids: string[][]; asks: string[][] }>(
        options.dataDir,
        'GET',
        `/v1/book/${encodeURIComponent(options.instrument)}?depth=${options.depth}`,
      )
      if (options.json === true) return printJson(book)
      const rows = (side: string, levels: string[][]) => levels.map(([p, q]) => `${side}  ${p}  ${q}`)
      printLines([...rows('ask', [...book.asks].reverse()), '---', ...rows('bid', book.bids)])
    })

  withDataDir(program.command('trades').description('co-signed trades this node holds'))
    .option('--instrument <id>', 'only trades of this instrument')
    .option('--json', 'print JSON')
    .action(async (options: { dataDir: string; instrument?: string; json?: boolean }) => {
      const query =
        options.instrument === undefined ? '' : `?instrument=${encodeURIComponent(options.instrument)}`
      const trades = await apiRequest<TradeJson[]>(options.dataDir, 'GET', `/v1/trades${query}`)
      if (options.json === true) return printJson(trades)
      printLines(trades.length === 0 ? ['no trades'] : trades.map(tradeLine))
    })
}

function tradeLine(trade: TradeJson): string {
  return `${trade.at}  ${trade.instrument}  ${trade.takerSide} ${trade.qty} @ ${trade.price}  ${trade.state}  ${trade.tradeId}`
}
