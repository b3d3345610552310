// Checks a claimed result of a seeded matmul job: regenerates A and B from the seed into the
// verifier's workspace, reads the result file beside them, and runs Freivalds' check.
import { readMatrixFile } from '../matrix/format.ts'
import { SEEDED_ENTRY_BOUND, seededInputs } from '../matrix/seeded.ts'
import { type FreivaldsOutcome, FreivaldsVerifier } from './freivalds.ts'
import { FreivaldsWorkspace } from './workspace.ts'

export interface SeededProductClaim {
  readonly n: number
  readonly k?: number
  readonly m?: number
  readonly seed: number
  /** The result file (matrix/format.ts). */
  readonly resultFile: string
  readonly rounds?: number
}

export async function verifySeededProduct(
  claim: SeededProductClaim,
  verifier: FreivaldsVerifier = new FreivaldsVerifier(),
): Promise<FreivaldsOutcome> {
  verifier.prepare()
  const k = claim.k ?? claim.n
  const m = claim.m ?? claim.n
  const workspace = new FreivaldsWorkspace(claim.n, k, m)
  readMatrixFile(claim.resultFile, { expect: { rows: claim.n, cols: m }, into: workspace.c.data })
  seededInputs(claim.seed, claim.n, k, m, { a: workspace.a.data, b: workspace.b.data })
  return verifier.check(workspace, {
    entryBound: SEEDED_ENTRY_BOUND,
    ...(claim.rounds === undefined ? {} : { rounds: claim.rounds }),
  })
}
