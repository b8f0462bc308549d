import { getSeriesBasis, getSeriesHistory, listSeries } from '../../services/series/index.ts'
import {
  SeriesBasisInput,
  SeriesBasisOutput,
  SeriesCatalogueOutput,
  SeriesHistoryInput,
  SeriesHistoryOutput,
  SeriesScopeInput,
} from '../../services/series/schemas.ts'
import { MAX_API_CSV_CHARS, SeriesUploadInput, SeriesUploadOutput, uploadSeriesCsv } from '../../services/series/upload.ts'
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

  upload: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/series/upload',
        tags: ['series'],
        summary: 'Upload REC quotes (CSV)',
        description:
          'A CSV of REC quotes (header `date,state,program,class,vintage,price,bid,ask,source_note`, as the hub\'s template /recs/template) through the same ' +
          'pipeline as the hub\'s upload: archived, read, every good row sent to the store (stored within seconds), every refused row kept as a dead letter. ' +
          `Answers the ingest run's id, the counts and the refused rows by line, field and value. At most ${MAX_API_CSV_CHARS.toLocaleString('en-US')} characters ` +
          '(and the request body limit). Needs the analyst role and, for tokens, the write:series scope.',
      },
      access: { role: 'analyst', scope: 'write:series' },
      example: {
        product: 'REC',
        source: 'carbon.rec_prices_csv',
        file: 'rec_quotes_example.csv',
        csv: 'date,state,program,class,vintage,price,bid,ask,source_note\n2020-01-02,CT,RPS,CLASS_III,2020,20.00,,,access example\n',
      },
    })
    .input(SeriesUploadInput)
    .output(SeriesUploadOutput)
    .mutation(({ ctx, input }) =>
      uploadSeriesCsv({ db: ctx.platform.pg.db, bus: ctx.platform.bus, objects: ctx.platform.objects, log: ctx.log }, ctx.principal, input),
    ),
})
