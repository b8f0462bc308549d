import { DataKey, MarketId, MarketRun, ProductId, SeriesId, SeriesMeasure } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The download center's contracts: what an export request may ask for and what a job looks like
 * to its owner. Shared by the tRPC/REST procedures, the hub's download center and the export
 * worker (which re-reads `params` from the job row through `ExportRequest`).
 */

const NodeName = z.string().min(1).max(128)
const Utc = z.iso.datetime({ offset: true })
const DateKey = z.iso.date()

export const MAX_EXPORT_NODES = 2_000

/** Nodes as a list or one comma-separated string (`"INDIANA.HUB,ILLINOIS.HUB"`), trimmed, deduplicated. */
const NodeList = z
  .union([z.array(NodeName), z.string().min(1).max(64_000)])
  .transform((value) => [...new Set((Array.isArray(value) ? value : value.split(',')).map((node) => node.trim()).filter(Boolean))])
  .pipe(z.array(NodeName).min(1, 'name at least one node').max(MAX_EXPORT_NODES, `at most ${MAX_EXPORT_NODES} nodes per export`))
  .describe('pricing node names, as a list or separated by commas')

/** Runs as a list or one comma-separated string (`"DA,RT5"`). */
const RunList = z
  .union([z.array(MarketRun), z.string().min(1).max(64)])
  .transform((value) => [...new Set(Array.isArray(value) ? value : value.split(',').map((run) => run.trim()))])
  .pipe(z.array(MarketRun).min(1))
  .describe('market runs (DA, RT5, RT15, RTH), as a list or separated by commas')

export const ExportFormat = z.enum(['csv', 'parquet'])
export type ExportFormat = z.infer<typeof ExportFormat>

export const ExportResolution = z.enum(['raw', 'hourly', 'daily'])

export const PricesExport = z
  .object({
    dataset: z.literal('prices'),
    market: MarketId,
    nodes: NodeList,
    run: RunList,
    from: Utc.describe('inclusive interval start, ISO 8601'),
    to: Utc.describe('exclusive interval start, ISO 8601'),
    resolution: ExportResolution.default('raw'),
    format: ExportFormat.default('csv'),
  })
  .refine((input) => Date.parse(input.from) < Date.parse(input.to), { path: ['to'], message: 'must be after from' })

export const CurvesExport = z.object({
  dataset: z.literal('curves'),
  market: MarketId,
  nodes: NodeList.describe('hub nodes whose curves to export'),
  asOf: DateKey.optional().describe('the curves as of this date (default: the latest of each)'),
  format: ExportFormat.default('csv'),
})

export const ScenarioExport = z.object({
  dataset: z.literal('scenario'),
  runId: z.string().regex(/^[0-9a-f]{16,64}$/, 'a scenario run id (hex)'),
  /** Default: every market of the run the caller may download. */
  markets: z.array(MarketId).min(1).optional(),
  /** 'prices' (hub, block, month, price, bands) or 'mix' (capacity, generation, load per technology). */
  table: z.enum(['prices', 'mix']).default('prices'),
  format: ExportFormat.default('csv'),
})

/** Series ids as a list or one comma-separated string (`"HENRY_HUB,CHICAGO_CITYGATES"`). */
const SeriesList = z
  .union([z.array(SeriesId), z.string().min(1).max(16_000)])
  .transform((value) => [...new Set((Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean))])
  .pipe(z.array(SeriesId).min(1, 'name at least one series').max(500, 'at most 500 series per export'))
  .describe('series ids, as a list or separated by commas')

/** Series beside power prices (docs/decisions/023): a product's, or with GRID a market's fundamentals. */
export const SeriesExport = z
  .object({
    dataset: z.literal('series'),
    product: ProductId,
    market: MarketId.optional().describe('GRID only: the market whose fundamentals to export'),
    series: SeriesList,
    measure: SeriesMeasure.default('price'),
    from: Utc.describe('inclusive period start, ISO 8601'),
    to: Utc.describe('exclusive period start, ISO 8601'),
    format: ExportFormat.default('csv'),
  })
  .superRefine((input, ctx) => {
    if (input.product === 'GRID' && !input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: 'GRID series need the market they belong to' })
    if (input.product !== 'GRID' && input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: `${input.product} series belong to no market: leave market out` })
    if (Date.parse(input.from) >= Date.parse(input.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  })

export const ExportRequest = z.discriminatedUnion('dataset', [PricesExport, CurvesExport, ScenarioExport, SeriesExport])
export type ExportRequest = z.output<typeof ExportRequest>
export type ExportRequestInput = z.input<typeof ExportRequest>

export const ExportStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'expired'])
export type ExportStatus = z.infer<typeof ExportStatus>

/** A job as its organization sees it. `url` only when done and only in a `get` (a fresh signed link each time). */
export const ExportJob = z.object({
  id: z.uuid(),
  dataset: z.enum(['prices', 'curves', 'scenario', 'series']),
  format: ExportFormat,
  markets: z.array(DataKey).describe('every market (or product) the export reads'),
  params: z.record(z.string(), z.unknown()).describe('the request as validated'),
  filename: z.string(),
  status: ExportStatus,
  progress: z.number().min(0).max(1),
  estimatedRows: z.number().int(),
  estimatedBytes: z.number().int(),
  rows: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  url: z.string().nullable().describe('a signed download link valid for urlExpiresAt (only on get, only when done)'),
  urlExpiresAt: z.iso.datetime().nullable(),
})
export type ExportJob = z.infer<typeof ExportJob>

/** The size estimate shown before a job starts (and stored with it). */
export const ExportEstimate = z.object({
  markets: z.array(DataKey),
  rows: z.number().int(),
  bytes: z.number().int().describe('estimated file size in bytes for the requested format'),
  filename: z.string(),
  withinLimits: z.boolean(),
  limitReason: z.string().nullable().describe('why the job would be refused (rows over the per-job or per-day limit)'),
})
export type ExportEstimate = z.infer<typeof ExportEstimate>
