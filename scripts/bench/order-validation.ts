// Signed-order validation benchmark (BENCHMARKS.md, "Signed-order validation (market)"): the
// gossip path of a market order, from topic message to accepted order, against the rate of
// node:crypto Ed25519 verify alone over the same signed payloads, in the same run.
//
//   npx tsx scripts/bench/order-validation.ts
//
// Orders are generated and signed up front (not timed): each distinct and valid, signed by one of
// BENCH_SIGNERS keys (so the verifier's KeyObject cache sees a realistic mix), with a fixed clock
// that keeps them all fresh. On one core (the main thread):
//  1. raw-verify: crypto.verify(null, domain || body, keyObject, sig), payloads and KeyObjects made
//     beforehand: the floor;
//  2. validate-1: decodeOrderTopicMessage of a gossip message holding one order, then
//     MarketValidator.validateOrder (CBOR, schema, network, instrument and tick, freshness,
//     seen-cache, nonce, signature), a fresh validator per run so that nothing is a duplicate;
//  3. validate-16: the same with 16 orders per gossip message;
// then on two worker threads, each with its own validators over half of the pre-encoded messages
// (built in the main thread and transferred): raw-verify-, validate- and validate-16-2-workers, as
// aggregate rates and their ratio to (1).
// Breakdown lines: validate-1 and -16 with a verifier that accepts every signature (the cost of
// everything but the signature), SignatureVerifier.verify alone (its key cache and payload copy
// around crypto.verify), and the parts of the rest timed alone (topic decode, CBOR, schema,
// instrument check, message id); `unattributedUs` is what validate-1 costs beyond the trusting run
// plus SignatureVerifier.verify.
// The host may be shared and its speed drift, so every run takes the phases chunk by chunk over the
// same orders, rotating which goes first, and a slow spell weighs on all of them alike; each phase is
// warmed up, runs BENCH_RUNS times, and its median is reported.
//
// Prints one JSON object per figure on stdout; progress goes to stderr. Exits 1 if any order is
// not accepted. Environment: BENCH_ORDERS (default 20000), BENCH_RUNS (3), BENCH_SIGNERS (50).

import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { cachedInstrumentCheck } from '../../actors/market/market.ts'
import { decodeCbor } from '../../protocols/codec/cbor.ts'
import { MARKET_LIMITS } from '../../protocols/market/limits.ts'
import {
  decodeOrderBody,
  messageId,
  type OrderBody,
  SIGNING_DOMAINS,
  type SignedOrder,
} from '../../protocols/market/messages.ts'
import { signOrder } from '../../protocols/market/sign.ts'
import { MarketValidator } from '../../protocols/market/validate.ts'
import { decodeOrderTopicMessage, encodeOrderTopicMessage } from '../../protocols/market/wire.ts'
import { SignatureVerifier, type Signer, signerFromPeerKey } from '../../protocols/signing/ed25519.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 50)
const BATCH = 16
const WORKERS = 2
const WARMUP_ORDERS = 2_048
/** Orders per interleaved chunk, on one core and per worker (multiples of BATCH). */
const CHUNK = 1_024
const WORKER_CHUNK = 512

const GOAL_OF_RAW_ONE_CORE = 0.85
const GOAL_OF_RAW_TWO_WORKERS = 1.7

const NETWORK = 'bench'
/** The validators' clock; every order's ts lies within the last 20 s of it. */
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0)
const now = (): number => NOW
const SPREAD_MS = 20_000
const INSTRUMENTS = [
  'SPOT:gpu.h100',
  'SPOT:gpu.a100',
  'FUT:gpu.h100:20261201T0000Z:1h',
  'OPT:C:gpu.h100:20261201T0000Z:2500000',
  'SPOT:cpu.epyc',
  'SWP:gpu.h100/gpu.a100:30d',
]
const TICK = 100n
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

const BENCH = 'order-validation'
const instrumentCheck = cachedInstrumentCheck()

