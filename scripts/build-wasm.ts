// Compiles the AssemblyScript kernels to WebAssembly with SIMD and a shared imported memory:
// the simulator's (quantum-adapters/sim/assembly/kernels.ts) and Freivalds' check
// (gpu-runner/verify/assembly/dots.ts). Runs at install (npm's prepare); a target whose source
// and flags are unchanged is skipped.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'
import { DOTS_WASM_FILE } from '../gpu-runner/verify/dot-kernels.ts'
import { KERNELS_WASM_FILE } from '../quantum-adapters/sim/block-engine.ts'

const TARGETS = [
  {
    name: 'simulator kernels',
    source: '../quantum-adapters/sim/assembly/kernels.ts',
    output: KERNELS_WASM_FILE,
  },
  { name: "Freivalds' kernels", source: '../gpu-runner/verify/assembly/dots.ts', output: DOTS_WASM_FILE },
]

const FLAGS = [
  '-O3',
  '--runtime',
  'stub',
  '--noAssert',
  '--enable',
  'simd,threads',
  '--importMemory',
  '--sharedMemory',
  '--maximumMemory',
  '65536',
]

const force = process.argv.includes('--force')
for (const target of TARGETS) {
  const source = fileURLToPath(new URL(target.source, import.meta.url))
  const output = fileURLToPath(target.output)
  const hashFile = `${output}.sha256`
  const wanted = createHash('sha256').update(readFileSync(source)).update(FLAGS.join(' ')).digest('hex')
  if (!force && existsSync(output) && readHash(hashFile) === wanted) {
    console.log(`${target.name} up to date (${output})`)
    continue
  }
  const started = performance.now()
  mkdirSync(fileURLToPath(new URL('.', target.output)), { recursive: true })
  const { error, stderr } = await asc.main([source, ...FLAGS, '-o', output])
  if (error) {
    console.error(stderr.toString())
    throw error
  }
  writeFileSync(hashFile, `${wanted}\n`)
  console.log(`compiled the ${target.name} in ${Math.round(performance.now() - started)} ms`)
}

function readHash(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return undefined
  }
}
