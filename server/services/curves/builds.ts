import { buildCurve, CurveConflictError, CurveInputError, curveInputsHash, normalizeQuotes, parseQuotesCsv, type Quote } from '@carbon/curves'
import type { MarketId } from '@carbon/schemas'
import { and, desc, eq, isNull, max, or, sql, type SQL } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Bus } from '../../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, curves, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { getLogger } from '../../logger.ts'
import { getNode } from '../nodes/index.ts'
import { CURVE_HUBS, curveId } from './catalog.ts'
import { FUEL_CURVES, fuelCurveId } from './fuel-catalog.ts'
import { solveFuelBuild } from './fuel-solve.ts'
import { publishBuild } from './outbox.ts'
import { insertCurvePoints } from './points.ts'
import { baseRunId, loadScenarioPrior, resolvePriorRun, scenarioHubOf } from './prior.ts'
import { futureAsOfProblem, type BuildSummary, type CurveBuildInput, type StoredQuote } from './schemas.ts'

/**
 * Curve builds: a request stores the quotes as a new version (status 'queued', the row being its
 * own outbox entry) and publishes its id on `curves.build` (outbox.ts; the relay publishes what
 * could not be); the solver (server/workers/curve-solver.ts: a sidecar in production, in the web
 * process on the embedded default) solves it with packages/curves, writes the monthly points to
 * ClickHouse and marks the row 'done' with the solver's diagnostics, or 'failed' with the reason.
 *
 * Ownership (docs/decisions/010-curve-ownership.md): a build belongs to the organization that
 * requested it (private: read and written by that organization only) or, with no organization, to
 * the house (published by the platform: the demo builds, readable by everyone entitled to the
 * market). A reader sees, per as-of date, its own organization's latest build if it has one, else
 * the house build.
 */

export type CurveRow = typeof curves.$inferSelect
export type BuildRow = typeof curveBuilds.$inferSelect
/** Who asks for a build: the user (if any), how the audit log names them, and the owning organization (null: a house build). */
export type Requester = { userId: string | null; label: string; organizationId: string | null }
/** Whose curves a read sees: the organization's own builds and the house builds. */
export type CurveViewer = { organizationId: string }
export type BuildSource = 'hub' | 'csv' | 'api' | 'demo'

/** How a house build names who built it (never a person). */
export const HOUSE_LABEL = '254Carbon'

async function curveById(db: Database, id: string): Promise<CurveRow | null> {
  const [row] = await db.select().from(curves).where(eq(curves.id, id)).limit(1)
  return row ?? null
}

/** Inserts a curve unless it exists (the catalogue's name for a known hub, else market and node). */
async function insertCurve(db: Database, market: MarketId, node: string): Promise<void> {
  const known = CURVE_HUBS.find((h) => h.market === market && h.node === node)
  await db
    .insert(curves)
    .values({ id: curveId(market, node), market, node, name: known?.name ?? `${market} ${node}` })
    .onConflictDoNothing()
}

/** The curve of a hub, created on first use for a hub node of the market; NOT_FOUND for anything else. */
export async function ensureCurve(db: Database, market: MarketId, node: string): Promise<CurveRow> {
  const existing = await curveById(db, curveId(market, node))
  if (existing) return existing
  const pricingNode = await getNode(db, market, node)
  if (pricingNode.type !== 'hub') throw AppError.badRequest(`${node} is a ${pricingNode.type}, not a hub: forward curves are built for hubs`)
  await insertCurve(db, market, node)
  return (await curveById(db, curveId(market, node)))!
}

/** Creates the catalogue's curves, power hubs and fuel curves (idempotent; the products GAS and LNG must be seeded). */
export async function seedCurves(db: Database): Promise<void> {
  for (const hub of CURVE_HUBS) await insertCurve(db, hub.market, hub.node)
  await db
    .insert(curves)
    .values(FUEL_CURVES.map((c) => ({ id: fuelCurveId(c.product, c.curve), market: c.product, node: c.curve, name: c.name, unit: c.unit, commodity: c.commodity })))
    .onConflictDoNothing()
}