function emit(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, ...figure })}\n`)
}

function progress(message: string): void {
  process.stderr.write(`${BENCH}: ${message}\n`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const round = (value: number, digits = 0): number => Number(value.toFixed(digits))

/** Milliseconds that `work` takes. */
function time(work: () => void): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

/** Accepts every signature, so a run with it costs everything in validation but the signature. */
class TrustingVerifier extends SignatureVerifier {
  override verify(): boolean {
    return true
  }
}

function validator(verifier?: SignatureVerifier): MarketValidator {
  return new MarketValidator({
    network: NETWORK,
    now,
    checkInstrument: cachedInstrumentCheck(),
    ...(verifier ? { verifier } : {}),
  })
}

/** The gossip path over messages [from, to): each decoded, each order in it validated; returns the accepted. */
function validateRange(
  messages: Uint8Array[],
  target: MarketValidator,
  from = 0,
  to = messages.length,
): number {
  let accepted = 0
  for (let m = from; m < to; m++) {
    for (const item of decodeOrderTopicMessage(messages[m] as Uint8Array)) {
      if (item.kind === 'order' && target.validateOrder(item).result === 'accept') accepted++
    }
  }
  return accepted
}

interface VerifyInput {
  payloads: Buffer[]
  keys: KeyObject[]
  signatures: Uint8Array[]
}

/** node:crypto verify alone over orders [from, to); returns the signatures that verify. */
function rawVerifyRange({ payloads, keys, signatures }: VerifyInput, from = 0, to = payloads.length): number {
  let valid = 0
  for (let i = from; i < to; i++) {
    if (verify(null, payloads[i] as Buffer, keys[i] as KeyObject, signatures[i] as Uint8Array)) valid++
  }
  return valid
}

function keyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
}

/** Raw-verify inputs from the orders in topic messages, one KeyObject per signer. */
function verifyInput(messages: Uint8Array[]): VerifyInput {
  const byOwner = new Map<string, KeyObject>()
  const input: VerifyInput = { payloads: [], keys: [], signatures: [] }
  for (const message of messages) {
    for (const item of decodeOrderTopicMessage(message)) {
      const { owner } = decodeOrderBody(item.bodyBytes)
      const hex = Buffer.from(owner).toString('hex')
      let key = byOwner.get(hex)
      if (key === undefined) {
        key = keyObject(owner)
        byOwner.set(hex, key)
      }
      input.payloads.push(Buffer.concat([SIGNING_DOMAINS.order, item.bodyBytes]))
      input.keys.push(key)
      input.signatures.push(item.signature)
    }
  }
  return input
}

/**
 * One timed path over orders [from, to) (multiples of BATCH); returns the orders it accepted.
 * A path's state (its validator) lives from one run's first chunk to its last.
 */
type Phase = (from: number, to: number) => number

/** The phases of one run, with fresh validators, over messages of 1 and of BATCH orders. */
function phases(single: Uint8Array[], batched: Uint8Array[], raw: VerifyInput): Record<string, Phase> {
  const one = validator()
  const many = validator()
  return {
    'raw-verify': (from, to) => rawVerifyRange(raw, from, to),
    'validate-1': (from, to) => validateRange(single, one, from, to),
    [`validate-${BATCH}`]: (from, to) => validateRange(batched, many, from / BATCH, to / BATCH),
  }
}

/**
 * Runs every phase over the same chunk of orders before it moves to the next chunk, rotating which
 * goes first, so that a slow spell of the host weighs on all phases alike; returns ms per phase.
 */
function interleaved(runPhases: Record<string, Phase>, orders: number, chunk: number): Map<string, number> {
  const names = Object.keys(runPhases)
  const ms = new Map(names.map((name) => [name, 0]))
  const accepted = new Map(names.map((name) => [name, 0]))
  for (let c = 0, from = 0; from < orders; c++, from += chunk) {
    const to = Math.min(from + chunk, orders)
    for (let k = 0; k < names.length; k++) {
      const name = names[(c + k) % names.length] as string
      const phase = runPhases[name] as Phase
      let got = 0
      ms.set(name, (ms.get(name) as number) + time(() => (got = phase(from, to))))
      accepted.set(name, (accepted.get(name) as number) + got)
    }
  }
  for (const name of names) expectAll(name, accepted.get(name) as number, orders)
  return ms
}

function expectAll(what: string, got: number, want: number): void {
  if (got !== want) {
    progress(`${what}: ${got} of ${want} orders accepted; the benchmark's orders must all be valid`)
    process.exit(1)
  }
}

// ---- worker threads -------------------------------------------------------------------------

interface PackedMessages {
  buffer: ArrayBuffer
  /** Start of each message in `buffer`, then the end of the last. */
  offsets: number[]
}

