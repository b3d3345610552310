// Settlement benchmark: gas per trade of netted epochs on ClearingHouse.settleEpoch against
// settling every trade on its own, on the embedded Hardhat EDR chain (block gas limit 60M), in the
// same run.
//
//   npx tsx scripts/bench/settlement.ts [--json] [--seed N] [--trades N,N] [--accounts N,N]
//                                       [--baseline-budget SECONDS] [--batch-gas-budget GAS]
//
// Scenarios: 1,000 and 10,000 trades among 10 and 100 accounts (every combination). Trades are
// seeded: two distinct accounts, one of 3 instruments, price 1-100 and quantity 1-10 base units.
// Each scenario gets fresh chains (connectChain with no rpcUrl), and on every chain each account
// first gets gas (hardhat_setBalance) and deposits 1e12 base units of collateral (faucet, approve,
// deposit), so vault balances are never fresh storage when settlement writes them.
//
//  - Netted: the scenario's trades are netted (netTrades), rooted (epochRoot) and grouped
//    (accountLines); every account signs its lines (signNetLines) and one settleEpoch
//    transaction carries them all. Gas is the receipts' gasUsed (21,000 base and calldata
//    included); gas per trade = total gas / trades. A batch has at most accounts x instruments
//    lines, so it is bounded whatever the number of trades: the script estimates it and uses one
//    transaction when the estimate is within --batch-gas-budget (default 30M, half the block),
//    else one epoch per instrument, each of which is zero-sum by itself (a trade moves position
//    and cash between two accounts on one instrument). The first epoch writes every position
//    slot fresh (22,100 gas each); a second epoch of as many other seeded trades on the same
//    chain, where most slots already hold a position, is reported beside it as "warm".
//  - Per trade: on another fresh chain after the same deposits, every trade in order is its own
//    one-trade epoch (2 accounts, 2 signatures, 1 transaction). When the loop passes
//    --baseline-budget seconds (default 120) with at least 500 trades measured, it stops and the
//    figure is the mean over the first trades of the seeded stream: a sample, marked as such.
//    Early trades find more fresh position slots than later ones, so a sample overstates
//    per-trade gas (and the ratio) a little.
//
// Transactions are signed locally (nonces counted here; gas limit: a netted batch's estimate plus
// 20%, a fixed 500,000 for a one-trade epoch) and sent with eth_sendRawTransaction; the chain
// mines each at once, and its receipt is read straight after. A reverted transaction ends the run.
// Wall times: "prepare" is netting, root and grouping; "sign" the EIP-712 signatures of the
// accounts; "send" signing, sending and reading the receipt of the transactions. Progress goes
// to stderr; stdout gets the tables, or with --json one JSON object.

import { createHash } from 'node:crypto'
import {
  type Interface,
  JsonRpcApiProvider,
  keccak256,
  type TypedDataDomain,
  toQuantity,
  toUtf8Bytes,
  Wallet,
} from 'ethers'
import { type ChainSession, connectChain } from '../../ledger/chain/connect.ts'
import { contractAt, withRevertReason } from '../../ledger/chain/contracts.ts'
import { DEV_BLOCK_GAS_LIMIT } from '../../ledger/chain/embedded-chain.ts'
import { epochRoot, type RootedTrade } from '../../ledger/netting/epoch-root.ts'
import { linesBalance, netTrades } from '../../ledger/netting/net-lines.ts'
import {
  accountLines,
  clearingDomain,
  type SignedAccountLines,
  signNetLines,
} from '../../ledger/settlement/batch.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'
import { readFlags, wholeNumber, wholeNumbers } from './bench-options.ts'

const INSTRUMENTS = ['SPOT:gpu.h100', 'FUT:gpu.h100:20261201T0000Z:1h', 'SPOT:qpu.sim']
const MAX_PRICE = 100
const MAX_QTY = 10
/** Collateral per account: one faucet call's limit, far above what any scenario moves. */
const DEPOSIT = 10n ** 12n
const GAS_FUNDS = 10n ** 24n
const MAX_FEE_PER_GAS = 10n ** 10n
const PRIORITY_FEE_PER_GAS = 1n
const FUNDING_GAS_LIMIT = 200_000n
const ONE_TRADE_GAS_LIMIT = 500_000n
const MIN_SAMPLE = 500

