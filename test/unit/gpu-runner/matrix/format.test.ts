import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  MATRIX_HEADER_BYTES,
  matrixHash,
  readMatrixFile,
  writeMatrixFile,
} from '../../../../gpu-runner/matrix/format.ts'
import { matrix } from '../../../../gpu-runner/matrix/matrix.ts'

const dir = mkdtempSync(join(tmpdir(), 'hcx-matrix-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sample = matrix(2, 3, Float32Array.of(1, -2, 3.5, 0, 1e-3, -7))

describe('the matrix file format', () => {
  it('writes the documented header and little-endian row-major floats, and reads them back', () => {
    const file = join(dir, 'sample.hcxm')
    writeMatrixFile(file, sample)
    const bytes = readFileSync(file)
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('HCXM')
    expect([bytes[4], bytes[5], bytes.readUInt16LE(6)]).toEqual([1, 1, 0])
    expect([bytes.readUInt32LE(8), bytes.readUInt32LE(12)]).toEqual([2, 3])
    expect(bytes.length).toBe(MATRIX_HEADER_BYTES + 6 * 4)
    expect(bytes.readFloatLE(MATRIX_HEADER_BYTES + 2 * 4)).toBe(3.5)
    const back = readMatrixFile(file)
    expect([back.rows, back.cols]).toEqual([2, 3])
    expect(Array.from(back.data)).toEqual(Array.from(sample.data))
  })

  it('hashes exactly the file bytes, so sha256sum of the file checks an output hash', () => {
    const file = join(dir, 'hashed.hcxm')
    writeMatrixFile(file, sample)
    expect(matrixHash(sample)).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'))
  })

  it('reads the values into an array of the caller', () => {
    const file = join(dir, 'into.hcxm')
    writeMatrixFile(file, sample)
    const into = new Float32Array(6)
    expect(readMatrixFile(file, { into }).data).toBe(into)
    expect(into[2]).toBe(3.5)
  })

  it.each([
    ['a missing file', null, /cannot be opened \(ENOENT\)/],
    ['a file shorter than the header', Buffer.from('HCX'), /fewer than the 16-byte header/],
    ['another format', Buffer.concat([Buffer.from('NOPE'), Buffer.alloc(20)]), /does not start with "HCXM"/],
  ])('refuses %s with GPU_BAD_MATRIX_FILE', (_name, content, message) => {
    const file = join(dir, `bad-${String(_name).replace(/\W/g, '')}`)
    if (content !== null) writeFileSync(file, content)
    expect(() => readMatrixFile(file)).toThrow(expect.objectContaining({ code: 'GPU_BAD_MATRIX_FILE' }))
    expect(() => readMatrixFile(file)).toThrow(message)
  })

  it('refuses a file whose size does not match its header, another version, or a zero side', () => {
    const file = join(dir, 'broken.hcxm')
    writeMatrixFile(file, sample)
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 1))
    expect(() => readMatrixFile(file)).toThrow(/a 2x3 float32 matrix file has 40 bytes, this one has 39/)
    const versioned = Buffer.from(bytes)
    versioned[4] = 2
    writeFileSync(file, versioned)
    expect(() => readMatrixFile(file)).toThrow(/format version is 2/)
    const empty = Buffer.from(bytes)
    empty.writeUInt32LE(0, 8)
    writeFileSync(file, empty)
    expect(() => readMatrixFile(file)).toThrow(/0 rows; a side must be from 1/)
  })

  it('refuses a matrix of another shape than expected', () => {
    const file = join(dir, 'shape.hcxm')
    writeMatrixFile(file, sample)
    expect(() => readMatrixFile(file, { expect: { rows: 3, cols: 2 } })).toThrow(
      /holds a 2x3 matrix where a 3x2 one was expected/,
    )
  })
})
