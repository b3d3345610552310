// Textbook circuits whose outcomes are known in closed form, written in OpenQASM 2 and run
// through simulate(): certain outcomes must come out every shot, random ones within a few
// standard deviations of their probability (the seeds are fixed, so nothing can flake).

import { describe, expect, it } from 'vitest'
import type { Counts } from '../../../../quantum-adapters/circuit/counts.ts'
import { parseQasm } from '../../../../quantum-adapters/qasm/parse-qasm.ts'
import { simulate } from '../../../../quantum-adapters/sim/simulate.ts'

const HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'

async function run(source: string, shots: number, seed = 1): Promise<Counts> {
  const { counts } = await simulate(parseQasm(HEADER + source, 'textbook.qasm'), { shots, seed })
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(shots)
  return counts
}

/** `hits` of `shots` is within `sigmas` standard deviations of a binomial with probability p. */
function expectFrequency(hits: number, shots: number, p: number, sigmas = 5): void {
  const sd = Math.sqrt(shots * p * (1 - p))
  expect(Math.abs(hits - shots * p), `${hits} of ${shots} for p = ${p}`).toBeLessThanOrEqual(
    sigmas * sd + 1e-9,
  )
}

const lines = (...statements: string[]): string => `${statements.join('\n')}\n`
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** The quantum Fourier transform on q[0..n-1] (without the final swaps), or its inverse. */
function qft(n: number, inverse = false): string[] {
  const steps: string[] = []
  for (let j = n - 1; j >= 0; j--) {
    steps.push(`h q[${j}];`)
    for (let k = j - 1; k >= 0; k--) steps.push(`cp(pi/${2 ** (j - k)}) q[${k}], q[${j}];`)
  }
  if (!inverse) return steps
  return steps.reverse().map((s) => s.replace('cp(pi/', 'cp(-pi/'))
}