const GOAL_TRADES = 10_000
const GOAL_ACCOUNTS = 100
const GOAL_GAS_PER_TRADE = 1_000
const GOAL_RATIO = 50

interface Options {
  json: boolean
  seed: number
  trades: number[]
  accounts: number[]
  baselineBudgetS: number
  batchGasBudget: bigint
}

const USAGE =
  'usage: settlement.ts [--json] [--seed N] [--trades N,N] [--accounts N,N] [--baseline-budget SECONDS] [--batch-gas-budget GAS]'

const BENCH = { name: 'settlement', usage: USAGE }

function readOptions(argv: string[]): Options {
  const values = readFlags(BENCH, argv, {
    json: { type: 'boolean' },
    seed: { type: 'string' },
    trades: { type: 'string' },
    accounts: { type: 'string' },
    'baseline-budget': { type: 'string' },
    'batch-gas-budget': { type: 'string' },
  })
  const budget = values['batch-gas-budget']
  return {
    json: values.json ?? false,
    seed: values.seed === undefined ? 1 : wholeNumber(BENCH, '--seed', values.seed, 0),
    trades: values.trades === undefined ? [1_000, 10_000] : wholeNumbers(BENCH, '--trades', values.trades, 1),
    accounts:
      values.accounts === undefined ? [10, 100] : wholeNumbers(BENCH, '--accounts', values.accounts, 2),
    baselineBudgetS:
      values['baseline-budget'] === undefined
        ? 120
        : wholeNumber(BENCH, '--baseline-budget', values['baseline-budget'], 0),
    batchGasBudget:
      budget === undefined
        ? DEV_BLOCK_GAS_LIMIT / 2n
        : BigInt(wholeNumber(BENCH, '--batch-gas-budget', budget, 1)),
  }
}

function progress(message: string): void {
  process.stderr.write(`settlement: ${message}\n`)
}

// --- inputs -------------------------------------------------------------------------------------

/** The same accounts in every run: keys derived from their index. */
function accountWallets(count: number): Wallet[] {
  return Array.from(
    { length: count },
    (_, i) => new Wallet(keccak256(toUtf8Bytes(`hcx bench settlement account ${i}`))),
  )
}

function scenarioSeed(seed: number, trades: number, accounts: number, round: number): number {
  return (seed * 65_537 + trades * 131 + accounts * 7 + round) % 2 ** 31
}

function generateTrades(count: number, accounts: readonly Wallet[], seed: number): RootedTrade[] {
  const random = seededRandom(seed)
  const pick = (n: number) => Math.floor(random() * n)
  const trades: RootedTrade[] = []
  for (let i = 0; i < count; i++) {
    const buyer = pick(accounts.length)
    let seller = pick(accounts.length - 1)
    if (seller >= buyer) seller++
    const body = {
      instrument: INSTRUMENTS[pick(INSTRUMENTS.length)] as string,
      price: BigInt(1 + pick(MAX_PRICE)),
      qty: BigInt(1 + pick(MAX_QTY)),
      buyer: (accounts[buyer] as Wallet).address,
      seller: (accounts[seller] as Wallet).address,
    }
    // A stand-in for the hash of the signed trade: unique per seed and index.
    const tradeId = createHash('sha256')
      .update(`${seed}:${i}:${body.instrument}:${body.buyer}:${body.seller}:${body.price}:${body.qty}`)
      .digest('hex')
    trades.push({ ...body, tradeId })
  }
  return trades
}

/** One epoch per instrument, in instrument order: each is zero-sum in positions and in cash. */
function splitByInstrument(trades: readonly RootedTrade[]): RootedTrade[][] {
  const parts = new Map<string, RootedTrade[]>()
  for (const trade of trades) {
    const part = parts.get(trade.instrument)
    if (part === undefined) parts.set(trade.instrument, [trade])
    else part.push(trade)
  }
  return [...parts.keys()].sort().map((instrument) => parts.get(instrument) as RootedTrade[])
}

// --- chain --------------------------------------------------------------------------------------

type Rpc = (method: string, params: unknown[]) => Promise<unknown>

interface Receipt {
  gasUsed: bigint
  ok: boolean
}

type Send = (to: string, data: string, gasLimit: bigint) => Promise<Receipt>

