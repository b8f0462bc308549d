import type { DataKey, MarketId } from '@carbon/schemas'
import { and, desc, eq, gte, inArray, notInArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Bus } from '../../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { ObjectStore } from '../../adapters/objects/index.ts'
import { exportJobs, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import type { Principal } from '../auth/types.ts'
import { authorizeMarket, authorizeMarkets, scopeOf, type AuditRequest, type ExportChannel } from './access.ts'
import { publishExport } from './outbox.ts'
import { ExportRequest, type ExportEstimate, type ExportJob, type ExportRequestInput } from './schemas.ts'
import { exportFilename, openSource, type ExportSource, type ExportViewer } from './sources.ts'

/**
 * The download center's jobs: estimate (rows, bytes, limits) before a job starts, create (the row
 * is its own outbox entry on `exports.run`), get (status, progress and, when done, a fresh
 * short-lived signed link), list, cancel. A job belongs to its organization: nobody else sees it.
 */

export type ExportEnv = Pick<Env, 'DOWNLOAD_LINK_SECONDS' | 'EXPORT_RETENTION_HOURS' | 'EXPORT_MAX_ROWS' | 'EXPORT_MAX_ACTIVE_PER_ORGANIZATION' | 'EXPORT_MAX_ROWS_PER_DAY'>

export type ExportDeps = { db: Database; ch: ClickHouseHandle; bus: Bus; objects: ObjectStore; env: ExportEnv; log: Logger }

export type ExportJobRow = typeof exportJobs.$inferSelect

const ACTIVE = ['queued', 'running'] as const
const DAY_MS = 86_400_000

/**
 * Parquet bytes per CSV byte (dictionaries, snappy): 500,000 RT5 rows of 4 nodes took 85.5 bytes a
 * row as CSV and 7.7 as Parquet (0.09) on smooth synthetic prices; real prices vary more, so the
 * estimate allows 0.12.
 */
const PARQUET_RATIO = 0.12
const PARQUET_OVERHEAD_BYTES = 4_096

// --- validation ---------------------------------------------------------------------------------

/** The request as validated, or BAD_REQUEST naming each field and what is wrong with it. */
export function parseExportRequest(input: unknown): ExportRequest {
  const parsed = ExportRequest.safeParse(input)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  throw AppError.badRequest(`Invalid export: ${summary}`, { issues })
}

export const viewerOf = (principal: Principal): ExportViewer => ({
  organizationId: principal.organizationId,
  userId: principal.userId,
  label: principal.label,
})

// --- estimate -----------------------------------------------------------------------------------

type Planned = { request: ExportRequest; source: ExportSource; estimate: ExportEstimate }

function estimateBytes(source: ExportSource, rows: number, format: ExportRequest['format']): number {
  const header = source.columns.reduce((sum, c) => sum + c.name.length + 1, 1)
  const csv = Math.round(header + rows * source.csvBytesPerRow)
  return format === 'csv' ? csv : Math.round(PARQUET_OVERHEAD_BYTES + rows * source.csvBytesPerRow * PARQUET_RATIO)
}

/** Rows of the organization's exports requested in the last 24 hours (failed and cancelled ones do not count). */
async function rowsInLastDay(db: Database, organizationId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ rows: sql<string>`coalesce(sum(coalesce(${exportJobs.rows}, ${exportJobs.estimatedRows})), 0)` })
    .from(exportJobs)
    .where(
      and(
        eq(exportJobs.organizationId, organizationId),
        gte(exportJobs.requestedAt, new Date(now.getTime() - DAY_MS)),
        notInArray(exportJobs.status, ['failed', 'cancelled']),
      ),
    )
  return Number(row?.rows ?? 0)
}

async function activeJobs(db: Database, organizationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<string>`count(*)` })
    .from(exportJobs)
    .where(and(eq(exportJobs.organizationId, organizationId), inArray(exportJobs.status, [...ACTIVE])))
  return Number(row?.n ?? 0)
}

const fmt = (n: number) => n.toLocaleString('en-US')

type LimitProblem = { status: 400 | 429; reason: string }

