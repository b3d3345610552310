import { arch, availableParallelism, totalmem } from 'node:os'
import { describe, expect, it } from 'vitest'
import { cpuCapacityClass } from '../../../../gpu-runner/discovery/capacity-class.ts'
import { describeCpu } from '../../../../gpu-runner/discovery/cpu.ts'

describe('describeCpu', () => {
  it('reports the model, the usable logical cores, the architecture, memory and the class they sell as', () => {
    const cpu = describeCpu()
    expect(cpu.model.length).toBeGreaterThan(0)
    expect(cpu.logicalCores).toBe(availableParallelism())
    expect(cpu.architecture).toBe(arch())
    expect(cpu.memoryBytes).toBe(totalmem())
    expect(cpu.capacityClass).toBe(cpuCapacityClass(arch()))
    expect(cpu.capacityClass).toMatch(/^cpu\.[a-z0-9-]+$/)
  })
})
