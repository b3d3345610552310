// Compiles the simulator kernels (quantum-adapters/sim/assembly/kernels.ts, AssemblyScript)
// to quantum-adapters/sim/build/kernels.wasm with SIMD and a shared imported memory. Runs at
// install (npm's prepare) and is skipped when the source is unchanged.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'
import { KERNELS_WASM_FILE } from '../quantum-adapters/sim/block-engine.ts'

const SOURCE = fileURLToPath(new URL('../quantum-adapters/sim/assembly/kernels.ts', import.meta.url))
const OUTPUT = fileURLToPath(KERNELS_WASM_FILE)
const HASH_FILE = `${OUTPUT}.sha256`

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

const wanted = createHash('sha256').update(readFileSync(SOURCE)).update(FLAGS.join(' ')).digest('hex')
if (!process.argv.includes('--force') && existsSync(OUTPUT) && readHash() === wanted) {
  console.log(`simulator kernels up to date (${OUTPUT})`)
} else {
  const started = performance.now()
  mkdirSync(fileURLToPath(new URL('.', KERNELS_WASM_FILE)), { recursive: true })
  const { error, stderr } = await asc.main([SOURCE, ...FLAGS, '-o', OUTPUT])
  if (error) {
    console.error(stderr.toString())
    throw error
  }
  writeFileSync(HASH_FILE, `${wanted}\n`)
  console.log(`compiled the simulator kernels in ${Math.round(performance.now() - started)} ms`)
}

function readHash(): string | undefined {
  try {
    return readFileSync(HASH_FILE, 'utf8').trim()
  } catch {
    return undefined
  }
}
