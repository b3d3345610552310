// Route handlers' one way to answer: the handler's value, or a node error as
// `{error: CODE, message}` with the HTTP status its code maps to (400 when unmapped).

import type { FastifyReply } from 'fastify'
import { isHcxError } from '../../errors/hcx-error.ts'

export async function answer(
  reply: FastifyReply,
  run: () => Promise<unknown>,
  statusByCode: Readonly<Record<string, number>> = {},
): Promise<unknown> {
  try {
    return await run()
  } catch (err) {
    if (!isHcxError(err)) throw err
    return reply.code(statusByCode[err.code] ?? 400).send({ error: err.code, message: err.message })
  }
}