/** Why an export of no rows is refused, naming the field to look at first (as input errors do). */
function nothingToExport(request: ExportRequest): string {
  if (request.dataset === 'scenario') return `runId: nothing to export: run ${request.runId} has no ${request.table} results for these markets`
  if (request.dataset === 'curves') return 'nodes: nothing to export: these hubs have no curve points (check the hub names and the as-of date)'
  if (request.dataset === 'series') return `series: nothing to export: no ${request.measure} values of ${request.series.join(', ')} (${request.product}) from ${request.from} to ${request.to} (check the series ids, measure and range)`
  return `nodes: nothing to export: no ${request.run.join('/')} prices of these nodes from ${request.from} to ${request.to} (check the node names, runs and range)`
}

/** The first limit the export would break, or null. */
async function limitProblem(deps: Pick<ExportDeps, 'db' | 'env'>, organizationId: string, request: ExportRequest, rows: number): Promise<LimitProblem | null> {
  const { env } = deps
  if (rows === 0) return { status: 400, reason: nothingToExport(request) }
  if (rows > env.EXPORT_MAX_ROWS) {
    return { status: 400, reason: `the export would hold ${fmt(rows)} rows, more than the ${fmt(env.EXPORT_MAX_ROWS)} one export may hold (EXPORT_MAX_ROWS): narrow the range, nodes or runs, or pick a coarser resolution` }
  }
  const active = await activeJobs(deps.db, organizationId)
  if (active >= env.EXPORT_MAX_ACTIVE_PER_ORGANIZATION) {
    return { status: 429, reason: `your organization has ${active} exports queued or running, the most it may have at once (EXPORT_MAX_ACTIVE_PER_ORGANIZATION = ${env.EXPORT_MAX_ACTIVE_PER_ORGANIZATION}): wait for one to finish or cancel one` }
  }
  const used = await rowsInLastDay(deps.db, organizationId, new Date())
  if (used + rows > env.EXPORT_MAX_ROWS_PER_DAY) {
    return { status: 429, reason: `your organization exported ${fmt(used)} rows in the last 24 hours; ${fmt(rows)} more would pass its daily limit of ${fmt(env.EXPORT_MAX_ROWS_PER_DAY)} rows (EXPORT_MAX_ROWS_PER_DAY)` }
  }
  return null
}

/** Validates, resolves the markets, authorizes each (audited beside the gate's row), counts the rows. */
async function plan(deps: ExportDeps, principal: Principal, channel: ExportChannel, input: ExportRequestInput, procedure: string, request?: AuditRequest): Promise<Planned> {
  const parsed = parseExportRequest(input)
  const scope = scopeOf(parsed.dataset)
  const viewer = viewerOf(principal)
  const gateMarket = 'market' in parsed ? parsed.market : null
  const audit = { procedure, channel, gateMarket, request, details: { dataset: parsed.dataset, format: parsed.format } }
  // The market a prices or curves request names is decided before anything is read.
  if (gateMarket) await authorizeMarkets(deps.db, principal, channel, [gateMarket], scope, audit)
  const source = await openSource(deps, parsed, viewer, {
    // By default a scenario export covers the run's markets the caller may download (on this channel).
    scenarioMarkets: async (runMarkets) => {
      const allowed: MarketId[] = []
      for (const market of runMarkets) {
        const ok = await authorizeMarket(deps.db, principal, channel, market, scope).then(
          () => true,
          (error: unknown) => {
            if (error instanceof AppError && error.status === 403) return false
            throw error
          },
        )
        if (ok) allowed.push(market)
      }
      if (allowed.length === 0) {
        const why = runMarkets.length === 0 ? 'the run has no results' : `your organization may download none of its markets (${runMarkets.join(', ')})${channel === 'api' ? ' through the API' : ''}`
        throw new AppError('FORBIDDEN', `Nothing of run ${parsed.dataset === 'scenario' ? parsed.runId : ''} to export: ${why}`)
      }
      return allowed
    },
  })
  // A scenario export's markets are known once its run is found: each is decided (and audited) here.
  if (!gateMarket) await authorizeMarkets(deps.db, principal, channel, source.markets, scope, audit)
  const rows = await source.countRows()
  const problem = await limitProblem(deps, principal.organizationId, parsed, rows)
  const runId = parsed.dataset === 'scenario' ? parsed.runId : undefined
  const estimate: ExportEstimate = {
    markets: source.markets,
    rows,
    bytes: estimateBytes(source, rows, parsed.format),
    filename: exportFilename(parsed, runId),
    withinLimits: problem === null,
    limitReason: problem?.reason ?? null,
  }
  return { request: parsed, source, estimate }
}

