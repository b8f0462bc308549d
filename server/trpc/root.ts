import { complianceRouter } from './routers/compliance.ts'
import { curvesRouter } from './routers/curves.ts'
import { exportsRouter } from './routers/exports.ts'
import { fuelCurvesRouter } from './routers/fuel-curves.ts'
import { marketsRouter } from './routers/markets.ts'
import { nodesRouter } from './routers/nodes.ts'
import { pricesRouter } from './routers/prices.ts'
import { scenariosRouter } from './routers/scenarios.ts'
import { seriesRouter } from './routers/series.ts'
import { createCallerFactory, router } from './trpc.ts'

export const appRouter = router({
  markets: marketsRouter,
  nodes: nodesRouter,
  prices: pricesRouter,
  curves: curvesRouter,
  fuelCurves: fuelCurvesRouter,
  scenarios: scenariosRouter,
  exports: exportsRouter,
  series: seriesRouter,
  compliance: complianceRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
