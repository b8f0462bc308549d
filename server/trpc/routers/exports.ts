import { MarketId } from '@carbon/schemas'
import { z } from 'zod'
import {
  cancelExport,
  createExport,
  estimateExport,
  ExportEstimate,
  ExportJob,
  ExportFormat,
  ExportRequest,
  ExportResolution,
  CurvesExport,
  PricesExport,
  ScenarioExport,
  SeriesExport,
  getExport,
  listExports,
  MAX_LIST_LIMIT,
  type AuditRequest,
  type ExportChannel,
  type ExportDeps,
  type ExportRequestInput,
} from '../../services/exports/index.ts'
import { dataProcedure, router, type Context } from '../trpc.ts'

/**
 * The download center (issue 13): export jobs of prices, curves and scenario results as CSV or
 * Parquet. The gate checks the request's market on the caller's channel (hub or API; CAISO has no
 * API channel) and audits the call; the service checks the `downloads` channel of every market the
 * export reads (again whenever it issues a link) and audits each market beyond the gate's. Jobs are
 * the caller's organization's: another organization's job is not found.
 */

const EXAMPLE_EXPORT = {
  dataset: 'prices',
  market: 'MISO',
  nodes: 'INDIANA.HUB',
  run: 'DA',
  from: '2026-01-01T00:00:00Z',
  to: '2026-01-02T00:00:00Z',
  format: 'csv',
}

/**
 * The request as one flat object (REST needs an object body, not a union): every dataset's fields,
 * checked against the dataset's own schema (ExportRequest), so a 400 names each field that is wrong.
 */
const ExportInput = z
  .object({
    dataset: z.enum(['prices', 'curves', 'scenario', 'series']),
    market: MarketId.optional().describe('prices, curves: the market; series of product GRID: the market whose fundamentals'),
    product: SeriesExport.shape.product.optional().describe('series: GAS, LNG, LCFS, REC, or GRID (with market)'),
    series: SeriesExport.shape.series.optional().describe('series: the series ids (a list or comma-separated)'),
    measure: SeriesExport.shape.measure.optional().describe('series: price (default), volume, demand, net_generation, ...'),
    nodes: PricesExport.shape.nodes.optional().describe('prices: pricing nodes; curves: hub nodes (a list or comma-separated)'),
    run: PricesExport.shape.run.optional().describe('prices: market runs (DA, RT5, RT15, RTH), a list or comma-separated'),
    from: PricesExport.shape.from.optional(),
    to: PricesExport.shape.to.optional(),
    resolution: ExportResolution.optional().describe('prices: raw (default), hourly or daily'),
    asOf: CurvesExport.shape.asOf,
    runId: ScenarioExport.shape.runId.optional().describe('scenario: the run id'),
    markets: ScenarioExport.shape.markets.describe('scenario: the markets (default: every market of the run you may download)'),
    table: ScenarioExport.shape.table.optional().describe('scenario: prices (default) or mix'),
    format: ExportFormat.optional().describe('csv (default) or parquet'),
  })
  .superRefine((value, ctx) => {
    const parsed = ExportRequest.safeParse(value)
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  })

const asRequest = (input: z.output<typeof ExportInput>) => input as ExportRequestInput

const JobId = z.object({ id: z.uuid().describe('the export id (from POST /exports or GET /exports)') })

const ListInput = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(50).describe(`newest first, at most ${MAX_LIST_LIMIT}`),
})

const depsOf = (ctx: Pick<Context, 'platform' | 'log'>): ExportDeps => ({
  db: ctx.platform.pg.db,
  ch: ctx.platform.ch,
  bus: ctx.platform.bus,
  objects: ctx.platform.objects,
  env: ctx.platform.env,
  log: ctx.log,
})

const channelOf = (ctx: Pick<Context, 'auth'>): ExportChannel => (ctx.auth.channel === 'api' ? 'api' : 'hub')

const requestOf = (ctx: Pick<Context, 'requestId' | 'client'>): AuditRequest => ({
  requestId: ctx.requestId,
  clientAddress: ctx.client.address,
  userAgent: ctx.client.userAgent,
})

const DATASETS =
  '`dataset` "prices" (market, nodes, run, from, to, resolution raw|hourly|daily), "curves" (market, hub nodes, asOf) or "scenario" ' +
  '(runId, markets, table prices|mix); `format` "csv" or "parquet".'

export const exportsRouter = router({
  estimate: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/exports/estimate',
        tags: ['exports'],
        summary: 'Estimate an export',
        description: `Rows, file size and file name of an export before it starts, and whether it is within your organization's limits (else why not). ${DATASETS} Needs the downloads entitlement of every market (403 otherwise).`,
      },
      example: EXAMPLE_EXPORT,
      access: { downloads: true },
    })
    .input(ExportInput)
    .output(ExportEstimate)
    .mutation(({ ctx, input }) => estimateExport(depsOf(ctx), ctx.principal, channelOf(ctx), asRequest(input), requestOf(ctx))),

  create: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/exports',
        tags: ['exports'],
        summary: 'Start an export',
        description:
          `Queues an export job and returns it (its \`id\` to poll). ${DATASETS} Needs the downloads entitlement of every market (403 otherwise). ` +
          'Refused with 400 over the per-export row limit or when nothing matches, 429 over the organization\'s active exports or daily rows.',
      },
      example: EXAMPLE_EXPORT,
      access: { downloads: true },
    })
    .input(ExportInput)
    .output(ExportJob)
    .mutation(({ ctx, input }) => createExport(depsOf(ctx), ctx.principal, channelOf(ctx), asRequest(input), requestOf(ctx))),

  get: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/exports/{id}',
        tags: ['exports'],
        summary: 'An export',
        description:
          'Status, progress, rows and bytes of one of your organization\'s exports. When done, `url` is a fresh signed download link valid for `urlExpiresAt` ' +
          '(at most 15 minutes; ask again for a new one), downloading the file under its name. The downloads entitlement is checked again for every link.',
      },
      example: { id: '00000000-0000-4000-8000-000000000000' },
      access: { downloads: true },
    })
    .input(JobId)
    .output(ExportJob)
    .query(({ ctx, input }) => getExport(depsOf(ctx), ctx.principal, channelOf(ctx), input.id, requestOf(ctx))),

  list: dataProcedure
    .meta({
      openapi: { method: 'GET', path: '/exports', tags: ['exports'], summary: 'Exports', description: "Your organization's exports, newest first (no links: get one to download it)." },
      example: {},
      access: { downloads: true },
    })
    .input(ListInput)
    .output(z.object({ exports: z.array(ExportJob) }))
    .query(async ({ ctx, input }) => ({ exports: await listExports(depsOf(ctx), ctx.principal, { limit: input.limit }) })),

  cancel: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/exports/{id}/cancel',
        tags: ['exports'],
        summary: 'Cancel an export',
        description: 'Cancels a queued or running export of your organization (a partial file is removed); 409 when it already finished.',
      },
      example: { id: '00000000-0000-4000-8000-000000000000' },
      access: { downloads: true },
    })
    .input(JobId)
    .output(ExportJob)
    .mutation(({ ctx, input }) => cancelExport(depsOf(ctx), ctx.principal, input.id)),
})
