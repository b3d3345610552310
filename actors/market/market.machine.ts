// The market actor: starts the node's market (book rebuilt from the store, protocols and
// gossip attached) and then sweeps expired orders on a fixed beat. A failure of either
// step fails the actor, and the root supervisor restarts it; starting again is harmless.

import { fromPromise, setup } from 'xstate'

export interface MarketPort {
  start(): Promise<void>
  sweepExpired(): Promise<void>
}

export interface MarketActorInput {
  market: MarketPort
  sweepIntervalMs: number
}

export const marketMachine = setup({
  types: {
    input: {} as MarketActorInput,
    context: {} as MarketActorInput,
  },
  actors: {
    startMarket: fromPromise<void, { market: MarketPort }>(({ input }) => input.market.start()),
    sweepExpired: fromPromise<void, { market: MarketPort }>(({ input }) => input.market.sweepExpired()),
  },
  delays: {
    sweepInterval: ({ context }) => context.sweepIntervalMs,
  },
}).createMachine({
  id: 'market',
  context: ({ input }) => input,
  initial: 'starting',
  states: {
    starting: {
      invoke: { src: 'startMarket', input: ({ context }) => ({ market: context.market }), onDone: 'running' },
    },
    running: {
      after: { sweepInterval: 'sweeping' },
    },
    sweeping: {
      invoke: {
        src: 'sweepExpired',
        input: ({ context }) => ({ market: context.market }),
        onDone: 'running',
      },
    },
  },
})