describe('textbook circuits', () => {
  it('Bell state: only 00 and 11, each about half the shots', async () => {
    const shots = 4000
    const counts = await run(
      lines('qreg q[2];', 'creg c[2];', 'h q[0];', 'cx q[0], q[1];', 'measure q -> c;'),
      shots,
    )
    expect(Object.keys(counts).sort()).toEqual(['00', '11'])
    expectFrequency(counts['00'] ?? 0, shots, 0.5)
  })

  it('GHZ on 5 qubits: only all zeros and all ones', async () => {
    const shots = 4000
    const counts = await run(
      lines(
        'qreg q[5];',
        'creg c[5];',
        'h q[0];',
        ...range(4).map((i) => `cx q[${i}], q[${i + 1}];`),
        'measure q -> c;',
      ),
      shots,
    )
    expect(Object.keys(counts).sort()).toEqual(['00000', '11111'])
    expectFrequency(counts['11111'] ?? 0, shots, 0.5)
  })

  it('Bernstein–Vazirani reads a 6-bit secret with certainty', async () => {
    for (const secret of [0b101101, 0b000001, 0b110000, 0b111111]) {
      const oracle = range(6)
        .filter((i) => ((secret >> i) & 1) === 1)
        .map((i) => `cx q[${i}], q[6];`)
      const counts = await run(
        lines(
          'qreg q[7];',
          'creg c[6];',
          'x q[6];',
          'h q;',
          ...oracle,
          ...range(6).map((i) => `h q[${i}];`),
          ...range(6).map((i) => `measure q[${i}] -> c[${i}];`),
        ),
        1000,
      )
      expect(counts).toEqual({ [secret.toString(2).padStart(6, '0')]: 1000 })
    }
  })

  it('Grover on 3 qubits finds the marked item with probability sin²(5·asin(1/√8)) ≈ 0.945', async () => {
    const shots = 10_000
    // Marks |101⟩: flip q[1] so the marked state reads 111, then a CCZ.
    const oracle = ['x q[1];', 'h q[2];', 'ccx q[0], q[1], q[2];', 'h q[2];', 'x q[1];']
    const diffusion = ['h q;', 'x q;', 'h q[2];', 'ccx q[0], q[1], q[2];', 'h q[2];', 'x q;', 'h q;']
    const counts = await run(
      lines(
        'qreg q[3];',
        'creg c[3];',
        'h q;',
        ...oracle,
        ...diffusion,
        ...oracle,
        ...diffusion,
        'measure q -> c;',
      ),
      shots,
    )
    const p = Math.sin(5 * Math.asin(1 / Math.sqrt(8))) ** 2
    expect(p).toBeCloseTo(0.9453, 4)
    expectFrequency(counts['101'] ?? 0, shots, p)
    for (const [key, hits] of Object.entries(counts))
      if (key !== '101') expectFrequency(hits, shots, (1 - p) / 7)
  })

  it('QFT then inverse QFT returns a basis state with certainty', async () => {
    for (const basis of [0b1011, 0b0000, 0b0110]) {
      const prep = range(4)
        .filter((i) => ((basis >> i) & 1) === 1)
        .map((i) => `x q[${i}];`)
      const counts = await run(
        lines('qreg q[4];', 'creg c[4];', ...prep, ...qft(4), ...qft(4, true), 'measure q -> c;'),
        500,
      )
      expect(counts).toEqual({ [basis.toString(2).padStart(4, '0')]: 500 })
    }
  })

  it('QFT alone spreads a basis state evenly over all outcomes', async () => {
    const shots = 16_000
    const counts = await run(
      lines('qreg q[4];', 'creg c[4];', 'x q[2];', ...qft(4), 'measure q -> c;'),
      shots,
    )
    expect(Object.keys(counts)).toHaveLength(16)
    for (const hits of Object.values(counts)) expectFrequency(hits, shots, 1 / 16)
  })

  it.each([0, 1.1, Math.PI / 2, 2.5, Math.PI])(
    'teleports ry(%s)|0⟩: Bob reads 1 with frequency sin²(θ/2), whatever Alice measured',
    async (theta) => {
      const shots = 8000
      const counts = await run(
        lines(
          'qreg q[3];',
          'creg c0[1];',
          'creg c1[1];',
          'creg c2[1];',
          `ry(${theta}) q[0];`,
          'h q[1];',
          'cx q[1], q[2];',
          'cx q[0], q[1];',
          'h q[0];',
          'measure q[0] -> c0[0];',
          'measure q[1] -> c1[0];',
          'if (c1 == 1) x q[2];',
          'if (c0 == 1) z q[2];',
          'measure q[2] -> c2[0];',
        ),
        shots,
        Math.round(theta * 100),
      )
      const p = Math.sin(theta / 2) ** 2
      // Keys read "c2 c1 c0".
      let ones = 0
      const alice = new Map<string, number>()
      for (const [key, hits] of Object.entries(counts)) {
        const [bob, m1, m0] = key.split(' ')
        expect(key).toMatch(/^[01] [01] [01]$/)
        if (bob === '1') ones += hits
        alice.set(`${m1}${m0}`, (alice.get(`${m1}${m0}`) ?? 0) + hits)
      }
      if (p < 1e-12) expect(ones).toBe(0)
      else if (p > 1 - 1e-12) expect(ones).toBe(shots)
      else expectFrequency(ones, shots, p)
      expect(alice.size).toBe(4)
      for (const hits of alice.values()) expectFrequency(hits, shots, 0.25)
    },
  )

  it('resets a qubit to 0 after X and after H', async () => {
    expect(
      await run(lines('qreg q[1];', 'creg c[1];', 'x q[0];', 'reset q[0];', 'measure q[0] -> c[0];'), 300),
    ).toEqual({ '0': 300 })
    expect(
      await run(lines('qreg q[1];', 'creg c[1];', 'h q[0];', 'reset q[0];', 'measure q[0] -> c[0];'), 300),
    ).toEqual({ '0': 300 })
    // Reset touches only its own qubit.
    const counts = await run(lines('qreg q[2];', 'creg c[2];', 'x q;', 'reset q[0];', 'measure q -> c;'), 300)
    expect(counts).toEqual({ '10': 300 })
  })

  it('reuses a qubit after a mid-circuit measurement', async () => {
    const certain = await run(
      lines(
        'qreg q[1];',
        'creg c[2];',
        'x q[0];',
        'measure q[0] -> c[0];',
        'x q[0];',
        'measure q[0] -> c[1];',
      ),
      500,
    )
    expect(certain).toEqual({ '01': 500 })
    const shots = 8000
    const random = await run(
      lines(
        'qreg q[1];',
        'creg c[2];',
        'h q[0];',
        'measure q[0] -> c[0];',
        'h q[0];',
        'measure q[0] -> c[1];',
      ),
      shots,
    )
    expect(Object.keys(random).sort()).toEqual(['00', '01', '10', '11'])
    for (const hits of Object.values(random)) expectFrequency(hits, shots, 0.25)
    // The measured value collapses the qubit: measuring again repeats it.
    const repeated = await run(
      lines('qreg q[1];', 'creg c[2];', 'h q[0];', 'measure q[0] -> c[0];', 'measure q[0] -> c[1];'),
      shots,
    )
    expect(Object.keys(repeated).sort()).toEqual(['00', '11'])
  })

  it('keys several registers in Qiskit order: last declared leftmost, highest bit first', async () => {
    const counts = await run(
      lines(
        'qreg q[3];',
        'creg a[2];',
        'creg b[1];',
        'x q[0];',
        'x q[2];',
        'measure q[0] -> a[0];',
        'measure q[1] -> a[1];',
        'measure q[2] -> b[0];',
      ),
      100,
    )
    expect(counts).toEqual({ '1 01': 100 })
    const three = await run(
      lines('qreg q[3];', 'creg a[1];', 'creg b[1];', 'creg c[1];', 'x q[1];', 'measure q[1] -> b[0];'),
      100,
    )
    expect(three).toEqual({ '0 1 0': 100 })
  })

  it('gives identical counts for the same seed and different counts for different seeds', async () => {
    const source = lines(
      'qreg q[4];',
      'creg c[4];',
      'h q;',
      'measure q[0] -> c[0];',
      'cx q[1], q[2];',
      'measure q -> c;',
    )
    const first = await run(source, 2000, 42)
    const again = await run(source, 2000, 42)
    const other = await run(source, 2000, 43)
    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
  })
})