/** The curve of a market and node, NOT_FOUND when none was ever built or created. */
export async function findCurve(db: Database, market: MarketId, node: string): Promise<CurveRow> {
  const row = await curveById(db, curveId(market, node))
  if (!row) throw AppError.notFound(`Forward curve for ${node} in ${market}`, { market, node })
  return row
}

/** A package input error (bad contract, bad CSV line) or conflict as the one application error. */
export function curveError(error: unknown): AppError | null {
  if (error instanceof CurveInputError || error instanceof CurveConflictError) {
    return new AppError('BAD_REQUEST', error.message, { details: { kind: error.name }, cause: error })
  }
  return null
}

/** Runs a packages/curves step; its input errors become the application's BAD_REQUEST. */
function validated<T>(step: () => T): T {
  try {
    return step()
  } catch (error) {
    throw curveError(error) ?? error
  }
}

/** The request's quotes, validated by packages/curves (from JSON or CSV). */
function readQuotes(input: Pick<CurveBuildInput, 'quotes' | 'quotesCsv'>): Quote[] {
  return validated(() => (input.quotesCsv !== undefined ? parseQuotesCsv(input.quotesCsv, { file: 'quotes.csv' }) : normalizeQuotes(input.quotes ?? [])))
}

/** A validated quote as a build row keeps it (repriced once the build is solved). */
export function toStoredQuote(quote: Quote): StoredQuote {
  return {
    contract: quote.contract.code,
    block: quote.block,
    price: quote.price,
    bid: quote.bid,
    ask: quote.ask,
    first: quote.contract.first,
    last: quote.contract.last,
    repriced: null,
  }
}

function fromStoredQuotes(stored: StoredQuote[]): Quote[] {
  return normalizeQuotes(stored.map((q) => ({ contract: q.contract, block: q.block, price: q.price, bid: q.bid, ask: q.ask })))
}

/** The builds of one owner: an organization's, or the house's (organizationId null). */
function ownedBy(organizationId: string | null | undefined): SQL {
  return organizationId ? eq(curveBuilds.organizationId, organizationId) : isNull(curveBuilds.organizationId)
}

/** The builds a viewer may read: its organization's and the house's. */
export function visibleTo(viewer: CurveViewer): SQL {
  return or(eq(curveBuilds.organizationId, viewer.organizationId), isNull(curveBuilds.organizationId))!
}

/** Orders a viewer's own build before the house build of the same as-of date (false sorts first). */
export const OWN_FIRST = sql`${curveBuilds.organizationId} is null`

/** Inserts the next version of (curve, owner, as-of) as 'queued'; retries when another request took the number (power and fuel builds). */
export async function insertQueued(db: Database, values: Omit<typeof curveBuilds.$inferInsert, 'version' | 'status'>): Promise<BuildRow> {
  for (let attempt = 0; ; attempt++) {
    const [{ latest } = { latest: null }] = await db
      .select({ latest: max(curveBuilds.version) })
      .from(curveBuilds)
      .where(and(eq(curveBuilds.curveId, values.curveId), ownedBy(values.organizationId), eq(curveBuilds.asOf, values.asOf)))
    try {
      const [row] = await db
        .insert(curveBuilds)
        .values({ ...values, version: (latest ?? 0) + 1, status: 'queued' })
        .returning()
      return row!
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('curve_builds_version_key')) throw error
    }
  }
}

export type BuildRequest = Omit<CurveBuildInput, 'waitMs'> & { source: BuildSource }

/** Validates and stores a build request as a new queued version of the requester's organization (or the house); does not publish it. */
export async function createBuild(db: Database, request: BuildRequest, requester: Requester): Promise<BuildRow> {
  const future = futureAsOfProblem(request.asOf)
  if (future) throw new AppError('BAD_REQUEST', future, { details: { field: 'asOf', value: request.asOf } })
  const curve = await ensureCurve(db, request.market, request.node)
  const quotes = readQuotes(request)
  const params = request.params ?? {}
  const hub = scenarioHubOf(request.market, request.node)
  if (hub === null && request.priorRunId !== undefined) {
    throw new AppError('BAD_REQUEST', `the scenario model does not cover ${request.market}: no scenario run can be the prior of its curves`, {
      details: { field: 'priorRunId', value: request.priorRunId },
    })
  }
  const prior = hub === null ? null : await resolvePriorRun(db, request.priorRunId, requester)
  const scenarioPrior = prior && hub ? { runId: prior.runId, hub } : undefined
  return insertQueued(db, {
    curveId: curve.id,
    organizationId: requester.organizationId,
    asOf: request.asOf,
    source: request.source,
    quotes: quotes.map(toStoredQuote),
    inputsHash: validated(() => curveInputsHash({ market: request.market, asOf: request.asOf, quotes, params, scenarioPrior })),
    params,
    priorRunId: prior?.runId ?? null,
    requestedBy: requester.userId,
    requestedByLabel: requester.label,
  })
}

