// The binary matrix file (`hcx gpu run --out FILE`, `hcx gpu verify --result FILE`):
//
//   offset  size  field
//        0     4  magic "HCXM"
//        4     1  version, 1
//        5     1  element type, 1 = float32
//        6     2  reserved, 0
//        8     4  rows, unsigned little-endian
//       12     4  cols, unsigned little-endian
//       16  4*r*c values, float32 little-endian, row-major
//
// A run's outputHash is the SHA-256 of exactly these bytes, so `sha256sum FILE` checks it.
import { createHash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { GpuError } from '../errors.ts'
import { MAX_MATRIX_SIDE, type Matrix, matrix, matrixBytes } from './matrix.ts'

export const MATRIX_MAGIC = 'HCXM'
export const MATRIX_HEADER_BYTES = 16
const VERSION = 1
const FLOAT32 = 1

export function matrixHeader(rows: number, cols: number): Uint8Array {
  const header = new Uint8Array(MATRIX_HEADER_BYTES)
  const view = new DataView(header.buffer)
  header.set(Buffer.from(MATRIX_MAGIC, 'latin1'), 0)
  view.setUint8(4, VERSION)
  view.setUint8(5, FLOAT32)
  view.setUint32(8, rows, true)
  view.setUint32(12, cols, true)
  return header
}

/** SHA-256 (hex) of the matrix's file encoding. */
export function matrixHash(m: Matrix): string {
  return createHash('sha256').update(matrixHeader(m.rows, m.cols)).update(matrixBytes(m)).digest('hex')
}

export function writeMatrixFile(file: string, m: Matrix): void {
  const fd = openSync(file, 'w')
  try {
    writeAll(fd, matrixHeader(m.rows, m.cols))
    writeAll(fd, matrixBytes(m))
  } finally {
    closeSync(fd)
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
}

export interface MatrixFileShape {
  readonly rows: number
  readonly cols: number
}

/** A matrix file's shape, from its header, with the file's size checked against it. */
export function readMatrixShape(file: string): MatrixFileShape {
  const fd = openMatrixFile(file)
  try {
    return checkedShape(file, fd)
  } finally {
    closeSync(fd)
  }
}

function checkedShape(file: string, fd: number): MatrixFileShape {
  const header = new Uint8Array(MATRIX_HEADER_BYTES)
  const size = fstatSync(fd).size
  if (size < MATRIX_HEADER_BYTES || readSync(fd, header, 0, MATRIX_HEADER_BYTES, 0) !== MATRIX_HEADER_BYTES) {
    throw badFile(file, `it has ${size} bytes, fewer than the ${MATRIX_HEADER_BYTES}-byte header`)
  }
  const { rows, cols } = parseHeader(file, header)
  const expected = MATRIX_HEADER_BYTES + rows * cols * 4
  if (size !== expected) {
    throw badFile(file, `a ${rows}x${cols} float32 matrix file has ${expected} bytes, this one has ${size}`)
  }
  return { rows, cols }
}

/**
 * Reads a matrix file, checking its header and size before reading the values. `expect`
 * refuses other shapes; `into` places the values in an array of the caller's.
 */
export function readMatrixFile(
  file: string,
  options: { expect?: MatrixFileShape; into?: Float32Array } = {},
): Matrix {
  const fd = openMatrixFile(file)
  try {
    const { rows, cols } = checkedShape(file, fd)
    const { expect } = options
    if (expect !== undefined && (expect.rows !== rows || expect.cols !== cols)) {
      throw badFile(
        file,
        `it holds a ${rows}x${cols} matrix where a ${expect.rows}x${expect.cols} one was expected`,
      )
    }
    const data = options.into ?? new Float32Array(rows * cols)
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    let read = 0
    while (read < bytes.length) {
      const got = readSync(fd, bytes, read, bytes.length - read, MATRIX_HEADER_BYTES + read)
      if (got === 0) throw badFile(file, 'it ended while its values were being read')
      read += got
    }
    return matrix(rows, cols, data)
  } finally {
    closeSync(fd)
  }
}

function openMatrixFile(file: string): number {
  try {
    return openSync(file, 'r')
  } catch (err) {
    throw badFile(file, `it cannot be opened (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
}

function parseHeader(file: string, header: Uint8Array): MatrixFileShape {
  const view = new DataView(header.buffer)
  const magic = Buffer.from(header.subarray(0, 4)).toString('latin1')
  if (magic !== MATRIX_MAGIC) {
    throw badFile(
      file,
      `it does not start with "${MATRIX_MAGIC}": not an hcx matrix file (see gpu-runner/README.md)`,
    )
  }
  const version = view.getUint8(4)
  if (version !== VERSION)
    throw badFile(file, `its format version is ${version}; this hcx reads version ${VERSION}`)
  const type = view.getUint8(5)
  if (type !== FLOAT32) throw badFile(file, `its element type is ${type}; only 1 (float32) is defined`)
  const rows = view.getUint32(8, true)
  const cols = view.getUint32(12, true)
  for (const [name, value] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (value < 1 || value > MAX_MATRIX_SIDE) {
      throw badFile(file, `its header says ${value} ${name}; a side must be from 1 to ${MAX_MATRIX_SIDE}`)
    }
  }
  return { rows, cols }
}

function badFile(file: string, reason: string): GpuError {
  return new GpuError({ code: 'GPU_BAD_MATRIX_FILE', file }, `${file}: ${reason}`)
}
