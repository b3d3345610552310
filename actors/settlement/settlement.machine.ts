// The settlement actor: on a fixed beat (the epoch), settles one epoch. A failed epoch (the
// chain unreachable, a counterparty's stream broken) is logged and retried on the next
// beat: every step is persisted first, so retrying is always safe.

import { fromPromise, setup } from 'xstate'

export interface SettlementPort {
  settleEpoch(): Promise<unknown>
}

export interface SettlementActorInput {
  settlement: SettlementPort
  epochMs: number
  onError(err: unknown): void
}

export const settlementMachine = setup({
  types: {
    input: {} as SettlementActorInput,
    context: {} as SettlementActorInput,
  },
  actors: {
    settleEpoch: fromPromise<void, { settlement: SettlementPort }>(async ({ input }) => {
      await input.settlement.settleEpoch()
    }),
  },
  delays: {
    epoch: ({ context }) => context.epochMs,
  },
}).createMachine({
  id: 'settlement',
  context: ({ input }) => input,
  initial: 'waiting',
  states: {
    waiting: {
      after: { epoch: 'settling' },
    },
    settling: {
      invoke: {
        src: 'settleEpoch',
        input: ({ context }) => ({ settlement: context.settlement }),
        onDone: 'waiting',
        onError: {
          target: 'waiting',
          actions: ({ context, event }) => context.onError(event.error),
        },
      },
    },
  },
})
