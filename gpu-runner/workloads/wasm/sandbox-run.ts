// Inside the sandbox worker: prepare the module, instantiate it, run its start function and
// entry, and report. Everything here may run hostile code, which is why it runs in a worker
// the caller can kill.

import { createHash } from 'node:crypto'
import { classifyStop } from './classify-stop.ts'
import { WasmError } from './errors.ts'
import { HostFunctions } from './host-functions.ts'
import { type PreparedModule, prepareModule } from './prepare-module.ts'
import type { SandboxJob, SandboxReply } from './sandbox-protocol.ts'

export function runInSandbox(
  job: SandboxJob,
  diagnostics: () => string,
  reply: (message: SandboxReply) => void,
): void {
  let prepared: PreparedModule
  try {
    prepared = prepareModule(job.module, {
      entry: job.entry,
      grants: job.grants,
      limits: job.limits,
      diagnostics,
    })
  } catch (err) {
    if (err instanceof WasmError) {
      reply({ kind: 'refused', type: err.type, message: err.message })
      return
    }
    throw err
  }
  const pages = new Int32Array(job.memoryPages)
  Atomics.store(pages, 0, prepared.initialPages)
  const host = new HostFunctions({
    input: job.input,
    grants: job.grants,
    outputLimit: job.limits.outputBytes,
    onMemoryGrown: (size) => Atomics.store(pages, 0, size),
  })
  const compiled = new WebAssembly.Module(prepared.bytes)
  const fuelLimit = BigInt(job.limits.fuel)
  let fuel: WebAssembly.Global<'i64'> | undefined
  const fuelUsed = (): number => {
    const remaining = fuel?.value ?? fuelLimit
    return Number(remaining < 0n ? fuelLimit : fuelLimit - remaining)
  }

  reply({ kind: 'running' })
  const started = performance.now()
  try {
    const instance = new WebAssembly.Instance(compiled, host.imports())
    fuel = exported(instance, prepared.fuelExport, WebAssembly.Global) as WebAssembly.Global<'i64'>
    const memory =
      prepared.memoryExport === null
        ? undefined
        : exported(instance, prepared.memoryExport, WebAssembly.Memory)
    host.link(memory, fuel)
    if (prepared.startExport !== null) exportedFunction(instance, prepared.startExport)()
    const result = exportedFunction(instance, prepared.entry)()
    if (prepared.entryReturnsCode && typeof result === 'number' && result !== 0) {
      reply({ kind: 'stopped', stop: { reason: 'failed', exitCode: result }, fuelUsed: fuelUsed() })
      return
    }
  } catch (err) {
    const stop = classifyStop(err, fuel?.value ?? fuelLimit, prepared.functionIndex)
    if (stop === undefined) throw err
    reply({ kind: 'stopped', stop, fuelUsed: fuelUsed() })
    return
  }
  const durationMs = performance.now() - started
  const output = host.output()
  reply({
    kind: 'done',
    output,
    outputHash: createHash('sha256').update(output).digest('hex'),
    fuelUsed: fuelUsed(),
    durationMs,
  })
}

function exportedFunction(instance: WebAssembly.Instance, name: string): () => unknown {
  const value = instance.exports[name]
  if (typeof value !== 'function')
    throw new Error(`the instrumented module does not export the function ${name}`)
  return value as () => unknown
}

function exported<T>(
  instance: WebAssembly.Instance,
  name: string,
  kind: abstract new (...args: never[]) => T,
): T {
  const value = instance.exports[name]
  if (!(value instanceof kind))
    throw new Error(`the instrumented module's export ${name} is missing or of the wrong kind`)
  return value
}
