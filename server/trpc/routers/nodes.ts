import { searchNodes } from '../../services/nodes/index.ts'
import { NodeSearchInput, NodeSearchOutput } from '../../services/nodes/schemas.ts'
import { dataProcedure, router } from '../trpc.ts'

export const nodesRouter = router({
  search: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/nodes',
        tags: ['nodes'],
        summary: 'Search pricing nodes',
        description:
          'Pricing nodes of the markets you are entitled to, filtered by market, type and case-insensitive name prefix, ordered by market and name. ' +
          'Pass `nextCursor` of a page as `cursor` to get the next page.',
      },
      example: { market: 'MISO', type: 'hub', limit: 5 },
    })
    .input(NodeSearchInput)
    .output(NodeSearchOutput)
    .query(({ ctx, input }) => searchNodes(ctx.platform.pg.db, input, { markets: ctx.entitled })),
})
