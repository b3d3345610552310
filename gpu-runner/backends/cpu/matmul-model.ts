// The cpu backend's whole model: one ONNX MatMul node, C[n,m] = A[n,k] x B[k,m] in float32,
// with symbolic dimensions so one session serves every shape. It is a hundred-odd bytes of
// ONNX protobuf, written here field by field rather than shipped as a binary file.
import { writer } from 'protons-runtime'

const LENGTH_DELIMITED = 2
const VARINT = 0
const ONNX_IR_VERSION = 8
/** opset 13: MatMul has had the same semantics since opset 13. */
const OPSET = 13
const FLOAT = 1

export const MATMUL_INPUTS = ['A', 'B'] as const
export const MATMUL_OUTPUT = 'C'

type Writer = ReturnType<typeof writer>

function key(w: Writer, field: number, wireType: number): Writer {
  return w.uint32((field << 3) | wireType)
}

function stringField(w: Writer, field: number, value: string): void {
  key(w, field, LENGTH_DELIMITED).string(value)
}

function varintField(w: Writer, field: number, value: number): void {
  key(w, field, VARINT).uint64(BigInt(value))
}

function nested(w: Writer, field: number, body: (w: Writer) => void): void {
  key(w, field, LENGTH_DELIMITED).fork()
  body(w)
  w.ldelim()
}

/** ValueInfoProto{name, TypeProto{tensor_type{elem_type FLOAT, shape{dim{dim_param}...}}}}. */
function tensorInfo(w: Writer, field: number, name: string, dims: readonly [string, string]): void {
  nested(w, field, (info) => {
    stringField(info, 1, name)
    nested(info, 2, (type) =>
      nested(type, 1, (tensor) => {
        varintField(tensor, 1, FLOAT)
        nested(tensor, 2, (shape) => {
          for (const dim of dims) nested(shape, 1, (d) => stringField(d, 2, dim))
        })
      }),
    )
  })
}

export function matmulModel(): Uint8Array {
  const w = writer()
  varintField(w, 1, ONNX_IR_VERSION)
  nested(w, 7, (graph) => {
    nested(graph, 1, (node) => {
      for (const input of MATMUL_INPUTS) stringField(node, 1, input)
      stringField(node, 2, MATMUL_OUTPUT)
      stringField(node, 4, 'MatMul')
    })
    stringField(graph, 2, 'matmul')
    tensorInfo(graph, 11, 'A', ['n', 'k'])
    tensorInfo(graph, 11, 'B', ['k', 'm'])
    tensorInfo(graph, 12, MATMUL_OUTPUT, ['n', 'm'])
  })
  nested(w, 8, (opset) => {
    stringField(opset, 1, '')
    varintField(opset, 2, OPSET)
  })
  return w.finish()
}
