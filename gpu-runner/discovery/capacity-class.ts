// The capacity class a device sells as. GPUs are named by their model family (`gpu.h100`,
// `gpu.a100`, `gpu.rtx-4090`), so every H100 variant trades in one book; CPUs sell core-seconds
// of their architecture (`cpu.x86`, `cpu.arm64`).
import { arch } from 'node:os'

// Model families first, most specific first: "H100 NVL" and "H100 80GB HBM3" are both H100s.
const GPU_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/\bgh200\b/i, 'gh200'],
  [/\bh200\b/i, 'h200'],
  [/\bh100\b/i, 'h100'],
  [/\bh800\b/i, 'h800'],
  [/\bb200\b/i, 'b200'],
  [/\ba100\b/i, 'a100'],
  [/\ba800\b/i, 'a800'],
  [/\bl40s\b/i, 'l40s'],
  [/\bl40\b/i, 'l40'],
  [/\bl4\b/i, 'l4'],
  [/\ba10g?\b/i, 'a10'],
  [/\bt4\b/i, 't4'],
  [/\bv100\b/i, 'v100'],
]

/** `gpu.<family>` for a GPU's marketing name, e.g. `NVIDIA H100 80GB HBM3` gives `gpu.h100`. */
export function gpuCapacityClass(name: string): string {
  for (const [pattern, family] of GPU_FAMILIES) if (pattern.test(name)) return `gpu.${family}`
  const slug = name
    .toLowerCase()
    .replace(/\b(nvidia|geforce|amd|radeon|intel|corporation|graphics)\b/g, ' ')
    .trim()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '')
  return `gpu.${slug === '' ? 'unknown' : slug}`
}

/** `cpu.x86` or `cpu.arm64`: CPU time sells by architecture. */
export function cpuCapacityClass(architecture: string = arch()): string {
  if (architecture === 'x64' || architecture === 'ia32') return 'cpu.x86'
  return `cpu.${architecture.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
}
