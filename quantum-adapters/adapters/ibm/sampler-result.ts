// Sampler V2 results as IBM returns them. With `support_qiskit` set (what this adapter sends, and
// what qiskit-ibm-runtime sends) the body is qiskit-ibm-runtime's RuntimeEncoder JSON: tagged
// {"__type__", "__value__"} objects, PrimitiveResult → pub_results → DataBin with one BitArray per
// classical register, whose `array` is an ndarray: base64 of zlib-compressed .npy bytes, shape
// (shots, ⌈bits/8⌉), each shot's bytes big-endian. Without it the body is plain JSON with one hex
// string per shot and register; both are read here.

import { inflateSync } from 'node:zlib'
import { z } from 'zod'
import type { Register } from '../../circuit/circuit.ts'
import { type Counts, countsKey } from '../../circuit/counts.ts'
import { readNpyBytes } from './npy.ts'

export interface RegisterSamples {
  readonly name: string
  readonly numBits: number
  /** One value per shot, the register's bit i at bit i. */
  readonly values: readonly bigint[]
}

function tagged<T extends string, V extends z.ZodType>(type: T, value: V) {
  return z.object({ __type__: z.literal(type), __value__: value })
}

const ndarraySchema = tagged('ndarray', z.union([z.string(), z.array(z.unknown())]))
const bitArraySchema = tagged('BitArray', z.object({ array: ndarraySchema, num_bits: z.int().nonnegative() }))
const dataBinSchema = tagged(
  'DataBin',
  z.object({
    field_names: z.array(z.string()),
    shape: z.array(z.int().nonnegative()).nullable().optional(),
    fields: z.record(z.string(), z.unknown()),
  }),
)
const pubResultSchema = z.object({
  __type__: z.enum(['SamplerPubResult', 'PubResult']),
  __value__: z.object({ data: dataBinSchema, metadata: z.unknown() }),
})
const primitiveResultSchema = tagged(
  'PrimitiveResult',
  z.object({ pub_results: z.array(pubResultSchema).min(1), metadata: z.unknown() }),
)
const plainResultSchema = z.object({
  results: z
    .array(
      z.object({
        data: z.record(
          z.string(),
          z.object({
            samples: z.array(z.string().regex(/^0x[0-9a-fA-F]+$/)),
            num_bits: z.int().nonnegative(),
          }),
        ),
        metadata: z.unknown().optional(),
      }),
    )
    .min(1),
  metadata: z.unknown().optional(),
})

/** The first PUB's samples per classical register; throws an Error saying what is off-format. */
export function decodeSamplerResult(body: unknown): RegisterSamples[] {
  const encoded = primitiveResultSchema.safeParse(body)
  if (encoded.success) {
    const pub = encoded.data.__value__.pub_results[0]
    if (pub === undefined) throw new Error('the result has no PUB results')
    return decodeDataBin(pub.__value__.data.__value__)
  }
  const plain = plainResultSchema.safeParse(body)
  if (plain.success) {
    const pub = plain.data.results[0]
    if (pub === undefined) throw new Error('the result has no PUB results')
    return Object.entries(pub.data).map(([name, register]) => ({
      name,
      numBits: register.num_bits,
      values: register.samples.map((hex) => BigInt(hex) & mask(register.num_bits)),
    }))
  }
  throw new Error(`not a Sampler V2 PrimitiveResult: ${z.prettifyError(encoded.error)}`)
}

function decodeDataBin(bin: z.infer<typeof dataBinSchema>['__value__']): RegisterSamples[] {
  if (bin.shape !== undefined && bin.shape !== null && bin.shape.length > 0) {
    throw new Error(
      `the PUB's DataBin has shape (${bin.shape.join(', ')}); a PUB without parameters has shape ()`,
    )
  }
  const registers = bin.field_names.map((name) => {
    const field = bitArraySchema.safeParse(bin.fields[name])
    if (!field.success)
      throw new Error(`DataBin field '${name}' is not a BitArray: ${z.prettifyError(field.error)}`)
    const { array, num_bits: numBits } = field.data.__value__
    return { name, numBits, values: shotValues(readNdarray(array.__value__), numBits, name) }
  })
  return registers
}

interface Bytes2d {
  readonly shape: readonly number[]
  readonly data: Uint8Array
}

function readNdarray(value: string | unknown[]): Bytes2d {
  if (typeof value === 'string') {
    const text = value.replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
      throw new Error('ndarray is not base64')
    let npy: Uint8Array
    try {
      npy = inflateSync(Buffer.from(text, 'base64'))
    } catch (err) {
      throw new Error(`ndarray is not zlib-compressed (${(err as Error).message})`)
    }
    return readNpyBytes(npy)
  }
  // RuntimeEncoder writes object arrays as nested lists; accept byte lists in that form too.
  const rows = z.array(z.array(z.int().min(0).max(255))).safeParse(value)
  if (!rows.success) throw new Error('ndarray list is not a 2-d array of bytes')
  const width = rows.data[0]?.length ?? 0
  if (rows.data.some((row) => row.length !== width)) throw new Error('ndarray list rows differ in length')
  return { shape: [rows.data.length, width], data: Uint8Array.from(rows.data.flat()) }
}

function shotValues(array: Bytes2d, numBits: number, name: string): bigint[] {
  const width = Math.ceil(numBits / 8)
  const [shots, bytes] = array.shape
  if (array.shape.length !== 2 || shots === undefined || bytes !== width) {
    throw new Error(
      `BitArray '${name}' has shape (${array.shape.join(', ')}); ${numBits} bits need (shots, ${width})`,
    )
  }
  const values: bigint[] = []
  for (let shot = 0; shot < shots; shot++) {
    let value = 0n
    for (let b = 0; b < width; b++) value = (value << 8n) | BigInt(array.data[shot * width + b] as number)
    values.push(value & mask(numBits))
  }
  return values
}

function mask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n
}

/** Qiskit count keys from per-register samples; throws when a register is missing or resized. */
export function countsFromSamples(
  registers: readonly RegisterSamples[],
  cregs: readonly Register[],
): { counts: Counts; shots: number } {
  const byName = new Map(registers.map((r) => [r.name, r]))
  const columns = cregs.map((creg) => {
    const samples = byName.get(creg.name)
    if (samples === undefined) throw new Error(`the result has no register '${creg.name}'`)
    if (samples.numBits !== creg.size) {
      throw new Error(`register '${creg.name}' came back with ${samples.numBits} bits, not ${creg.size}`)
    }
    return { offset: BigInt(creg.offset), values: samples.values }
  })
  const shots = registers[0]?.values.length ?? 0
  if (registers.some((r) => r.values.length !== shots))
    throw new Error('registers disagree on the number of shots')
  const counts: Counts = {}
  for (let shot = 0; shot < shots; shot++) {
    let memory = 0n
    for (const { offset, values } of columns) memory |= (values[shot] as bigint) << offset
    const key = countsKey(memory, cregs)
    counts[key] = (counts[key] ?? 0) + 1
  }
  return { counts, shots }
}

/** Registers read from the result itself, in DataBin order (the circuit's declaration order). */
export function registersFromSamples(registers: readonly RegisterSamples[]): Register[] {
  let offset = 0
  return registers.map((r) => {
    const register = { name: r.name, size: r.numBits, offset }
    offset += r.numBits
    return register
  })
}