interface Chain {
  session: ChainSession
  rpc: Rpc
  domain: TypedDataDomain
  clearing: Interface
  settle: Send
}

function rpcOf(session: ChainSession): Rpc {
  const provider = session.provider
  if (!(provider instanceof JsonRpcApiProvider))
    throw new Error('the embedded chain has no JSON-RPC provider')
  return (method, params) => provider.send(method, params)
}

/** Signs locally with nonces counted here, sends raw, and reads the receipt of the block it mined. */
async function sender(rpc: Rpc, wallet: Wallet, chainId: bigint): Promise<Send> {
  let nonce = Number(await rpc('eth_getTransactionCount', [wallet.address, 'latest']))
  return async (to, data, gasLimit) => {
    const raw = await wallet.signTransaction({
      type: 2,
      chainId,
      nonce: nonce++,
      to,
      data,
      gasLimit,
      maxFeePerGas: MAX_FEE_PER_GAS,
      maxPriorityFeePerGas: PRIORITY_FEE_PER_GAS,
    })
    const hash = await rpc('eth_sendRawTransaction', [raw])
    const receipt = (await rpc('eth_getTransactionReceipt', [hash])) as {
      gasUsed: string
      status: string
    } | null
    if (receipt === null) throw new Error(`transaction ${String(hash)} was not mined at once`)
    return { gasUsed: BigInt(receipt.gasUsed), ok: receipt.status === '0x1' }
  }
}

async function expectOk(receipt: Promise<Receipt>, what: string): Promise<Receipt> {
  const result = await receipt
  if (!result.ok) throw new Error(`${what} reverted`)
  return result
}

/** A fresh chain with the contracts deployed and every account funded with gas and collateral. */
async function freshChain(wallets: readonly Wallet[]): Promise<Chain> {
  const settlementWallet = new Wallet(keccak256(toUtf8Bytes('hcx bench settlement key')))
  const session = await connectChain({ settlementKey: settlementWallet.privateKey })
  try {
    const rpc = rpcOf(session)
    const { contracts, chainId } = session
    const token = contractAt('SettlementToken', contracts.SettlementToken, session.provider).interface
    const vault = contractAt('CollateralVault', contracts.CollateralVault, session.provider).interface
    await rpc('hardhat_setBalance', [settlementWallet.address, toQuantity(GAS_FUNDS)])
    for (const wallet of wallets) {
      await rpc('hardhat_setBalance', [wallet.address, toQuantity(GAS_FUNDS)])
      const send = await sender(rpc, wallet, chainId)
      const calls: Array<[string, string]> = [
        [contracts.SettlementToken, token.encodeFunctionData('faucet', [DEPOSIT])],
        [
          contracts.SettlementToken,
          token.encodeFunctionData('approve', [contracts.CollateralVault, DEPOSIT]),
        ],
        [contracts.CollateralVault, vault.encodeFunctionData('deposit', [DEPOSIT])],
      ]
      for (const [to, data] of calls) await expectOk(send(to, data, FUNDING_GAS_LIMIT), 'funding')
    }
    return {
      session,
      rpc,
      domain: clearingDomain(chainId, contracts.ClearingHouse),
      clearing: contractAt('ClearingHouse', contracts.ClearingHouse, session.provider).interface,
      settle: await sender(rpc, settlementWallet, chainId),
    }
  } catch (err) {
    await session.close()
    throw err
  }
}

/** What the calldata costs at 4 gas per zero byte and 16 per other byte (cancun). */
function calldataGas(data: string): number {
  let gas = 0
  for (let i = 2; i < data.length; i += 2) gas += data.startsWith('00', i) ? 4 : 16
  return gas
}

// --- settlement ---------------------------------------------------------------------------------

interface Timings {
  prepareMs: number
  signMs: number
  sendMs: number
}

interface PreparedBatch {
  epoch: bigint
  trades: number
  accounts: number
  lines: number
  data: string
  prepareMs: number
  signMs: number
}

