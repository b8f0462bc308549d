import { marketsRouter } from './routers/markets.ts'
import { nodesRouter } from './routers/nodes.ts'
import { pricesRouter } from './routers/prices.ts'
import { createCallerFactory, router } from './trpc.ts'

export const appRouter = router({
  markets: marketsRouter,
  nodes: nodesRouter,
  prices: pricesRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
