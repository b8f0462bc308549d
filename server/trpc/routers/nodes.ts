import { searchNodes } from '../../services/nodes/index.ts'
import { NodeSearchInput, NodeSearchOutput } from '../../services/nodes/schemas.ts'
import { publicProcedure, router } from '../trpc.ts'

export const nodesRouter = router({
  search: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/nodes',
        tags: ['nodes'],
        summary: 'Search pricing nodes',
        description:
          'Pricing nodes filtered by market, type and case-insensitive name prefix, ordered by market and name. ' +
          'Pass `nextCursor` of a page as `cursor` to get the next page.',
      },
    })
    .input(NodeSearchInput)
    .output(NodeSearchOutput)
    .query(({ ctx, input }) => searchNodes(ctx.platform.pg.db, input)),
})