interface WorkerInit {
  single: PackedMessages
  batched: PackedMessages
}

/** Runs `path` over the worker's orders [from, to); `fresh` starts the path's run. */
interface WorkerTask {
  path: string
  from: number
  to: number
  fresh: boolean
}

function pack(messages: Uint8Array[]): PackedMessages {
  const offsets = [0]
  for (const message of messages) offsets.push((offsets.at(-1) as number) + message.byteLength)
  const bytes = new Uint8Array(offsets.at(-1) as number)
  messages.forEach((message, i) => {
    bytes.set(message, offsets[i] as number)
  })
  return { buffer: bytes.buffer, offsets }
}

function unpack({ buffer, offsets }: PackedMessages): Uint8Array[] {
  return offsets
    .slice(0, -1)
    .map((start, i) => new Uint8Array(buffer, start, (offsets[i + 1] as number) - start))
}

function runWorker(): void {
  const port = parentPort
  if (port === null) throw new Error('not a worker thread')
  const init = workerData as WorkerInit
  const single = unpack(init.single)
  const batched = unpack(init.batched)
  const raw = verifyInput(single)
  let current = phases(single, batched, raw)
  port.on('message', (task: WorkerTask | 'exit') => {
    if (task === 'exit') {
      port.close()
      return
    }
    if (task.fresh) current = { ...current, [task.path]: phases(single, batched, raw)[task.path] as Phase }
    const to = Math.min(task.to, single.length)
    port.postMessage(task.from < to ? (current[task.path] as Phase)(task.from, to) : 0)
  })
}

class WorkerPool {
  /** Orders per worker, a multiple of BATCH. */
  readonly share: number
  private readonly workers: Worker[] = []
  private readonly ready: Promise<void>

  constructor(single: Uint8Array[], batched: Uint8Array[]) {
    const messagesEach = Math.ceil(batched.length / WORKERS)
    this.share = messagesEach * BATCH
    const online: Array<Promise<void>> = []
    for (let w = 0; w < WORKERS; w++) {
      const data: WorkerInit = {
        single: pack(single.slice(w * this.share, (w + 1) * this.share)),
        batched: pack(batched.slice(w * messagesEach, (w + 1) * messagesEach)),
      }
      const worker = new Worker(new URL(import.meta.url), {
        workerData: data,
        transferList: [data.single.buffer, data.batched.buffer],
      })
      worker.on('error', (err) => {
        progress(`worker ${w} failed: ${err.stack ?? err.message}`)
        process.exit(1)
      })
      online.push(new Promise((resolve) => worker.once('online', () => resolve())))
      this.workers.push(worker)
    }
    this.ready = Promise.all(online).then(() => undefined)
  }

  /** Every worker runs the task on its own orders at once; the orders accepted and the wall time. */
  async run(task: WorkerTask): Promise<{ accepted: number; ms: number }> {
    await this.ready
    const start = performance.now()
    const accepted = await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<number>((resolve) => {
            worker.once('message', resolve)
            worker.postMessage(task)
          }),
      ),
    )
    return { accepted: accepted.reduce((sum, n) => sum + n, 0), ms: performance.now() - start }
  }

  /** One run of every path over all `orders`, interleaved by chunk as on one core; returns ms per path. */
  async interleaved(paths: string[], chunk: number, orders: number): Promise<Map<string, number>> {
    const ms = new Map(paths.map((path) => [path, 0]))
    const accepted = new Map(paths.map((path) => [path, 0]))
    for (let c = 0, from = 0; from < this.share; c++, from += chunk) {
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(c + k) % paths.length] as string
        const result = await this.run({ path, from, to: from + chunk, fresh: from === 0 })
        ms.set(path, (ms.get(path) as number) + result.ms)
        accepted.set(path, (accepted.get(path) as number) + result.accepted)
      }
    }
    for (const path of paths) expectAll(`${path} on ${WORKERS} workers`, accepted.get(path) as number, orders)
    return ms
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) => {
        const exited = new Promise((resolve) => worker.once('exit', resolve))
        worker.postMessage('exit')
        return exited
      }),
    )
  }
}

// ---- orders ---------------------------------------------------------------------------------

