import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { afterAll, describe, expect, it } from 'vitest'
import { openCpuBackend } from '../../../../gpu-runner/backends/cpu/cpu-backend.ts'
import { seededInputs } from '../../../../gpu-runner/matrix/seeded.ts'
import { FreivaldsVerifier, maxExactBits } from '../../../../gpu-runner/verify/freivalds.ts'
import { FreivaldsWorkspace } from '../../../../gpu-runner/verify/workspace.ts'
import { referenceMatmul } from '../../../helpers/reference-matmul.ts'

const verifier = new FreivaldsVerifier(2)
afterAll(() => verifier.close())

/** A workspace holding seeded A and B and their correct product. */
function correctProduct(seed: number, n: number, k: number, m: number): FreivaldsWorkspace {
  const workspace = new FreivaldsWorkspace(n, k, m)
  const { a, b } = seededInputs(seed, n, k, m, { a: workspace.a.data, b: workspace.b.data })
  workspace.c.data.set(referenceMatmul(a, b).data)
  return workspace
}

function seededWords(seed: number): (target: Uint32Array) => void {
  const generator = xoroshiro128plus(seed)
  return (target) => {
    for (let i = 0; i < target.length; i++) target[i] = generator.next() >>> 0
  }
}

describe("Freivalds' check", () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [65, 31, 47],
    [300, 301, 299],
  ])('accepts the correct %ix%i x %i product every time', async (n, k, m) => {
    const workspace = correctProduct(n + k + m, n, k, m)
    for (let trial = 0; trial < 20; trial++) {
      const outcome = await verifier.check(workspace, { entryBound: 8 })
      expect(outcome.valid).toBe(true)
    }
  })

  it('rejects a product with one wrong element anywhere, on one thread and on two', async () => {
    for (const [n, k, m] of [
      [9, 7, 11],
      [300, 301, 299],
    ] as const) {
      const workspace = correctProduct(3, n, k, m)
      for (const index of [0, n * m - 1, Math.floor((n * m) / 2) + 1]) {
        workspace.c.data[index] = (workspace.c.data[index] as number) + 1
        expect((await verifier.check(workspace, { entryBound: 8 })).valid).toBe(false)
        workspace.c.data[index] = (workspace.c.data[index] as number) - 1
      }
      expect((await verifier.check(workspace, { entryBound: 8 })).valid).toBe(true)
    }
  })

  it.each([
    ['a fraction', 0.5],
    ['a value beyond any correct product', 8 * 8 * 40 + 1],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('rejects a result holding %s', async (_name, value) => {
    const workspace = correctProduct(4, 33, 40, 17)
    workspace.c.data[100] = value
    expect((await verifier.check(workspace, { entryBound: 8 })).valid).toBe(false)
  })

  it.each([1, 2, 3, 4])(
    'with one-bit vectors false-accepts a single wrong element at the rate 2^-%i',
    async (rounds) => {
      const workspace = correctProduct(rounds, 6, 5, 7)
      workspace.c.data[10] = (workspace.c.data[10] as number) + 3
      const trials = 4000
      const randomWords = seededWords(rounds)
      let accepted = 0
      for (let trial = 0; trial < trials; trial++) {
        const outcome = await verifier.check(workspace, {
          entryBound: 8,
          rounds,
          bitsPerRound: 1,
          randomWords,
        })
        if (outcome.valid) accepted++
        expect(outcome.falseAcceptLog2).toBe(-rounds)
      }
      // The error is caught exactly when the vector's entry under the wrong column is 1, so
      // acceptances are Binomial(trials, 2^-rounds): within 5 standard deviations of the mean.
      const p = 2 ** -rounds
      expect(Math.abs(accepted - trials * p)).toBeLessThan(5 * Math.sqrt(trials * p * (1 - p)))
    },
  )

  it('by default reaches 2^-20 in one round, with the widest exact random entries', async () => {
    const workspace = correctProduct(1, 64, 64, 64)
    const outcome = await verifier.check(workspace, { entryBound: 8 })
    expect(outcome.rounds).toBe(1)
    expect(outcome.bitsPerRound).toBe(maxExactBits(8, 64, 64))
    expect(outcome.falseAcceptLog2).toBeLessThanOrEqual(-20)
    // 2^53 / (64 x 2048 x 2048) leaves 25 bits at n = 2048.
    expect(maxExactBits(8, 2048, 2048)).toBe(25)
  })

  it('never accepts a wrong product in many default rounds', async () => {
    const workspace = correctProduct(2, 20, 30, 25)
    workspace.c.data[77] = (workspace.c.data[77] as number) - 1
    for (let trial = 0; trial < 500; trial++) {
      expect((await verifier.check(workspace, { entryBound: 8 })).valid).toBe(false)
    }
  })

  it('refuses random entries too wide to keep the sums exact, and bad rounds', async () => {
    const workspace = correctProduct(1, 8, 8, 8)
    await expect(verifier.check(workspace, { entryBound: 8, bitsPerRound: 40 })).rejects.toThrow(
      /from 1 to 32 bits keep the sums exact/,
    )
    await expect(verifier.check(workspace, { entryBound: 8, rounds: 0 })).rejects.toThrow(
      /rounds must be a whole number from 1 to 1024/,
    )
  })

  it('refuses a workspace larger than wasm32 memory before allocating it', () => {
    expect(() => new FreivaldsWorkspace(32_768, 32_768, 32_768)).toThrow(
      expect.objectContaining({ code: 'GPU_TOO_LARGE' }),
    )
  })

  describe('on real-valued inputs', () => {
    /** Random reals in [-1, 1) in A and B, and the cpu backend's float32 product as C. */
    async function realProduct(n: number, k: number, m: number): Promise<FreivaldsWorkspace> {
      const workspace = new FreivaldsWorkspace(n, k, m)
      const words = seededWords(n * k + m)
      for (const data of [workspace.a.data, workspace.b.data]) {
        const raw = new Uint32Array(data.length)
        words(raw)
        for (let i = 0; i < data.length; i++) data[i] = (raw[i] as number) / 2 ** 31 - 1
      }
      const backend = await openCpuBackend({ threads: 2 })
      workspace.c.data.set((await backend.matmul(workspace.a, workspace.b)).c.data)
      await backend.close()
      return workspace
    }

    it('accepts float32 products, whose rounding differs from the exact product', async () => {
      for (const [n, k, m] of [
        [17, 33, 9],
        [300, 301, 299],
      ] as const) {
        const workspace = await realProduct(n, k, m)
        for (let trial = 0; trial < 10; trial++) {
          expect((await verifier.check(workspace, { entryBound: null })).valid).toBe(true)
        }
      }
    })

    it('allows a change within float32 rounding and rejects a larger one', async () => {
      const workspace = await realProduct(40, 64, 30)
      const at = 17 * 30 + 11
      const original = workspace.c.data[at] as number
      const randomWords = seededWords(5)
      workspace.c.data[at] = Math.fround(original + Math.abs(original) * 2 ** -22)
      expect((await verifier.check(workspace, { entryBound: null, randomWords })).valid).toBe(true)
      // Entries of C are a few units here; the bound allows about 1e-3 of error per unit of r.
      for (const wrong of [original + 1, -original - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
        workspace.c.data[at] = wrong
        expect((await verifier.check(workspace, { entryBound: null, randomWords })).valid).toBe(false)
      }
    })
  })
})
