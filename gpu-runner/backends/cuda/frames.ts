// Frames between hcx and the cuda worker (worker.py): a 4-byte little-endian length, a UTF-8
// JSON object header, then `header.bytes` payload bytes. Every length is checked before any
// memory is set aside for it, and the decoder throws only FrameError.

/** Headers are small JSON objects; a longer one means the stream is corrupt. */
export const MAX_FRAME_HEADER_BYTES = 64 * 1024
const LENGTH_PREFIX_BYTES = 4

export type FrameHeader = Readonly<Record<string, unknown>>

export interface Frame {
  readonly header: FrameHeader
  /** The payload in a buffer of its own, starting at offset 0, so typed-array views of it are aligned. */
  readonly payload: Uint8Array
}

export class FrameError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/**
 * The chunks of one frame: the length prefix with the header, then the payloads unchanged (no
 * copy of large matrices). `bytes` in the header is set to the payloads' total length.
 */
export function encodeFrame(header: FrameHeader, payloads: readonly Uint8Array[] = []): Uint8Array[] {
  const bytes = payloads.reduce((sum, p) => sum + p.byteLength, 0)
  const json = Buffer.from(JSON.stringify({ ...header, bytes }), 'utf8')
  if (json.length > MAX_FRAME_HEADER_BYTES) {
    throw new FrameError(
      `a frame header of ${json.length} bytes exceeds the ${MAX_FRAME_HEADER_BYTES}-byte limit`,
    )
  }
  const head = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + json.length)
  head.writeUInt32LE(json.length, 0)
  json.copy(head, LENGTH_PREFIX_BYTES)
  return [head, ...payloads]
}

export interface FrameDecoderOptions {
  /** The most payload bytes a frame with this header may carry; a larger one is refused before it is read. */
  readonly payloadLimit: (header: FrameHeader) => number
  readonly maxHeaderBytes?: number
}

export interface FrameDecoder {
  /** Takes the next bytes of the stream and returns every frame they complete. */
  push(chunk: Uint8Array): Frame[]
  /** Declares the stream over; throws if it stopped inside a frame. */
  end(): void
}

export function frameDecoder(options: FrameDecoderOptions): FrameDecoder {
  const maxHeaderBytes = options.maxHeaderBytes ?? MAX_FRAME_HEADER_BYTES
  // Bytes not yet consumed, while the prefix and header are being gathered.
  let head: Uint8Array = new Uint8Array(0)
  type Filling = { header: FrameHeader; payload: Uint8Array; filled: number }
  // The frame whose payload is being filled, once its header is known.
  let filling: Filling | undefined

  /** The frame `head` starts, once its header is complete, and the bytes after the header. */
  function startFrame(): { frame: Filling; rest: Uint8Array } | undefined {
    if (head.length < LENGTH_PREFIX_BYTES) return undefined
    const length = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, true)
    if (length > maxHeaderBytes) {
      throw new FrameError(`a frame header of ${length} bytes exceeds the ${maxHeaderBytes}-byte limit`)
    }
    if (head.length < LENGTH_PREFIX_BYTES + length) return undefined
    const header = parseHeader(head.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length))
    const bytes = payloadBytes(header)
    const limit = options.payloadLimit(header)
    if (bytes > limit) {
      throw new FrameError(`a frame payload of ${bytes} bytes exceeds the limit of ${limit} here`)
    }
    return {
      frame: { header, payload: new Uint8Array(bytes), filled: 0 },
      rest: head.subarray(LENGTH_PREFIX_BYTES + length),
    }
  }

  return {
    push(chunk) {
      const frames: Frame[] = []
      let input = chunk
      for (;;) {
        if (filling === undefined) {
          head = concat(head, input)
          const started = startFrame()
          if (started === undefined) break
          filling = started.frame
          // Bytes past the header belong to the payload, or to the frames after it.
          input = started.rest
          head = new Uint8Array(0)
        }
        const take = Math.min(filling.payload.length - filling.filled, input.length)
        filling.payload.set(input.subarray(0, take), filling.filled)
        filling.filled += take
        input = input.subarray(take)
        if (filling.filled < filling.payload.length) break
        frames.push({ header: filling.header, payload: filling.payload })
        filling = undefined
        if (input.length === 0) break
      }
      return frames
    },
    end() {
      if (filling !== undefined) {
        throw new FrameError(
          `the stream ended inside a frame payload: ${filling.filled} of ${filling.payload.length} bytes arrived`,
        )
      }
      if (head.length > 0)
        throw new FrameError(`the stream ended inside a frame header (${head.length} bytes)`)
    },
  }
}

/** Exactly one frame from `bytes`; throws on a truncated frame or bytes left after it. */
export function decodeFrame(bytes: Uint8Array, payloadLimit = Number.MAX_SAFE_INTEGER): Frame {
  const decoder = frameDecoder({ payloadLimit: () => payloadLimit })
  const frames = decoder.push(bytes)
  decoder.end()
  const [frame, ...rest] = frames
  if (frame === undefined) throw new FrameError('no frame in an empty input')
  if (rest.length > 0) throw new FrameError(`expected one frame, found ${frames.length}`)
  return frame
}

function parseHeader(raw: Uint8Array): FrameHeader {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw))
  } catch (err) {
    throw new FrameError(
      `a frame header is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('a frame header is JSON but not an object')
  }
  return value as FrameHeader
}

function payloadBytes(header: FrameHeader): number {
  const bytes = header.bytes ?? 0
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new FrameError(
      `a frame header's "bytes" must be a whole number of at least 0, got ${JSON.stringify(bytes)}`,
    )
  }
  return bytes
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}