async function makeSigners(count: number): Promise<Array<{ signer: Signer; acct: Uint8Array }>> {
  const signers = []
  for (let s = 0; s < count; s++) {
    const signer = signerFromPeerKey(await generateKeyPair('Ed25519'))
    signers.push({ signer, acct: new Uint8Array(20).fill(s + 1) })
  }
  return signers
}

/** Distinct valid orders, as the market's orderBody builds them, each signed by a random signer. */
function makeOrders(count: number, signers: Array<{ signer: Signer; acct: Uint8Array }>): SignedOrder[] {
  const random = seededRandom(1)
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T
  const gateway = signers[0]?.signer.publicKey
  const orders: SignedOrder[] = []
  for (let i = 0; i < count; i++) {
    const { signer, acct } = pick(signers)
    const inst = pick(INSTRUMENTS)
    const ts = NOW - Math.floor(random() * SPREAD_MS)
    const body: OrderBody = {
      v: 1,
      net: NETWORK,
      inst,
      side: random() < 0.5 ? 'buy' : 'sell',
      px: (inst.startsWith('SPOT:cpu') ? 1n : TICK) * BigInt(20_000 + Math.floor(random() * 10_000)),
      qty: BigInt(1 + Math.floor(random() * 1_000)),
      tif: pick(['gtc', 'gtc', 'gtc', 'ioc', 'fok'] as const),
      exp: random() < 0.5 ? 0 : ts + 3_600_000,
      ts,
      nonce: Math.floor(random() * 2 ** 48),
      owner: signer.publicKey,
      acct,
      minRep: random() < 0.8 ? 0 : 5_000,
      ...(random() < 0.1 && gateway !== undefined ? { via: gateway } : {}),
    }
    const check = instrumentCheck(body.inst, body.px)
    if (check !== undefined)
      throw new Error(`generated an invalid order: ${check} (${body.inst} at ${body.px})`)
    orders.push(signOrder(body, signer))
  }
  return orders
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!Number.isSafeInteger(ORDERS) || ORDERS < BATCH * WORKERS || !(RUNS >= 1) || !(SIGNERS >= 1)) {
    progress('BENCH_ORDERS, BENCH_RUNS and BENCH_SIGNERS must be positive integers (orders >= 32)')
    process.exit(2)
  }
  // Whole messages of BATCH orders only, so that every path sees the same orders.
  const count = ORDERS - (ORDERS % BATCH)
  progress(`signing ${count} orders with ${SIGNERS} keys`)
  const orders = makeOrders(count, await makeSigners(SIGNERS))
  const single = orders.map((order) => encodeOrderTopicMessage([order]))
  const batched = batches(orders, BATCH).map((group) => encodeOrderTopicMessage(group))
  const raw = verifyInput(single)
  const bodies = orders.map((order) => order.bodyBytes)

  /** The parts of validation but the signature, each timed alone over the same orders. */
  const parts: Record<string, Phase> = {
    topicDecodeUs: (from, to) => {
      for (let i = from; i < to; i++) decodeOrderTopicMessage(single[i] as Uint8Array)
      return to - from
    },
    cborUs: (from, to) => {
      for (let i = from; i < to; i++) decodeCbor(bodies[i] as Uint8Array, MARKET_LIMITS.maxBodyBytes)
      return to - from
    },
    bodyDecodeUs: (from, to) => {
      for (let i = from; i < to; i++) decodeOrderBody(bodies[i] as Uint8Array)
      return to - from
    },
    checkInstrumentUs: (from, to) => {
      for (let i = from; i < to; i++) {
        const { body } = orders[i] as SignedOrder
        if (instrumentCheck(body.inst, body.px) !== undefined) return 0
      }
      return to - from
    },
    messageIdUs: (from, to) => {
      for (let i = from; i < to; i++) messageId(bodies[i] as Uint8Array)
      return to - from
    },
  }
  const runPhases = (): Record<string, Phase> => {
    const trustingOne = validator(new TrustingVerifier())
    const trustingMany = validator(new TrustingVerifier())
    const verifier = new SignatureVerifier()
    return {
      ...phases(single, batched, raw),
      'trusting-1': (from, to) => validateRange(single, trustingOne, from, to),
      [`trusting-${BATCH}`]: (from, to) => validateRange(batched, trustingMany, from / BATCH, to / BATCH),
      /** SignatureVerifier.verify alone: its key cache and payload copy around crypto.verify. */
      'verifier-verify': (from, to) => {
        let valid = 0
        for (let i = from; i < to; i++) {
          const { body, bodyBytes, signature } = orders[i] as SignedOrder
          if (verifier.verify(body.owner, SIGNING_DOMAINS.order, bodyBytes, signature)) valid++
        }
        return valid
      },
      ...parts,
    }
  }

  progress('warming up')
  const warmup = Math.min(WARMUP_ORDERS, count)
  interleaved(runPhases(), warmup, CHUNK)
  const samples = new Map<string, number[]>()
  for (let run = 1; run <= RUNS; run++) {
    progress(`one core: run ${run} of ${RUNS}`)
    for (const [name, ms] of interleaved(runPhases(), count, CHUNK)) {
      samples.set(name, [...(samples.get(name) ?? []), ms])
    }
  }
  const usPerOrder = (name: string): number => (median(samples.get(name) ?? []) * 1_000) / count
  const perSec = (name: string): number => 1_000_000 / usPerOrder(name)

  const rawRate = perSec('raw-verify')
  const verifierUs = usPerOrder('verifier-verify')
  emit({
    path: 'raw-verify',
    perSec: round(rawRate),
    usPerOrder: round(usPerOrder('raw-verify'), 2),
    orders: count,
  })
  for (const path of ['validate-1', `validate-${BATCH}`]) {
    const ofRawVerify = perSec(path) / rawRate
    emit({
      path,
      perSec: round(perSec(path)),
      usPerOrder: round(usPerOrder(path), 2),
      ofRawVerify: round(ofRawVerify, 3),
      goal: GOAL_OF_RAW_ONE_CORE,
      meetsGoal: ofRawVerify >= GOAL_OF_RAW_ONE_CORE,
    })
  }
  for (const size of [1, BATCH]) {
    const total = usPerOrder(`validate-${size}`)
    const nonSignature = usPerOrder(`trusting-${size}`)
    emit({
      path: `breakdown-${size}`,
      usPerOrder: round(total, 2),
      decodeAndChecksUs: round(nonSignature, 2),
      signatureUs: round(total - nonSignature, 2),
      decodeAndChecksShare: round(nonSignature / total, 3),
      ...(size === 1
        ? {
            rawVerifyUs: round(usPerOrder('raw-verify'), 2),
            verifierOverheadUs: round(verifierUs - usPerOrder('raw-verify'), 2),
            unattributedUs: round(total - nonSignature - verifierUs, 2),
            ...Object.fromEntries(Object.keys(parts).map((name) => [name, round(usPerOrder(name), 2)])),
            schemaUs: round(usPerOrder('bodyDecodeUs') - usPerOrder('cborUs'), 2),
          }
        : {}),
    })
  }

  progress(`${WORKERS} workers: starting`)
  const pool = new WorkerPool(single, batched)
  const paths = ['raw-verify', 'validate-1', `validate-${BATCH}`]
  await pool.interleaved(paths, WORKER_CHUNK, count)
  const workerSamples = new Map<string, number[]>()
  for (let run = 1; run <= RUNS; run++) {
    progress(`${WORKERS} workers: run ${run} of ${RUNS}`)
    for (const [path, ms] of await pool.interleaved(paths, WORKER_CHUNK, count)) {
      workerSamples.set(path, [...(workerSamples.get(path) ?? []), ms])
    }
  }
  await pool.close()
  const workerRate = (path: string): number => count / (median(workerSamples.get(path) ?? []) / 1_000)
  for (const path of paths) {
    const ofRawVerify = workerRate(path) / rawRate
    emit({
      path: `${path === 'validate-1' ? 'validate' : path}-${WORKERS}-workers`,
      perSec: round(workerRate(path)),
      ofRawVerify: round(ofRawVerify, 3),
      ...(path === 'raw-verify'
        ? {}
        : {
            /** Against bare verify on as many workers: what validation costs, apart from how the host scales. */
            [`ofRawVerify${WORKERS}Workers`]: round(workerRate(path) / workerRate('raw-verify'), 3),
            goal: GOAL_OF_RAW_TWO_WORKERS,
            meetsGoal: ofRawVerify >= GOAL_OF_RAW_TWO_WORKERS,
          }),
    })
  }
}

if (isMainThread) {
  await main()
} else {
  runWorker()
}
