import { getSeriesBasis, getSeriesHistory, listSeries } from '../../services/series/index.ts'
import {
  SeriesBasisInput,
  SeriesBasisOutput,
  SeriesCatalogueOutput,
  SeriesHistoryInput,
  SeriesHistoryOutput,
  SeriesScopeInput,
} from '../../services/series/schemas.ts'
import { dataProcedure, router } from '../trpc.ts'

/**
 * Series beside power prices. Each call is decided on its data key: the product (GAS, LNG, LCFS,
 * REC), or for GRID fundamentals the market (server/trpc/trpc.ts dataKeyOf).
 */
export const seriesRouter = router({
  list: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/series',
        tags: ['series'],
        summary: 'List series',
        description:
          'The series of a product (GAS, LNG, LCFS, REC) or, with product GRID, of a market\'s fundamentals (EIA-930 demand and generation by fuel), ' +
          'each with its unit, frequency, span and latest value.',
      },
      example: { product: 'GAS' },
    })
    .input(SeriesScopeInput)
    .output(SeriesCatalogueOutput)
    .query(({ ctx, input }) => listSeries(ctx.platform.ch, input)),

  history: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/series/history',
        tags: ['series'],
        summary: 'Series history',
        description: 'One series\' values with period starts in [from, to), oldest first, in the unit the publisher states.',
      },
      example: { product: 'GAS', series: 'HENRY_HUB', measure: 'price', from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' },
    })
    .input(SeriesHistoryInput)
    .output(SeriesHistoryOutput)
    .query(({ ctx, input }) => getSeriesHistory(ctx.platform.ch, input)),

  basis: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/series/basis',
        tags: ['series'],
        summary: 'Basis to Henry Hub',
        description:
          'A gas hub\'s daily price minus Henry Hub\'s (product GAS), or an LNG benchmark\'s weekly price minus the average of Henry Hub\'s ' +
          'daily prices in the same week ending Wednesday (product LNG: JKM or TTF), with both legs and the periods only one side has.',
      },
      example: { product: 'LNG', series: 'JKM', from: '2026-08-01T00:00:00Z', to: '2026-10-01T00:00:00Z' },
    })
    .input(SeriesBasisInput)
    .output(SeriesBasisOutput)
    .query(({ ctx, input }) => getSeriesBasis(ctx.platform.ch, input)),
})
