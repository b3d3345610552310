import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { openBackend, openPreferredBackend } from '../../../../gpu-runner/backends/open-backend.ts'

describe('openBackend', () => {
  it('refuses the cuda backend with GPU_NOT_ALLOWED unless the operator allowed the GPU', async () => {
    const refused = openBackend('cuda', { allowGpu: false })
    await expect(refused).rejects.toMatchObject({ code: 'GPU_NOT_ALLOWED', type: { backend: 'cuda' } })
    await expect(refused).rejects.toThrow(/pass --allow-gpu/)
  })

  it('checks the permission before it starts any worker', async () => {
    // An interpreter that does not exist would fail differently if a start were attempted.
    await expect(
      openBackend('cuda', { allowGpu: false, python: '/nonexistent/python3' }),
    ).rejects.toMatchObject({
      code: 'GPU_NOT_ALLOWED',
    })
  })

  it('passes the interpreter to the cuda worker once allowed', async () => {
    await expect(
      openBackend('cuda', { allowGpu: true, python: '/nonexistent/python3' }),
    ).rejects.toMatchObject({
      code: 'GPU_BACKEND_UNAVAILABLE',
      type: { reason: '/nonexistent/python3 not found' },
    })
  })

  it('prefers a GPU, and on a machine without one takes the cpu backend', async () => {
    const backend = await openPreferredBackend({ allowGpu: true, python: '/nonexistent/python3' })
    try {
      const gpuHere = existsSync('/dev/nvidia0') || existsSync('/dev/dri')
      if (gpuHere) expect(backend.device.capacityClass).toMatch(/^gpu\./)
      else expect(backend.id).toBe('cpu')
    } finally {
      await backend.close()
    }
  })
})
