// Reads NumPy's .npy format (what `np.save` writes) for the one array type IBM results carry:
// unsigned bytes. Layout: the magic "\x93NUMPY", a version, a little-endian header length, and a
// Python dict literal {'descr': '|u1', 'fortran_order': False, 'shape': (…), } before the data.

export interface ByteArray {
  readonly shape: readonly number[]
  /** Elements in C (row-major) order. */
  readonly data: Uint8Array
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
// One byte per element, so byte order does not matter; '|' is what NumPy writes for it.
const BYTE_DESCRIPTORS = new Set(['|u1', '<u1', '>u1', '=u1', 'u1', '|B', 'B'])

/** Throws an Error saying what is wrong when `bytes` is not a .npy array of unsigned bytes. */
export function readNpyBytes(bytes: Uint8Array): ByteArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('not a .npy file (bad magic)')
  const major = bytes[6] as number
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let headerLength: number
  let headerStart: number
  if (major === 1) {
    headerLength = view.getUint16(8, true)
    headerStart = 10
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('.npy header is cut short')
    headerLength = view.getUint32(8, true)
    headerStart = 12
  } else {
    throw new Error(`unknown .npy format version ${major}`)
  }
  const dataStart = headerStart + headerLength
  if (dataStart > bytes.length) throw new Error('.npy header is longer than the file')
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  )
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`.npy header is not a NumPy header: ${header.trim()}`)
  }
  if (!BYTE_DESCRIPTORS.has(descr)) throw new Error(`.npy array holds '${descr}', not unsigned bytes`)
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      if (!/^\d+L?$/.test(part)) throw new Error(`.npy shape entry '${part}' is not a size`)
      return Number.parseInt(part, 10)
    })
  const count = shape.reduce((product, size) => product * size, 1)
  const body = bytes.subarray(dataStart)
  if (body.length !== count) {
    throw new Error(`.npy data has ${body.length} bytes, its shape (${shape.join(', ')}) needs ${count}`)
  }
  const data = fortran === 'True' ? toRowMajor(body, shape) : Uint8Array.from(body)
  return { shape, data }
}

/** Column-major elements reordered row-major. */
function toRowMajor(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const out = new Uint8Array(data.length)
  const index = new Array<number>(shape.length).fill(0)
  for (let rowMajor = 0; rowMajor < data.length; rowMajor++) {
    let columnMajor = 0
    let stride = 1
    for (let axis = 0; axis < shape.length; axis++) {
      columnMajor += (index[axis] as number) * stride
      stride *= shape[axis] as number
    }
    out[rowMajor] = data[columnMajor] as number
    // Advance the index, last axis fastest.
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1
      if ((index[axis] as number) < (shape[axis] as number)) break
      index[axis] = 0
    }
  }
  return out
}
