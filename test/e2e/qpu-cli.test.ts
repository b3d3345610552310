import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanFailure, HcxProcesses } from '../helpers/hcx-process.ts'

interface RunOutput {
  backend: string
  qubits: number
  shots: number
  counts: Record<string, number>
  durationMs: number
}

interface ListedBackend {
  backend: string
  available: boolean
  capabilities?: { qubits: number; basisGates: string[]; maxShots: number }
  reason?: string
}

const BELL_TWO_REGISTERS = `OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg a[2];
creg b[1];
x q[2];
h q[0];
cx q[0], q[1];
measure q[0] -> a[0];
measure q[1] -> a[1];
measure q[2] -> b[0];
`

// Teleports ry(1.2)|0> from q[0] to q[2]; Bob's corrections are classically controlled.
const TELEPORT = `OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c0[1];
creg c1[1];
creg bob[1];
ry(1.2) q[0];
h q[1];
cx q[1], q[2];
cx q[0], q[1];
h q[0];
measure q[0] -> c0[0];
measure q[1] -> c1[0];
if(c1==1) x q[2];
if(c0==1) z q[2];
measure q[2] -> bob[0];
`

const OPENQASM3_GHZ = `OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[3] c;
h q[0];
cx q[0], q[1];
cx q[1], q[2];
c = measure q;
`

