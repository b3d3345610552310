import { deflateSync, inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readNpyBytes } from '../../../../../quantum-adapters/adapters/ibm/npy.ts'
import {
  countsFromSamples,
  decodeSamplerResult,
  registersFromSamples,
} from '../../../../../quantum-adapters/adapters/ibm/sampler-result.ts'
import type { Register } from '../../../../../quantum-adapters/circuit/circuit.ts'
import {
  bitArray,
  encodedBitArray,
  npyBase64,
  primitiveResult,
} from '../../../../helpers/fake-ibm-quantum.ts'

function npyFile(header: string, data: number[], major = 1): Uint8Array {
  const preambleLength = major === 1 ? 10 : 12
  const pad = (64 - ((preambleLength + header.length + 1) % 64)) % 64
  const text = `${header}${' '.repeat(pad)}\n`
  const preamble = new Uint8Array(preambleLength)
  preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0])
  const view = new DataView(preamble.buffer)
  if (major === 1) view.setUint16(8, text.length, true)
  else view.setUint32(8, text.length, true)
  return Buffer.concat([preamble, Buffer.from(text, 'latin1'), Uint8Array.from(data)])
}

describe('.npy reading', () => {
  it('reads what np.save writes, version 1 and 2 headers', () => {
    for (const major of [1, 2]) {
      const file = npyFile(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }",
        [1, 2, 3, 4, 5, 6],
        major,
      )
      expect(readNpyBytes(file)).toEqual({ shape: [3, 2], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) })
    }
  })

  it('reorders Fortran-order arrays into row-major order', () => {
    const file = npyFile("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", [1, 4, 2, 5, 3, 6])
    expect(readNpyBytes(file).data).toEqual(Uint8Array.from([1, 2, 3, 4, 5, 6]))
  })

  it('reads the stand-in encoding back: big-endian bytes per shot', () => {
    const npy = inflateSync(Buffer.from(npyBase64([0x0109n, 0x1ffn], 9), 'base64'))
    expect(readNpyBytes(npy)).toEqual({ shape: [2, 2], data: Uint8Array.from([0x01, 0x09, 0x01, 0xff]) })
  })

  it('refuses other files and element types', () => {
    expect(() => readNpyBytes(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(/magic/)
    const floats = npyFile(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
      [0, 0, 0, 0, 0, 0, 0, 0],
    )
    expect(() => readNpyBytes(floats)).toThrow(/'<f8', not unsigned bytes/)
    const short = npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 1), }", [1, 2, 3])
    expect(() => readNpyBytes(short)).toThrow(/3 bytes, its shape \(4, 1\) needs 4/)
  })
})

describe('Sampler V2 results', () => {
  const a: Register = { name: 'a', size: 2, offset: 0 }
  const b: Register = { name: 'b', size: 1, offset: 2 }

  it('decodes RuntimeEncoder BitArrays per register and keys counts as Qiskit does', () => {
    const body = primitiveResult({ a: bitArray([1n, 1n, 2n], 2), b: bitArray([1n, 0n, 1n], 1) })
    const registers = decodeSamplerResult(body)
    expect(registers.map((r) => [r.name, r.numBits, r.values])).toEqual([
      ['a', 2, [1n, 1n, 2n]],
      ['b', 1, [1n, 0n, 1n]],
    ])
    expect(countsFromSamples(registers, [a, b])).toEqual({
      counts: { '1 01': 1, '0 01': 1, '1 10': 1 },
      shots: 3,
    })
  })

  it('reads registers wider than a byte most significant byte first', () => {
    const wide: Register = { name: 'w', size: 12, offset: 0 }
    const registers = decodeSamplerResult(primitiveResult({ w: bitArray([0xa05n, 0xa05n], 12) }))
    expect(countsFromSamples(registers, [wide]).counts).toEqual({ '101000000101': 2 })
  })

  it('rebuilds registers from the DataBin order when the job was submitted elsewhere', () => {
    const registers = decodeSamplerResult(primitiveResult({ a: bitArray([3n], 2), b: bitArray([1n], 1) }))
    expect(registersFromSamples(registers)).toEqual([a, b])
  })

  it('reads the plain JSON form too (hex samples, no support_qiskit)', () => {
    const body = {
      results: [
        {
          data: { a: { samples: ['0x1', '0x2'], num_bits: 2 }, b: { samples: ['0x1', '0x0'], num_bits: 1 } },
        },
      ],
      metadata: {},
    }
    expect(countsFromSamples(decodeSamplerResult(body), [a, b]).counts).toEqual({ '1 01': 1, '0 10': 1 })
  })

  it('says what is wrong with off-format bodies', () => {
    const cases: [unknown, RegExp][] = [
      [{ hello: 'world' }, /not a Sampler V2 PrimitiveResult/],
      [primitiveResult({ a: { __type__: 'ndarray', __value__: 'AAAA' } }), /'a' is not a BitArray/],
      [primitiveResult({ a: encodedBitArray('!!', 2) }), /not base64/],
      [primitiveResult({ a: encodedBitArray('AAAAAA==', 2) }), /not zlib-compressed/],
      [
        primitiveResult({ a: encodedBitArray(deflateSync(Buffer.from('nonsense')).toString('base64'), 2) }),
        /bad magic/,
      ],
      // Two bytes per shot (written for 9 bits) where 2 bits need one.
      [
        primitiveResult({ a: encodedBitArray(npyBase64([1n], 9), 2) }),
        /shape \(1, 2\); 2 bits need \(shots, 1\)/,
      ],
    ]
    for (const [body, message] of cases) expect(() => decodeSamplerResult(body)).toThrow(message)
    const registers = decodeSamplerResult(primitiveResult({ a: bitArray([1n], 2) }))
    expect(() => countsFromSamples(registers, [a, b])).toThrow(/no register 'b'/)
    expect(() => countsFromSamples(registers, [{ name: 'a', size: 3, offset: 0 }])).toThrow(/2 bits, not 3/)
  })
})
