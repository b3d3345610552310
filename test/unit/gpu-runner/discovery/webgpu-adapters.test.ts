// Adapter discovery on this machine, which has lavapipe and no GPU (as CI does).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { listWebgpuAdapters } from '../../../../gpu-runner/discovery/webgpu-adapters.ts'

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

describe('listWebgpuAdapters', () => {
  it('lists the CPU adapter once, marked as a fallback that sells cpu.x86 time', async () => {
    const adapters = await listWebgpuAdapters()
    expect(adapters.length).toBeGreaterThanOrEqual(1)
    const cpu = adapters.filter((adapter) => adapter.fallback)
    expect(cpu).toEqual([
      expect.objectContaining({
        capacityClass: 'cpu.x86',
        fallback: true,
        description: expect.stringMatching(/\S/),
        // WebGPU's guaranteed binding size; lavapipe offers exactly this.
        maxBufferBytes: expect.toSatisfy((bytes: number) => bytes >= 128 * 2 ** 20),
      }),
    ])
  })

  it.runIf(process.platform === 'linux')(
    'lists nothing, without throwing, where Vulkan has no driver',
    async () => {
      const code = `
      const { listWebgpuAdapters } = await import('./gpu-runner/discovery/webgpu-adapters.ts')
      process.stdout.write(JSON.stringify(await listWebgpuAdapters()))
    `
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', code],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
          timeout: 20_000,
        },
      )
      expect(JSON.parse(stdout)).toEqual([])
    },
  )
})
