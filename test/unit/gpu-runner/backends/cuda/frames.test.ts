import { describe, expect, it } from 'vitest'
import {
  decodeFrame,
  encodeFrame,
  FrameError,
  frameDecoder,
  MAX_FRAME_HEADER_BYTES,
} from '../../../../../gpu-runner/backends/cuda/frames.ts'

const join = (chunks: readonly Uint8Array[]): Uint8Array => Buffer.concat(chunks)
const noLimit = { payloadLimit: () => Number.MAX_SAFE_INTEGER }

/** A frame with the given raw header bytes, written by hand to say what the encoder never would. */
function rawFrame(header: string, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(header, 'utf8')
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32LE(json.length, 0)
  return Buffer.concat([prefix, json, payload])
}

describe('cuda worker frames', () => {
  it('round-trips a header and its payloads, stating the payload length in the header', () => {
    const a = new Uint8Array([1, 2, 3])
    const b = new Uint8Array([4, 5])
    const frame = decodeFrame(join(encodeFrame({ op: 'matmul', n: 1 }, [a, b])))
    expect(frame.header).toEqual({ op: 'matmul', n: 1, bytes: 5 })
    expect([...frame.payload]).toEqual([1, 2, 3, 4, 5])
  })

  it('decodes frames split at every byte boundary and several frames in one chunk', () => {
    const stream = join([
      ...encodeFrame({ op: 'hello' }),
      ...encodeFrame({ ok: true }, [new Uint8Array([9, 8, 7, 6])]),
      ...encodeFrame({ op: 'quit' }),
    ])
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = frameDecoder(noLimit)
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))]
      decoder.end()
      expect(frames.map((f) => f.header.op ?? f.header.ok)).toEqual(['hello', true, 'quit'])
      expect([...(frames[1]?.payload ?? [])]).toEqual([9, 8, 7, 6])
    }
  })

  it('gives each payload a buffer of its own at offset 0, so a Float32Array view of it is aligned', () => {
    const values = new Float32Array([1.5, -2, 3])
    const stream = join(encodeFrame({ x: 1 }, [new Uint8Array(values.buffer)]))
    const decoder = frameDecoder(noLimit)
    const [frame] = [...decoder.push(stream.subarray(0, 7)), ...decoder.push(stream.subarray(7))]
    expect(frame?.payload.byteOffset).toBe(0)
    expect([...new Float32Array(frame?.payload.buffer ?? new ArrayBuffer(0))]).toEqual([1.5, -2, 3])
  })

  it('refuses to encode a header over 64 KiB', () => {
    expect(() => encodeFrame({ pad: 'x'.repeat(MAX_FRAME_HEADER_BYTES) })).toThrow(FrameError)
  })

  it('rejects a stated header length over the limit before reading the header', () => {
    const prefix = Buffer.alloc(4)
    prefix.writeUInt32LE(MAX_FRAME_HEADER_BYTES + 1, 0)
    expect(() => frameDecoder(noLimit).push(prefix)).toThrow(/exceeds the 65536-byte limit/)
  })

  it('rejects a payload over the limit the caller sets for that header, before buffering it', () => {
    const decoder = frameDecoder({ payloadLimit: (header) => (header.ok === true ? 8 : 0) })
    expect(() => decoder.push(rawFrame('{"ok":true,"bytes":9}'))).toThrow(/9 bytes exceeds the limit of 8/)
    const refused = frameDecoder({ payloadLimit: (header) => (header.ok === true ? 8 : 0) })
    expect(() => refused.push(rawFrame('{"ok":false,"bytes":1}'))).toThrow(FrameError)
  })

  it('rejects truncated input: inside the prefix, the header or the payload', () => {
    const whole = join(encodeFrame({ op: 'matmul' }, [new Uint8Array(16)]))
    for (const cut of [2, 10, whole.length - 1]) {
      expect(() => decodeFrame(whole.subarray(0, cut))).toThrow(FrameError)
    }
    expect(() => decodeFrame(whole.subarray(0, whole.length - 1))).toThrow(
      /ended inside a frame payload: 15 of 16/,
    )
    expect(() => decodeFrame(new Uint8Array(0))).toThrow(/no frame/)
  })

  it('rejects headers that are not JSON objects or state a bad payload length', () => {
    expect(() => decodeFrame(rawFrame('{"op":'))).toThrow(/not UTF-8 JSON/)
    expect(() => decodeFrame(rawFrame('[1,2]'))).toThrow(/not an object/)
    expect(() => decodeFrame(rawFrame('{"bytes":-1}'))).toThrow(/"bytes" must be a whole number/)
    expect(() => decodeFrame(rawFrame('{"bytes":1.5}', new Uint8Array(2)))).toThrow(FrameError)
    expect(() => decodeFrame(Buffer.concat([rawFrame('{"a":1}'), rawFrame('{"b":2}')]))).toThrow(
      /one frame, found 2/,
    )
  })
})