describe('hcx qpu', () => {
  const hcx = new HcxProcesses('hcx-qpu-')
  let dir: string
  const file = async (name: string, text: string | Uint8Array) => {
    const path = join(dir, name)
    await writeFile(path, text)
    return path
  }

  beforeAll(async () => {
    dir = await hcx.tempDir()
  })
  afterAll(() => hcx.cleanup())

  it('runs a circuit on the simulator and prints Qiskit-style counts as one JSON object', async () => {
    const path = await file('bell.qasm', BELL_TWO_REGISTERS)
    const out = await hcx.json<RunOutput>(['qpu', 'run', path, '--seed', '7'])
    expect(Object.keys(out).sort()).toEqual(['backend', 'counts', 'durationMs', 'qubits', 'shots'])
    expect(out).toMatchObject({ backend: 'sim', qubits: 3, shots: 1024 })
    // b (declared last) comes first; a is written with a[1] leftmost.
    expect(Object.keys(out.counts).sort()).toEqual(['1 00', '1 11'])
    expect(Object.values(out.counts).reduce((a, b) => a + b, 0)).toBe(1024)
    expect(out.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('gives the same counts for the same seed and honours --shots', async () => {
    const path = await file('seeded.qasm', BELL_TWO_REGISTERS)
    const first = await hcx.json<RunOutput>(['qpu', 'run', path, '--seed', '11', '--shots', '500'])
    const second = await hcx.json<RunOutput>(['qpu', 'run', path, '--seed', '11', '--shots', '500'])
    expect(second.counts).toEqual(first.counts)
    expect(first.shots).toBe(500)
  })

  it('runs teleportation with classically controlled gates', async () => {
    const path = await file('teleport.qasm', TELEPORT)
    const shots = 20_000
    const out = await hcx.json<RunOutput>(['qpu', 'run', path, '--seed', '3', '--shots', String(shots)])
    let ones = 0
    for (const [key, count] of Object.entries(out.counts)) if (key.startsWith('1')) ones += count
    const p = Math.sin(0.6) ** 2
    expect(Math.abs(ones / shots - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / shots))
  })

  it('reads the OpenQASM 3 subset', async () => {
    const path = await file('ghz3.qasm', OPENQASM3_GHZ)
    const out = await hcx.json<RunOutput>(['qpu', 'run', path, '--seed', '1'])
    expect(Object.keys(out.counts).sort()).toEqual(['000', '111'])
  })

  it('prints a table without --json', async () => {
    const path = await file('table.qasm', BELL_TWO_REGISTERS)
    const result = await hcx.run(['qpu', 'run', path, '--seed', '2', '--shots', '100'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^100 shots of a 3-qubit circuit on sim in \d+ ms\n/)
    expect(result.stdout).toMatch(/^1 00 +\d+ +\d+\.\d%$/m)
  })

  it('names the file, line and column of a syntax error and exits 2 without a stack', async () => {
    const path = await file(
      'syntax.qasm',
      'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0]\ncx q[0], q[1];\n',
    )
    const result = await hcx.run(['qpu', 'run', path])
    expectCleanFailure(result, 'QASM_SYNTAX', { exitCode: 2 })
    expect(result.stderr).toContain(`${path}:5:1`)
  })

  it('refuses unknown gates, out-of-range indices and binary garbage with exit code 2', async () => {
    const unknown = await file('unknown.qasm', 'OPENQASM 2.0;\nqreg q[1];\nh q[0];\n')
    expectCleanFailure(await hcx.run(['qpu', 'run', unknown]), 'QASM_UNKNOWN_GATE', { exitCode: 2 })
    const range = await file('range.qasm', 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nx q[2];\n')
    expectCleanFailure(await hcx.run(['qpu', 'run', range]), 'QASM_INDEX_OUT_OF_RANGE', { exitCode: 2 })
    const garbage = await file('garbage.qasm', new Uint8Array([0x4f, 0x50, 0x00, 0xff, 0xfe, 0x13, 0x37]))
    expectCleanFailure(await hcx.run(['qpu', 'run', garbage]), 'QASM_NOT_TEXT', { exitCode: 2 })
  })

  it('refuses a circuit too wide for this machine before simulating it', async () => {
    const path = await file('wide.qasm', 'OPENQASM 2.0;\nqreg q[40];\ncreg c[40];\nmeasure q -> c;\n')
    const result = await hcx.run(['qpu', 'run', path])
    expectCleanFailure(result, 'QPU_TOO_MANY_QUBITS', { exitCode: 1 })
    expect(result.stderr).toMatch(/at most \d+ qubits/)
  })

  it('refuses bad flags and missing files by name', async () => {
    const path = await file('flags.qasm', BELL_TWO_REGISTERS)
    expectCleanFailure(await hcx.run(['qpu', 'run', path, '--shots', '0']), 'CLI_USAGE', { exitCode: 2 })
    expectCleanFailure(await hcx.run(['qpu', 'run', path, '--shots', 'many']), 'CLI_USAGE', { exitCode: 2 })
    expectCleanFailure(await hcx.run(['qpu', 'run', path, '--backend', 'dwave']), 'CLI_USAGE', {
      exitCode: 2,
    })
    const missing = await hcx.run(['qpu', 'run', join(dir, 'nope.qasm')])
    expectCleanFailure(missing, 'CLI_USAGE', { exitCode: 2 })
    expect(missing.stderr).toContain('nope.qasm')
  })

  it('says which credentials a real QPU backend is missing', async () => {
    const path = await file('ibm.qasm', BELL_TWO_REGISTERS)
    const result = await hcx.run(['qpu', 'run', path, '--backend', 'ibm'])
    expectCleanFailure(result, 'QPU_CREDENTIALS_MISSING', { exitCode: 1 })
    expect(result.stderr).toContain('QISKIT_IBM_TOKEN')
  })

  it('lists every backend with its capabilities or why it cannot be used', async () => {
    const listed = await hcx.json<ListedBackend[]>(['qpu', 'backends'])
    expect(listed.map((entry) => entry.backend)).toEqual(['sim', 'ibm', 'braket', 'ionq'])
    const [sim, ...real] = listed
    expect(sim?.available).toBe(true)
    expect(sim?.capabilities?.qubits).toBeGreaterThanOrEqual(20)
    expect(sim?.capabilities?.basisGates).toContain('cx')
    for (const entry of real) {
      expect(entry.available).toBe(false)
      expect(entry.reason).toMatch(/[A-Z_]{6,}/)
    }
  })
})
