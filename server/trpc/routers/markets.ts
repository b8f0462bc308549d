import { z } from 'zod'
import { listMarkets } from '../../services/markets/index.ts'
import { MarketListOutput } from '../../services/markets/schemas.ts'
import { dataProcedure, router } from '../trpc.ts'

export const marketsRouter = router({
  list: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/markets',
        tags: ['markets'],
        summary: 'List markets',
        description:
          'The markets you are entitled to through this channel, with time zone, market runs, interval lengths and on-peak definition.',
      },
      example: {},
    })
    .input(z.object({}).optional())
    .output(MarketListOutput)
    .query(async ({ ctx }) => {
      const { markets } = await listMarkets(ctx.platform.pg.db)
      return { markets: markets.filter((m) => ctx.entitled.includes(m.id)) }
    }),
})
