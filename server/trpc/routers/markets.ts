import { z } from 'zod'
import { listMarkets } from '../../services/markets/index.ts'
import { MarketListOutput } from '../../services/markets/schemas.ts'
import { publicProcedure, router } from '../trpc.ts'

export const marketsRouter = router({
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/markets',
        tags: ['markets'],
        summary: 'List markets',
        description: 'Every market with its time zone, market runs, interval lengths and on-peak definition.',
      },
    })
    .input(z.object({}).optional())
    .output(MarketListOutput)
    .query(({ ctx }) => listMarkets(ctx.platform.pg.db)),
})