async function prepareBatch(
  chain: Chain,
  keys: ReadonlyMap<string, Wallet>,
  trades: readonly RootedTrade[],
  epoch: bigint,
): Promise<PreparedBatch> {
  const start = performance.now()
  const lines = netTrades(trades)
  if (!linesBalance(lines)) throw new Error(`epoch ${epoch} does not balance`)
  const tradesRoot = epochRoot(trades)
  const entries = accountLines(lines)
  const signStart = performance.now()
  const batch: SignedAccountLines[] = []
  for (const entry of entries) {
    const wallet = keys.get(entry.account)
    if (wallet === undefined) throw new Error(`no key for account ${entry.account}`)
    batch.push({
      ...entry,
      signature: await signNetLines(wallet, chain.domain, { epoch, tradesRoot, entry }),
    })
  }
  const end = performance.now()
  return {
    epoch,
    trades: trades.length,
    accounts: entries.length,
    lines: lines.length,
    data: chain.clearing.encodeFunctionData('settleEpoch', [epoch, tradesRoot, batch]),
    prepareMs: signStart - start,
    signMs: end - signStart,
  }
}

async function estimateGas(chain: Chain, data: string): Promise<bigint> {
  const estimate = await withRevertReason('settleEpoch', () =>
    chain.rpc('eth_estimateGas', [
      { from: chain.session.account, to: chain.session.contracts.ClearingHouse, data },
    ]),
  )
  return BigInt(estimate as string)
}

interface EpochFigure {
  epoch: number
  trades: number
  accounts: number
  lines: number
  gasUsed: number
  calldataBytes: number
  calldataGas: number
}

interface NettedRun extends Timings {
  trades: number
  txs: number
  gas: number
  gasPerTrade: number
  /** Whether the trades needed more than one epoch to stay within the batch gas budget. */
  split: boolean
  epochs: EpochFigure[]
}

/** Settles `trades` from `firstEpoch` on: one epoch if it fits the budget, else one per instrument. */
async function settleNetted(
  chain: Chain,
  keys: ReadonlyMap<string, Wallet>,
  trades: readonly RootedTrade[],
  firstEpoch: bigint,
  batchGasBudget: bigint,
): Promise<NettedRun> {
  const timings: Timings = { prepareMs: 0, signMs: 0, sendMs: 0 }
  const epochs: EpochFigure[] = []
  let whole: PreparedBatch | undefined = await prepareBatch(chain, keys, trades, firstEpoch)
  const split = (await estimateGas(chain, whole.data)) > batchGasBudget
  if (split) {
    progress(`  ${trades.length} trades exceed ${batchGasBudget} gas in one batch: one epoch per instrument`)
    whole = undefined
  }
  let epoch = firstEpoch
  for (const part of split ? splitByInstrument(trades) : [trades]) {
    const batch = whole ?? (await prepareBatch(chain, keys, part, epoch))
    const estimate = await estimateGas(chain, batch.data)
    if (estimate > batchGasBudget) {
      throw new Error(`epoch ${epoch} alone needs ${estimate} gas, over the budget of ${batchGasBudget}`)
    }
    const sendStart = performance.now()
    const receipt = await expectOk(
      chain.settle(chain.session.contracts.ClearingHouse, batch.data, (estimate * 6n) / 5n),
      `settleEpoch(${epoch})`,
    )
    timings.sendMs += performance.now() - sendStart
    timings.prepareMs += batch.prepareMs
    timings.signMs += batch.signMs
    epochs.push({
      epoch: Number(epoch),
      trades: batch.trades,
      accounts: batch.accounts,
      lines: batch.lines,
      gasUsed: Number(receipt.gasUsed),
      calldataBytes: (batch.data.length - 2) / 2,
      calldataGas: calldataGas(batch.data),
    })
    epoch++
  }
  const gas = epochs.reduce((sum, e) => sum + e.gasUsed, 0)
  return {
    ...timings,
    trades: trades.length,
    txs: epochs.length,
    gas,
    gasPerTrade: gas / trades.length,
    split,
    epochs,
  }
}

interface PerTradeRun extends Timings {
  trades: number
  /** Trades settled and measured: all of them, or the first ones when the time budget ran out. */
  measured: number
  sampled: boolean
  gas: number
  gasPerTrade: number
  minGas: number
  maxGas: number
  loopMs: number
}

