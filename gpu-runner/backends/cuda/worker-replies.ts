// The replies worker.py sends, as the TypeScript side reads them. A reply outside these shapes
// means the worker and hcx disagree about the protocol, which is a failed device, not a result.
import { z } from 'zod'
import type { FrameHeader } from './frames.ts'

export const WORKER_ENGINES = ['torch', 'cupy', 'numpy'] as const
export type WorkerEngine = (typeof WORKER_ENGINES)[number]

/** How the worker classes a refused request (worker.py's `kind`). */
const failureSchema = z.object({
  ok: z.literal(false),
  error: z.string(),
  kind: z.enum(['request', 'unavailable', 'oom', 'engine']).optional(),
})
export type WorkerFailure = z.infer<typeof failureSchema>

const helloSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    engine: z.enum(WORKER_ENGINES),
    device: z.object({
      name: z.string().min(1),
      memoryBytes: z.number().int().nonnegative(),
      computeCapability: z.string().nullable(),
      driver: z.string().nullable(),
    }),
  }),
  failureSchema,
])
export type HelloReply = z.infer<typeof helloSchema>

const matmulSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    deviceMs: z.number().nonnegative(),
    peakMemoryBytes: z.number().int().nonnegative(),
    bytes: z.number().int().positive(),
  }),
  failureSchema,
])
export type MatmulReply = z.infer<typeof matmulSchema>

export class MalformedReplyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedReplyError'
  }
}

export function parseHelloReply(header: FrameHeader): HelloReply {
  return parse(helloSchema, header, 'hello')
}

export function parseMatmulReply(header: FrameHeader): MatmulReply {
  return parse(matmulSchema, header, 'matmul')
}

function parse<S extends z.ZodType>(schema: S, header: FrameHeader, op: string): z.infer<S> {
  const parsed = schema.safeParse(header)
  if (!parsed.success) {
    throw new MalformedReplyError(
      `the cuda worker's ${op} reply is malformed (${z.prettifyError(parsed.error).replace(/\n+/g, '; ')})`,
    )
  }
  return parsed.data
}
