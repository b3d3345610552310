// The control API's settlement routes: collateral in and out of the vault, positions (the
// node's ledger beside the clearing house), the epochs settled, and settling one now.
// Token amounts are decimal strings of the settlement token (6 decimals) here.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { proposalView, type Settlement } from '../../actors/settlement/settlement.ts'
import type { ClearingClient } from '../../ledger/settlement/clearing-client.ts'
import { answer as answerWith } from './answer.ts'

export const TOKEN_DECIMALS = 6

const amountSchema = z.strictObject({
  amount: z
    .string()
    .regex(
      /^(0|[1-9]\d{0,17})(\.\d{1,6})?$/,
      'expected a positive decimal with at most 6 decimals, e.g. 100 or 12.5',
    )
    .refine((text) => /[1-9]/.test(text), 'must be greater than zero'),
})

const STATUS_BY_CODE: Record<string, number> = {
  CHAIN_UNREACHABLE: 502,
}

export function registerSettlementRoutes(
  server: FastifyInstance,
  settlement: Settlement,
  client: ClearingClient,
): void {
  for (const direction of ['deposit', 'withdraw'] as const) {
    server.post(`/v1/collateral/${direction}`, async (request, reply) => {
      const parsed = amountSchema.safeParse(request.body ?? {})
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return reply.code(400).send({ error: 'API_BAD_AMOUNT', message: `amount: ${issue?.message}` })
      }
      return answer(reply, async () => {
        const { formatUnits, parseUnits } = await import('ethers')
        const amount = parseUnits(parsed.data.amount, TOKEN_DECIMALS)
        const receipt = direction === 'deposit' ? await client.deposit(amount) : await client.withdraw(amount)
        const balance = await client.collateral()
        return {
          account: client.account,
          [direction === 'deposit' ? 'deposited' : 'withdrawn']: parsed.data.amount,
          txHash: receipt.hash,
          balance: formatUnits(balance.balance, TOKEN_DECIMALS),
          free: formatUnits(balance.free, TOKEN_DECIMALS),
        }
      })
    })
  }
  server.get('/v1/positions', (_request, reply) =>
    answer(reply, async () => {
      const { formatUnits } = await import('ethers')
      const view = await settlement.positions()
      const tokens = Object.fromEntries(
        Object.entries(view.collateral).map(([key, units]) => [key, formatUnits(units, TOKEN_DECIMALS)]),
      )
      return { ...view, collateral: tokens }
    }),
  )
  server.get('/v1/settlement/epochs', async () => ({ account: client.account, epochs: settlement.epochs() }))
  server.post('/v1/settlement/run', (_request, reply) =>
    answer(reply, async () => {
      const proposal = await settlement.settleEpoch({ askEveryone: true })
      return { epoch: proposal === undefined ? null : proposalView(proposal) }
    }),
  )
}

function answer(reply: FastifyReply, run: () => Promise<unknown>): Promise<unknown> {
  return answerWith(reply, run, STATUS_BY_CODE)
}
