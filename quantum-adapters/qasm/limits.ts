// Bounds against hostile input: each is far beyond any circuit a QPU or the simulator can run,
// and each is checked before the work or memory it guards is spent.

export const QASM_LIMITS = {
  /** Source size in UTF-8 bytes. */
  sourceBytes: 16 * 1024 * 1024,
  qubits: 4096,
  clbits: 65536,
  /** Operations after every user gate is expanded; a barrier counts once per qubit it spans. */
  ops: 1_000_000,
  /** User gates calling user gates; expansion recurses this deep. */
  gateNesting: 256,
  /** Parentheses, unary signs and powers inside one expression; parsing recurses this deep. */
  expressionNesting: 256,
} as const