/** Every trade in order as its own one-trade epoch, until done or out of time with enough measured. */
async function settleEach(
  chain: Chain,
  keys: ReadonlyMap<string, Wallet>,
  trades: readonly RootedTrade[],
  budgetMs: number,
): Promise<PerTradeRun> {
  const timings: Timings = { prepareMs: 0, signMs: 0, sendMs: 0 }
  let gas = 0
  let minGas = Number.POSITIVE_INFINITY
  let maxGas = 0
  let measured = 0
  const start = performance.now()
  for (const [i, trade] of trades.entries()) {
    if (measured >= MIN_SAMPLE && performance.now() - start > budgetMs) break
    const batch = await prepareBatch(chain, keys, [trade], BigInt(i + 1))
    const sendStart = performance.now()
    const receipt = await expectOk(
      chain.settle(chain.session.contracts.ClearingHouse, batch.data, ONE_TRADE_GAS_LIMIT),
      `one-trade settleEpoch(${i + 1})`,
    )
    timings.sendMs += performance.now() - sendStart
    timings.prepareMs += batch.prepareMs
    timings.signMs += batch.signMs
    const used = Number(receipt.gasUsed)
    gas += used
    minGas = Math.min(minGas, used)
    maxGas = Math.max(maxGas, used)
    measured++
    if (measured % 1_000 === 0) progress(`  per trade: ${measured} of ${trades.length} settled`)
  }
  return {
    ...timings,
    trades: trades.length,
    measured,
    sampled: measured < trades.length,
    gas,
    gasPerTrade: gas / measured,
    minGas,
    maxGas,
    loopMs: performance.now() - start,
  }
}

// --- scenarios ----------------------------------------------------------------------------------

interface ScenarioResult {
  scenario: string
  accounts: number
  trades: number
  netted: NettedRun
  /** A second epoch of as many other trades on the netted chain: position slots mostly warm. */
  nettedWarm: NettedRun
  perTrade: PerTradeRun
  ratio: number
  largestBatchGas: number
  largestBatchShareOfBlock: number
}

async function runScenario(trades: number, accounts: number, options: Options): Promise<ScenarioResult> {
  const scenario = `${trades}x${accounts}`
  const wallets = accountWallets(accounts)
  const keys = new Map(wallets.map((w) => [w.address.toLowerCase(), w]))
  const stream = generateTrades(trades, wallets, scenarioSeed(options.seed, trades, accounts, 0))
  const warmStream = generateTrades(trades, wallets, scenarioSeed(options.seed, trades, accounts, 1))

  progress(`${scenario}: netted, fresh chain and ${accounts} deposits`)
  let chain = await freshChain(wallets)
  let netted: NettedRun
  let nettedWarm: NettedRun
  try {
    netted = await settleNetted(chain, keys, stream, 1n, options.batchGasBudget)
    nettedWarm = await settleNetted(chain, keys, warmStream, BigInt(netted.txs + 1), options.batchGasBudget)
  } finally {
    await chain.session.close()
  }

  progress(`${scenario}: per trade, fresh chain and ${accounts} deposits`)
  chain = await freshChain(wallets)
  let perTrade: PerTradeRun
  try {
    perTrade = await settleEach(chain, keys, stream, options.baselineBudgetS * 1000)
  } finally {
    await chain.session.close()
  }
  const largestBatchGas = Math.max(...netted.epochs.map((e) => e.gasUsed))
  return {
    scenario,
    accounts,
    trades,
    netted,
    nettedWarm,
    perTrade,
    ratio: perTrade.gasPerTrade / netted.gasPerTrade,
    largestBatchGas,
    largestBatchShareOfBlock: largestBatchGas / Number(DEV_BLOCK_GAS_LIMIT),
  }
}

