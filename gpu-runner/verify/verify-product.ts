// Checks a claimed result of a matmul job: puts A and B (regenerated from the seed, or read
// from the files the job named by content hash) and the result file side by side in the
// verifier's workspace and runs Freivalds' check, exact for whole-number inputs and within
// float32 rounding for real-valued ones.

import { GpuError } from '../errors.ts'
import { exactEntryBound } from '../matrix/entry-bound.ts'
import { readMatrixFile, readMatrixShape } from '../matrix/format.ts'
import { SEEDED_ENTRY_BOUND, seededInputs } from '../matrix/seeded.ts'
import { type FreivaldsOutcome, FreivaldsVerifier } from './freivalds.ts'
import { FreivaldsWorkspace } from './workspace.ts'

export type ProductInputs =
  | { readonly seed: number; readonly n: number; readonly k?: number; readonly m?: number }
  | { readonly aFile: string; readonly bFile: string }

export interface ProductClaim {
  readonly inputs: ProductInputs
  /** The claimed C, in the matrix file format. */
  readonly resultFile: string
  readonly rounds?: number
}

export async function verifyProduct(
  claim: ProductClaim,
  verifier: FreivaldsVerifier = new FreivaldsVerifier(),
): Promise<FreivaldsOutcome> {
  verifier.prepare()
  const { inputs } = claim
  const workspace = 'seed' in inputs ? seededWorkspace(inputs) : fileWorkspace(inputs.aFile, inputs.bFile)
  readMatrixFile(claim.resultFile, {
    expect: { rows: workspace.c.rows, cols: workspace.c.cols },
    into: workspace.c.data,
  })
  const entryBound = 'seed' in inputs ? SEEDED_ENTRY_BOUND : exactEntryBound(workspace.a, workspace.b)
  return verifier.check(workspace, {
    entryBound,
    ...(claim.rounds === undefined ? {} : { rounds: claim.rounds }),
  })
}

function seededWorkspace(inputs: { seed: number; n: number; k?: number; m?: number }): FreivaldsWorkspace {
  const k = inputs.k ?? inputs.n
  const m = inputs.m ?? inputs.n
  const workspace = new FreivaldsWorkspace(inputs.n, k, m)
  seededInputs(inputs.seed, inputs.n, k, m, { a: workspace.a.data, b: workspace.b.data })
  return workspace
}

function fileWorkspace(aFile: string, bFile: string): FreivaldsWorkspace {
  const a = readMatrixShape(aFile)
  const b = readMatrixShape(bFile)
  if (a.cols !== b.rows) {
    throw new GpuError(
      { code: 'GPU_BAD_SHAPE', what: 'inner dimension' },
      `${aFile} is ${a.rows}x${a.cols} and ${bFile} is ${b.rows}x${b.cols}: A's columns must equal B's rows`,
    )
  }
  const workspace = new FreivaldsWorkspace(a.rows, a.cols, b.cols)
  readMatrixFile(aFile, { expect: a, into: workspace.a.data })
  readMatrixFile(bFile, { expect: b, into: workspace.b.data })
  return workspace
}
