// A maker's sign desk facing hostile settle requests: garbage, another network, another
// chain, a stale epoch, trades it does not hold or that are not the requester's, a bad
// proof, a trade listed twice. Each is refused with its own code, and the node still signs
// and settles the honest epoch afterwards, then refuses to sign that trade again.

import { peerIdFromString } from '@libp2p/peer-id'
import { getBytes, hexlify, type TypedDataDomain } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootedTrade } from '../../actors/settlement/settlement-types.ts'
import { epochTree, provesMembership, type RootedTrade } from '../../ledger/netting/epoch-root.ts'
import { netTrades } from '../../ledger/netting/net-lines.ts'
import { accountLines, clearingDomain, netLinesSigned } from '../../ledger/settlement/batch.ts'
import type { HcxNode } from '../../node/hcx-node.ts'
import type { Host } from '../../node/host/create-host.ts'
import type { SignedTrade } from '../../protocols/market/messages.ts'
import {
  decodeSignResponse,
  encodeSettleMessage,
  SETTLE_LIMITS,
  SETTLE_PROTOCOL,
  type SettleRefusal,
  type SignRequest,
  type SignResponse,
} from '../../protocols/settlement/sign-messages.ts'
import { sendRequest } from '../../protocols/streams/request-response.ts'
import { type RawPeer, startRawPeer } from '../helpers/raw-peer.ts'
import {
  type SettlementNetwork,
  startSettlementChain,
  startSettlingNodes,
} from '../helpers/settlement-network.ts'
import { TestCluster, waitFor } from '../helpers/test-node.ts'

const SPOT = 'SPOT:gpu.a100'