/**
 * The size estimate shown before a job starts: rows (a count in ClickHouse), bytes in the chosen
 * format, the file name, and whether the job is within the organization's limits (else why not).
 * Refuses (403, audited) a market the caller may not download (or reach through the API, for an API
 * call); an unknown curve or run is a 404, bad input a 400 naming the field.
 */
export async function estimateExport(deps: ExportDeps, principal: Principal, channel: ExportChannel, input: ExportRequestInput, request?: AuditRequest): Promise<ExportEstimate> {
  return (await plan(deps, principal, channel, input, 'exports.estimate', request)).estimate
}

// --- create -------------------------------------------------------------------------------------

/**
 * Creates a job: authorized as estimateExport, then the limits (400 over the per-job row limit or
 * when nothing matches, 429 over the organization's active jobs or daily rows, each naming its
 * limit), then the row (queued, with the estimate and file name) published on `exports.run` (the
 * outbox relay delivers it if the bus refuses now). The limits are checked and the row inserted
 * under the organization's advisory lock, so two concurrent requests cannot both take the last slot.
 */
export async function createExport(deps: ExportDeps, principal: Principal, channel: ExportChannel, input: ExportRequestInput, request?: AuditRequest): Promise<ExportJob> {
  const planned = await plan(deps, principal, channel, input, 'exports.create', request)
  const { estimate } = planned
  const row = await deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`exports:${principal.organizationId}`}))`)
    const problem = await limitProblem({ db: tx as unknown as Database, env: deps.env }, principal.organizationId, planned.request, estimate.rows)
    if (problem) {
      throw new AppError(problem.status === 429 ? 'TOO_MANY_REQUESTS' : 'BAD_REQUEST', problem.reason, { details: { rows: estimate.rows } })
    }
    const [inserted] = await tx
      .insert(exportJobs)
      .values({
        organizationId: principal.organizationId,
        dataset: planned.request.dataset,
        format: planned.request.format,
        channel,
        markets: estimate.markets,
        params: planned.request,
        filename: estimate.filename,
        estimatedRows: estimate.rows,
        estimatedBytes: estimate.bytes,
        status: 'queued',
        requestedBy: principal.userId,
        requestedByLabel: principal.label,
      })
      .returning()
    return inserted!
  })
  await publishExport({ db: deps.db, bus: deps.bus, log: deps.log }, row.id)
  deps.log.info({ exportId: row.id, dataset: row.dataset, format: row.format, markets: row.markets, rows: estimate.rows }, 'export queued')
  return toExportJob(row)
}

// --- read ---------------------------------------------------------------------------------------

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A row as its organization sees it (no link: getExport adds a fresh one). */
export function toExportJob(row: ExportJobRow, link: { url: string; expiresAt: Date } | null = null): ExportJob {
  return {
    id: row.id,
    dataset: row.dataset as ExportJob['dataset'],
    format: row.format as ExportJob['format'],
    markets: row.markets as DataKey[],
    params: row.params as Record<string, unknown>,
    filename: row.filename,
    status: row.status as ExportJob['status'],
    progress: Math.min(1, Math.max(0, row.progress)),
    estimatedRows: row.estimatedRows,
    estimatedBytes: row.estimatedBytes,
    rows: row.rows,
    bytes: row.bytes,
    sha256: row.sha256,
    error: row.error,
    requestedBy: row.requestedByLabel,
    requestedAt: row.requestedAt.toISOString(),
    finishedAt: iso(row.finishedAt),
    expiresAt: iso(row.expiresAt),
    url: link?.url ?? null,
    urlExpiresAt: link ? link.expiresAt.toISOString() : null,
  }
}

/** The organization's job, or NOT_FOUND (another organization's job is not found either). */
async function jobOf(db: Database, principal: Principal, id: string): Promise<ExportJobRow> {
  if (!z.uuid().safeParse(id).success) throw AppError.notFound(`Export ${JSON.stringify(String(id).slice(0, 64))}`, { id })
  const [row] = await db
    .select()
    .from(exportJobs)
    .where(and(eq(exportJobs.id, id), eq(exportJobs.organizationId, principal.organizationId)))
    .limit(1)
  if (!row) throw AppError.notFound(`Export ${id}`, { id })
  return row
}

/**
 * One job of the caller's organization. When done and not expired: the downloads entitlement of
 * every market is checked again (403 if withdrawn, audited) and a fresh signed link is returned,
 * valid for DOWNLOAD_LINK_SECONDS (never beyond the file's expiry), downloading under the job's
 * file name; each issuance is audited (`exports.link`, one row per market).
 */
export async function getExport(deps: ExportDeps, principal: Principal, channel: ExportChannel, id: string, request?: AuditRequest): Promise<ExportJob> {
  const row = await jobOf(deps.db, principal, id)
  const now = Date.now()
  if (row.status !== 'done' || !row.objectKey || !row.expiresAt || row.expiresAt.getTime() <= now) return toExportJob(row)
  const seconds = Math.min(deps.env.DOWNLOAD_LINK_SECONDS, Math.floor((row.expiresAt.getTime() - now) / 1000))
  if (seconds < 1) return toExportJob(row)
  const markets = row.markets as DataKey[]
  await authorizeMarkets(deps.db, principal, channel, markets, scopeOf(row.dataset as ExportRequest['dataset']), {
    procedure: 'exports.link',
    channel: 'downloads',
    request,
    details: { exportId: row.id, filename: row.filename, expiresInSeconds: seconds },
  })
  const url = await deps.objects.signedUrl(row.objectKey, { expiresInSeconds: seconds, filename: row.filename })
  return toExportJob(row, { url, expiresAt: new Date(now + seconds * 1000) })
}

export const MAX_LIST_LIMIT = 200

/** The organization's jobs, newest first (no links: get one to download). */
export async function listExports(deps: Pick<ExportDeps, 'db'>, principal: Principal, options: { limit?: number } = {}): Promise<ExportJob[]> {
  const limit = options.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw AppError.badRequest(`limit: ${String(options.limit)} is not an integer 1..${MAX_LIST_LIMIT}`, { field: 'limit', value: options.limit })
  }
  const rows = await deps.db
    .select()
    .from(exportJobs)
    .where(eq(exportJobs.organizationId, principal.organizationId))
    .orderBy(desc(exportJobs.requestedAt), desc(exportJobs.id))
    .limit(limit)
  return rows.map((row) => toExportJob(row))
}

/**
 * Cancels a queued or running job of the caller's organization (the worker stops at its next
 * progress check and removes a partial file). A job already finished is returned unchanged with
 * CONFLICT naming its status.
 */
export async function cancelExport(deps: Pick<ExportDeps, 'db' | 'log'>, principal: Principal, id: string): Promise<ExportJob> {
  const row = await jobOf(deps.db, principal, id)
  const [cancelled] = await deps.db
    .update(exportJobs)
    .set({ status: 'cancelled', finishedAt: new Date(), error: `cancelled by ${principal.label}` })
    .where(and(eq(exportJobs.id, row.id), inArray(exportJobs.status, [...ACTIVE])))
    .returning()
  if (!cancelled) {
    const current = await jobOf(deps.db, principal, id)
    throw new AppError('CONFLICT', `Export ${id} is ${current.status}: only a queued or running export can be cancelled`, { details: { id, status: current.status } })
  }
  deps.log.info({ exportId: id, by: principal.label }, 'export cancelled')
  return toExportJob(cancelled)
}