// --- output -------------------------------------------------------------------------------------

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function seconds(ms: number): string {
  return `${fixed(ms / 1000, 2)} s`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

interface GoalCheck {
  scenario: string
  gasPerTradeGoal: number
  ratioGoal: number
  gasPerTrade: number | null
  ratio: number | null
  met: boolean | null
}

function goalCheck(results: readonly ScenarioResult[]): GoalCheck {
  const target = results.find((r) => r.trades === GOAL_TRADES && r.accounts === GOAL_ACCOUNTS)
  return {
    scenario: `${GOAL_TRADES}x${GOAL_ACCOUNTS}`,
    gasPerTradeGoal: GOAL_GAS_PER_TRADE,
    ratioGoal: GOAL_RATIO,
    gasPerTrade: target === undefined ? null : target.netted.gasPerTrade,
    ratio: target === undefined ? null : target.ratio,
    met:
      target === undefined
        ? null
        : target.netted.gasPerTrade < GOAL_GAS_PER_TRADE && target.ratio >= GOAL_RATIO,
  }
}

function printTables(results: readonly ScenarioResult[], goal: GoalCheck, wallMs: number): void {
  const out: string[] = []
  out.push(
    table(
      [
        'scenario',
        'accounts',
        'trades',
        'txs netted / per trade',
        'netted gas/trade',
        'per-trade gas/trade',
        'ratio',
        'netted warm gas/trade',
      ],
      results.map((r) => [
        r.scenario,
        int(r.accounts),
        int(r.trades),
        `${int(r.netted.txs)} / ${int(r.perTrade.measured)}${r.perTrade.sampled ? ` of ${int(r.trades)} (sample)` : ''}`,
        int(r.netted.gasPerTrade),
        int(r.perTrade.gasPerTrade),
        `${fixed(r.ratio, 1)}x`,
        int(r.nettedWarm.gasPerTrade),
      ]),
    ),
  )
  out.push('')
  out.push(
    table(
      [
        'scenario',
        'netted batch gas',
        'of block',
        'accounts',
        'lines',
        'calldata',
        'calldata gas',
        'warm batch gas',
        'per-trade tx gas min-max',
      ],
      results.map((r) => [
        r.scenario,
        r.netted.epochs.map((e) => int(e.gasUsed)).join(' + '),
        `${fixed(r.largestBatchShareOfBlock * 100, 1)}%`,
        r.netted.epochs.map((e) => int(e.accounts)).join(' + '),
        r.netted.epochs.map((e) => int(e.lines)).join(' + '),
        `${int(r.netted.epochs.reduce((s, e) => s + e.calldataBytes, 0))} B`,
        int(r.netted.epochs.reduce((s, e) => s + e.calldataGas, 0)),
        int(r.nettedWarm.gas),
        `${int(r.perTrade.minGas)}-${int(r.perTrade.maxGas)}`,
      ]),
    ),
  )
  out.push('')
  out.push(
    table(
      [
        'scenario',
        'netted prepare',
        'netted sign',
        'netted send',
        'per-trade prepare',
        'per-trade sign',
        'per-trade send',
        'per-trade loop',
      ],
      results.map((r) => [
        r.scenario,
        seconds(r.netted.prepareMs),
        seconds(r.netted.signMs),
        seconds(r.netted.sendMs),
        seconds(r.perTrade.prepareMs),
        seconds(r.perTrade.signMs),
        seconds(r.perTrade.sendMs),
        seconds(r.perTrade.loopMs),
      ]),
    ),
  )
  out.push('')
  if (goal.met === null) {
    out.push(`goal (${goal.scenario}): not run`)
  } else {
    out.push(
      `goal (${goal.scenario}): netted < ${int(goal.gasPerTradeGoal)} gas/trade: ${int(goal.gasPerTrade ?? 0)}; ` +
        `>= ${goal.ratioGoal}x cheaper than per trade: ${fixed(goal.ratio ?? 0, 1)}x; ` +
        `${goal.met ? 'MET' : 'NOT MET'}`,
    )
  }
  for (const r of results.filter((r) => r.perTrade.sampled)) {
    out.push(
      `${r.scenario}: per-trade figure is a sample, the first ${int(r.perTrade.measured)} of ${int(r.trades)} trades ` +
        `(time budget reached); it overstates per-trade gas a little (more fresh position slots early on)`,
    )
  }
  out.push(`total wall time ${seconds(wallMs)}`)
  process.stdout.write(`${out.join('\n')}\n`)
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2))
  const start = performance.now()
  const results: ScenarioResult[] = []
  for (const trades of options.trades) {
    for (const accounts of options.accounts) {
      results.push(await runScenario(trades, accounts, options))
    }
  }
  const wallMs = performance.now() - start
  const goal = goalCheck(results)
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        bench: 'settlement',
        seed: options.seed,
        instruments: INSTRUMENTS,
        blockGasLimit: Number(DEV_BLOCK_GAS_LIMIT),
        batchGasBudget: Number(options.batchGasBudget),
        baselineBudgetS: options.baselineBudgetS,
        scenarios: results,
        goal,
        wallMs,
      })}\n`,
    )
  } else {
    printTables(results, goal, wallMs)
  }
}

await main()
