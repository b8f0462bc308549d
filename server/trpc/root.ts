import { curvesRouter } from './routers/curves.ts'
import { marketsRouter } from './routers/markets.ts'
import { nodesRouter } from './routers/nodes.ts'
import { pricesRouter } from './routers/prices.ts'
import { createCallerFactory, router } from './trpc.ts'

export const appRouter = router({
  markets: marketsRouter,
  nodes: nodesRouter,
  prices: pricesRouter,
  curves: curvesRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