/**
 * Stores the request and hands it to the solver through `curves.build`. A bus that refuses the
 * message does not fail the request: the build is stored (queued, in the outbox) and the relay
 * publishes it once the bus answers.
 */
export async function requestBuild(deps: { db: Database; bus: Bus; log?: Logger }, request: BuildRequest, requester: Requester): Promise<BuildRow> {
  const row = await createBuild(deps.db, request, requester)
  await publishBuild({ db: deps.db, bus: deps.bus, log: deps.log ?? getLogger() }, row.id)
  return row
}

export async function getBuild(db: Database, buildId: string): Promise<BuildRow | null> {
  const [row] = await db.select().from(curveBuilds).where(eq(curveBuilds.id, buildId)).limit(1)
  return row ?? null
}

/** Polls the build until the solver finished it or `waitMs` passed; returns its row as it then is. */
export async function waitForBuild(db: Database, buildId: string, waitMs: number, signal?: AbortSignal): Promise<BuildRow> {
  const deadline = Date.now() + waitMs
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const row = await getBuild(db, buildId)
    if (!row) throw AppError.notFound(`Curve build ${buildId}`)
    if (row.status === 'done' || row.status === 'failed' || Date.now() >= deadline || signal?.aborted) return row
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))))
  }
}

/**
 * Solves one queued build: the solver's half. Idempotent (a build already done or failed is left
 * as it is; a build interrupted while running is solved again: its points are written before the
 * row turns done). Returns null for an unknown build id.
 *
 * The solve itself is deterministic: any failure of it (contracts outside the curve, an
 * inconsistent set, a stored input the solver cannot handle) marks the build failed with the
 * reason, and solving it again would fail again, so it is never thrown. Only a store outage
 * (Postgres, ClickHouse) throws, so the bus delivers the request again.
 */
export async function runBuild(deps: { db: Database; ch: ClickHouseHandle; log: Logger }, buildId: string): Promise<BuildRow | null> {
  const { db, ch, log } = deps
  const row = await getBuild(db, buildId)
  if (!row) return null
  if (row.status === 'done' || row.status === 'failed') return row
  const curve = await curveById(db, row.curveId)
  await db.update(curveBuilds).set({ status: 'running', startedAt: new Date() }).where(eq(curveBuilds.id, buildId))
  // Gas and LNG basis curves share the table, the outbox and this worker; their solve is their own.
  if (curve!.commodity !== 'power') return solveFuelBuild(deps, row, curve!)
  const started = performance.now()
  const market = curve!.market as MarketId
  const prior = await loadScenarioPrior(ch, row.priorRunId, market, curve!.node)
  if (prior && 'problem' in prior) {
    log.warn({ buildId, curve: row.curveId, priorRunId: row.priorRunId, reason: prior.problem }, 'curve build prior unavailable')
    return finish(db, buildId, { status: 'failed', error: prior.problem, finishedAt: new Date() })
  }
  let result: ReturnType<typeof buildCurve>
  try {
    const quotes = fromStoredQuotes(row.quotes as StoredQuote[])
    result = buildCurve({ market, quotes, asOf: row.asOf, params: row.params as Record<string, number>, ...(prior ? { scenarioPrior: prior } : {}) })
  } catch (error) {
    const known = curveError(error)
    if (known) log.info({ buildId, curve: row.curveId, reason: known.message }, 'curve build refused')
    else log.warn({ buildId, curve: row.curveId, err: error }, 'curve build failed in the solver')
    const reason = known ? known.message : `the solver failed: ${error instanceof Error ? error.message : String(error)}`
    return finish(db, buildId, { status: 'failed', error: reason, finishedAt: new Date() })
  }
  await insertCurvePoints(ch, { curveId: row.curveId, buildId, asOf: row.asOf }, result.months)
  // The build lists quotes in its canonical order; the row keeps the request's order.
  const keyOf = (q: { block: string; price: number; bid: number | null; ask: number | null }, code: string) => `${code}|${q.block}|${q.price}|${q.bid}|${q.ask}`
  const repriced = new Map(result.quotes.map((q) => [keyOf(q, q.code), q.repriced]))
  const stored = (row.quotes as StoredQuote[]).map((q) => ({ ...q, repriced: repriced.get(keyOf(q, q.contract)) ?? null }))
  const ms = Math.round(performance.now() - started)
  log.info({ buildId, curve: row.curveId, asOf: row.asOf, version: row.version, months: result.months.length, ms }, 'curve built')
  return finish(db, buildId, {
    status: 'done',
    quotes: stored,
    method: result.diagnostics.method,
    diagnostics: { ...result.diagnostics, solveMs: ms },
    firstMonth: result.firstMonth,
    lastMonth: result.lastMonth,
    finishedAt: new Date(),
  })
}