describe('settlement against a hostile requester', () => {
  const cluster = new TestCluster()
  let network: SettlementNetwork
  // a takes (and so may ask b to sign); b makes; c is a stranger to the trade.
  let a: HcxNode
  let b: HcxNode
  let c: RawPeer
  let trade: SignedTrade
  let rooted: RootedTrade
  let domain: TypedDataDomain

  beforeAll(async () => {
    network = await startSettlementChain(cluster)
    ;[a, b] = (await startSettlingNodes(cluster, network, 2)) as [HcxNode, HcxNode]
    for (const node of [a, b]) await node.clearing.deposit(1_000_000_000n)
    await b.market.place({ instrument: SPOT, side: 'sell', price: 3_000n, qty: 4n, tif: 'gtc' })
    expect(await waitFor(() => a.market.depth(SPOT).asks.length > 0, 5_000)).toBe(true)
    const taken = await a.market.place({ instrument: SPOT, side: 'buy', price: 3_000n, qty: 4n, tif: 'ioc' })
    expect(taken.status).toBe('filled')
    const id = taken.fills[0]?.tradeId ?? ''
    expect(await waitFor(() => b.market.signedTrade(id) !== undefined, 5_000)).toBe(true)
    expect([...a.market.signedTrades()].map((t) => t.id)).toEqual([id])
    trade = a.market.signedTrade(id) as SignedTrade
    rooted = rootedTrade(trade)
    domain = clearingDomain(BigInt(network.chain.chainId), network.chain.contracts.ClearingHouse)
    c = await startRawPeer(b, [])
  }, 60_000)
  afterAll(async () => {
    await c?.stop()
    await cluster.stopAll()
    await network?.chain.close()
  }, 30_000)

  /** The request a's proposer sends b for `trades` in `epoch` (see Proposer.askSignature). */
  function honest(epoch: number, trades: RootedTrade[] = [rooted]): SignRequest {
    const tree = epochTree(trades)
    const proof = tree.getMultiProof([...tree.entries()].map(([index]) => index))
    return {
      v: 1,
      net: a.config.network,
      chainId: network.chain.chainId,
      house: getBytes(network.chain.contracts.ClearingHouse),
      epoch,
      root: getBytes(tree.root),
      trades: proof.leaves.map((leaf) => getBytes(leaf[0])),
      proof: proof.proof.map((p) => getBytes(p)),
      flags: proof.proofFlags,
    }
  }

  async function ask(data: Uint8Array, from: Host = a.libp2p): Promise<SignResponse> {
    const frames = await sendRequest(from, peerIdFromString(b.peerId), SETTLE_PROTOCOL, data, {
      timeoutMs: 5_000,
      ...SETTLE_LIMITS,
    })
    expect(frames).toHaveLength(1)
    return decodeSignResponse(frames[0] as Uint8Array)
  }

  /** Sends `request` to b, which must refuse it with `code` and a reason containing `reason`. */
  async function refused(
    request: SignRequest | Uint8Array,
    code: SettleRefusal,
    reason: string,
    from?: Host,
  ): Promise<void> {
    const data = request instanceof Uint8Array ? request : encodeSettleMessage(request)
    const response = await ask(data, from)
    if (response.ok) throw new Error(`expected ${code}, but b signed`)
    expect({ code: response.code, reason: response.reason }).toEqual({
      code,
      reason: expect.stringContaining(reason),
    })
  }

  const nextEpoch = async () => (await b.clearing.lastEpoch()) + 1
  /** b's signatures in others' epochs. */
  const signerEpochs = () => b.settlement.epochs().filter((e) => e.role === 'signer')

  it('refuses each hostile request with its own code, and signs nothing', async () => {
    const epoch = await nextEpoch()
    expect(epoch).toBe(1)

    // Not a request at all.
    const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff)
    await refused(garbage, 'SETTLE_MALFORMED', 'not strict deterministic CBOR')
    const notRequest = encodeSettleMessage({ ok: true, sig: new Uint8Array(65) })
    await refused(notRequest, 'SETTLE_MALFORMED', 'malformed message at')
    // Another network, another chain, another clearing house.
    const net = a.config.network
    await refused({ ...honest(epoch), net: `${net}-other` }, 'SETTLE_MALFORMED', `${net}-other is not ${net}`)
    const onChain = `this node settles on chain ${network.chain.chainId}`
    await refused({ ...honest(epoch), chainId: 1 }, 'SETTLE_WRONG_CHAIN', onChain)
    const otherHouse = getBytes(network.chain.contracts.CollateralVault)
    await refused({ ...honest(epoch), house: otherHouse }, 'SETTLE_WRONG_CHAIN', onChain)
    // An epoch the chain has passed: none yet, and epoch 0 is not an epoch.
    await refused({ ...honest(epoch), epoch: 0 }, 'SETTLE_MALFORMED', 'malformed message at epoch')
    // A trade b never saw, proven in its own tree, alone or beside b's trade.
    const stranger = { ...rooted, tradeId: 'ab'.repeat(32) }
    const unknown = `trade ${stranger.tradeId} is not in this node's ledger`
    await refused(honest(epoch, [stranger]), 'SETTLE_UNKNOWN_TRADE', unknown)
    await refused(honest(epoch, [rooted, stranger]), 'SETTLE_UNKNOWN_TRADE', unknown)
    // b's trade, asked by a peer that is not its taker.
    const notTaker = `trade ${trade.id} is not between this node as maker and ${c.peerId}`
    await refused(honest(epoch), 'SETTLE_NOT_COUNTERPARTY', notTaker, c.host)
    // b's trade under a root it is not in.
    const notMember = 'are not proven members of root'
    await refused({ ...honest(epoch), root: new Uint8Array(32).fill(7) }, 'SETTLE_BAD_PROOF', notMember)
    // b's trade in a two-trade tree, with one bit of its proof flipped.
    const pairTree = epochTree([rooted, { ...stranger, qty: 1n }])
    const index = [...pairTree.entries()].findIndex(([, leaf]) => leaf[0] === `0x${rooted.tradeId}`)
    const single = pairTree.getMultiProof([index])
    expect(provesMembership(pairTree.root, [rooted], single.proof, single.proofFlags)).toBe(true)
    const tampered = single.proof.map((p) => getBytes(p))
    ;(tampered[0] as Uint8Array)[0] = ((tampered[0] as Uint8Array)[0] as number) ^ 1
    expect(provesMembership(pairTree.root, [rooted], tampered.map(hexlify), single.proofFlags)).toBe(false)
    const pairRequest = {
      ...honest(epoch),
      root: getBytes(pairTree.root),
      trades: [getBytes(`0x${rooted.tradeId}`)],
      proof: tampered,
      flags: single.proofFlags,
    }
    await refused(pairRequest, 'SETTLE_BAD_PROOF', notMember)
    // A root over other numbers for the same trade id: b checks against its own copy.
    await refused(honest(epoch, [{ ...rooted, qty: rooted.qty + 1n }]), 'SETTLE_BAD_PROOF', notMember)
    // The same trade twice.
    const twice = honest(epoch)
    const listedTwice = { ...twice, trades: [...twice.trades, ...twice.trades] }
    await refused(listedTwice, 'SETTLE_MALFORMED', 'a trade is listed twice')
    // None of it left a signature behind.
    expect(signerEpochs()).toEqual([])
  })

  it('signs its own lines for the honest request, and holds the trade to that epoch', async () => {
    const epoch = await nextEpoch()
    const request = honest(epoch)
    const response = await ask(encodeSettleMessage(request))
    if (!response.ok) throw new Error(`b refused the honest request: ${response.code} ${response.reason}`)
    const account = b.clearing.account.toLowerCase()
    const [entry] = accountLines(
      netTrades([rooted]).filter((l) => l.account === account),
      [account],
    )
    if (entry === undefined) throw new Error('b has no lines in its own trade')
    expect(entry.lines).toHaveLength(1)
    const message = { epoch: BigInt(epoch), tradesRoot: hexlify(request.root), entry }
    const signature = hexlify(response.sig)
    expect(netLinesSigned(domain, message, signature)).toBe(true)
    expect(netLinesSigned(domain, { ...message, epoch: BigInt(epoch + 1) }, signature)).toBe(false)
    expect(signerEpochs()).toMatchObject([
      { epoch, state: 'pending', trades: 1, root: hexlify(request.root) },
    ])
    // While that signature is pending, b signs the trade in no other epoch.
    await refused(honest(epoch + 1), 'SETTLE_TRADE_PENDING', `trade ${trade.id} is pending in epoch ${epoch}`)
  })

  it('still signs for a’s own epoch, which settles, and then refuses the trade for good', async () => {
    const epoch = await nextEpoch()
    const { root } = epochTree([rooted])
    // b signs again in the epoch of its pending signature, and the chain settles it.
    const proposal = await a.settlement.settleEpoch()
    expect(proposal).toMatchObject({
      epoch,
      state: 'settled',
      tradeIds: [trade.id],
      root,
    })
    expect(await b.clearing.lastEpoch()).toBe(epoch)

    // Now the epoch is past and the trade settled.
    await refused(honest(epoch), 'SETTLE_STALE_EPOCH', `epoch ${epoch} is not after ${epoch}`)
    await refused(honest(epoch + 1), 'SETTLE_TRADE_SETTLED', `trade ${trade.id} is already settled`)
    expect(signerEpochs()).toMatchObject([{ epoch, state: 'settled' }])
  }, 30_000)
})
