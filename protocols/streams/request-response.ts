// One request, one response (or a bounded series of response frames) over a libp2p stream,
// length-prefixed, with a size cap on every frame and a deadline on the whole exchange.

import { type Connection, isPeerId, type PeerId, type Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { describeError } from '../../errors/hcx-error.ts'
import { ProtocolError } from '../errors.ts'

export interface ExchangeLimits {
  timeoutMs: number
  maxRequestBytes: number
  maxResponseBytes: number
}

/** A handler answers with one frame, or several for a snapshot; `[]` closes with no answer. */
export type RequestHandler = (
  request: Uint8Array,
  context: { connection: Connection; signal: AbortSignal },
) => Promise<Uint8Array | Uint8Array[]>

export async function sendRequest(
  host: Libp2p,
  peer: PeerId | Multiaddr,
  protocol: string,
  request: Uint8Array,
  limits: ExchangeLimits,
  signal?: AbortSignal,
): Promise<Uint8Array[]> {
  const deadline = AbortSignal.timeout(limits.timeoutMs)
  const combined = signal === undefined ? deadline : AbortSignal.any([deadline, signal])
  let stream: Stream | undefined
  try {
    // An open connection is used as it is: dialling again costs peer-store lookups, and the
    // protocol name travels with the request instead of in a round trip of its own.
    const open = isPeerId(peer) ? host.getConnections(peer).find((c) => c.status === 'open') : undefined
    stream =
      open === undefined
        ? await host.dialProtocol(peer, protocol, { signal: combined, negotiateFully: false })
        : await open.newStream(protocol, { signal: combined, negotiateFully: false })
    const framed = lpStream(stream, {
      maxDataLength: Math.max(limits.maxRequestBytes, limits.maxResponseBytes),
    })
    await framed.write(request, { signal: combined })
    const frames: Uint8Array[] = []
    const count = (await framed.read({ signal: combined })).subarray()
    // The first frame says how many frames follow, so the reader never waits on a close.
    const total = count.byteLength === 4 ? new DataView(count.buffer, count.byteOffset).getUint32(0) : -1
    if (total < 0 || total > 1_000) throw malformed(protocol, 'bad frame count')
    for (let i = 0; i < total; i++) {
      const frame = (await framed.read({ signal: combined })).subarray()
      if (frame.byteLength > limits.maxResponseBytes) throw malformed(protocol, 'frame over the size cap')
      frames.push(frame)
    }
    await stream.close({ signal: combined }).catch(() => {})
    return frames
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)))
    if (err instanceof ProtocolError) throw err
    if (deadline.aborted) {
      throw new ProtocolError(
        { code: 'PROTOCOL_TIMEOUT', protocol, timeoutMs: limits.timeoutMs },
        `${protocol}: no answer within ${limits.timeoutMs} ms`,
        { cause: err },
      )
    }
    throw new ProtocolError(
      { code: 'PROTOCOL_STREAM_FAILED', protocol },
      `${protocol}: ${describeError(err)}`,
      {
        cause: err,
      },
    )
  }
}

export async function handleRequests(
  host: Libp2p,
  protocol: string,
  limits: ExchangeLimits & { maxInboundStreams?: number },
  handler: RequestHandler,
): Promise<void> {
  await host.handle(
    protocol,
    async (stream, connection) => {
      const signal = AbortSignal.timeout(limits.timeoutMs)
      try {
        const framed = lpStream(stream, {
          maxDataLength: Math.max(limits.maxRequestBytes, limits.maxResponseBytes),
        })
        const request = (await framed.read({ signal })).subarray()
        if (request.byteLength > limits.maxRequestBytes)
          throw malformed(protocol, 'request over the size cap')
        const answer = await handler(request, { connection, signal })
        const frames = Array.isArray(answer) ? answer : [answer]
        const count = new Uint8Array(4)
        new DataView(count.buffer).setUint32(0, frames.length)
        await framed.write(count, { signal })
        for (const frame of frames) await framed.write(frame, { signal })
        await stream.close({ signal })
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    },
    { maxInboundStreams: limits.maxInboundStreams ?? 64, maxOutboundStreams: 256 },
  )
}

function malformed(protocol: string, reason: string): ProtocolError {
  return new ProtocolError({ code: 'PROTOCOL_MALFORMED', reason }, `${protocol}: ${reason}`)
}
