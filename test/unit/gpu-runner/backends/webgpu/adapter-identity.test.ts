// Naming and classing adapters from what Dawn reports, which leaves some fields empty.
import { describe, expect, it } from 'vitest'
import { adapterIdentity, adapterName } from '../../../../../gpu-runner/backends/webgpu/adapter-identity.ts'

const info = (fields: Partial<Parameters<typeof adapterIdentity>[0]>) => ({
  vendor: '',
  architecture: '',
  device: '',
  description: '',
  ...fields,
})

describe('adapter identity', () => {
  it('sells a GPU as its model family, one unit per device', () => {
    const h100 = info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })
    expect(adapterIdentity(h100)).toEqual({
      name: 'NVIDIA H100 80GB HBM3',
      capacityClass: 'gpu.h100',
      units: 1,
      fallback: false,
    })
  })

  it('sells a software adapter as CPU time, flagged or recognised by its driver name', () => {
    const flagged = info({ vendor: 'google', description: 'SwiftShader Device', isFallbackAdapter: true })
    const unflagged = info({ vendor: 'mesa', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' })
    for (const adapter of [flagged, unflagged]) {
      expect(adapterIdentity(adapter)).toMatchObject({ capacityClass: 'cpu.x86', fallback: true })
    }
  })

  it('builds a name from whatever fields are set', () => {
    expect(adapterName(info({ vendor: 'amd', description: 'Radeon RX 7900 XTX' }))).toBe(
      'amd Radeon RX 7900 XTX',
    )
    expect(adapterName(info({ vendor: 'intel', architecture: 'gen-12lp', device: '0x9a49' }))).toBe(
      'intel gen-12lp 0x9a49',
    )
    expect(adapterName(info({}))).toBe('unnamed WebGPU adapter')
  })
})