async function finish(db: Database, buildId: string, values: Partial<typeof curveBuilds.$inferInsert>): Promise<BuildRow> {
  const [row] = await db.update(curveBuilds).set(values).where(eq(curveBuilds.id, buildId)).returning()
  return row!
}

/**
 * The builds of a curve a viewer sees that succeeded, newest as-of first: per as-of date the latest
 * version of the viewer's organization if it has one, else the house's latest.
 */
export async function latestDoneBuilds(db: Database, id: string, viewer: CurveViewer, range: { from?: string; to?: string } = {}): Promise<BuildRow[]> {
  const rows = await db
    .selectDistinctOn([curveBuilds.asOf])
    .from(curveBuilds)
    .where(
      and(
        eq(curveBuilds.curveId, id),
        visibleTo(viewer),
        eq(curveBuilds.status, 'done'),
        range.from ? sql`${curveBuilds.asOf} >= ${range.from}` : undefined,
        range.to ? sql`${curveBuilds.asOf} <= ${range.to}` : undefined,
      ),
    )
    .orderBy(desc(curveBuilds.asOf), OWN_FIRST, desc(curveBuilds.version))
  return rows
}

/** Which prior a build has: a scenario run (and whether it is the base run) or the escalation placeholder. */
function priorSummary(row: BuildRow, curve: Pick<CurveRow, 'market' | 'node'>): BuildSummary['prior'] {
  if (row.priorRunId === null) return { kind: 'escalation', runId: null, base: false, hub: null }
  const solved = (row.diagnostics as { prior?: { hub?: string } } | null)?.prior?.hub
  return { kind: 'scenario', runId: row.priorRunId, base: row.priorRunId === baseRunId(), hub: solved ?? scenarioHubOf(curve.market as MarketId, curve.node) }
}

/** What a build summary says of any build, power or fuel: the row's own fields, the quote count and who asked. */
export function buildRowSummary(row: BuildRow) {
  return {
    id: row.id,
    asOf: row.asOf,
    version: row.version,
    status: row.status as BuildSummary['status'],
    source: row.source,
    inputsHash: row.inputsHash,
    method: row.method,
    params: (row.params ?? {}) as Record<string, unknown>,
    diagnostics: (row.diagnostics ?? null) as Record<string, unknown> | null,
    error: row.error,
    firstMonth: row.firstMonth,
    lastMonth: row.lastMonth,
    quoteCount: (row.quotes as unknown[]).length,
    owner: row.organizationId ? ('organization' as const) : ('house' as const),
    // Only the owning organization reads a private build: its people may be named; a house build never names one.
    requestedBy: row.organizationId ? row.requestedByLabel : HOUSE_LABEL,
    requestedAt: row.requestedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  }
}

export function toBuildSummary(row: BuildRow, curve: Pick<CurveRow, 'market' | 'node'>): BuildSummary {
  return { ...buildRowSummary(row), market: curve.market as MarketId, node: curve.node, prior: priorSummary(row, curve) }
}
