import { CurveConflictError, CurveInputError, fuelCurveInputsHash, fuelCurveView, normalizeFuelQuotes, parseFuelQuotesCsv, type FuelCommodity, type FuelQuote } from '@carbon/curves'
import { and, desc, eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Bus } from '../../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, curves, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { getLogger } from '../../logger.ts'
import { buildRowSummary, insertQueued, latestDoneBuilds, OWN_FIRST, visibleTo, type BuildRow, type BuildSource, type CurveRow, type CurveViewer, type Requester } from './builds.ts'
import { FUEL_CURVES, fuelCurveDefinition, fuelCurveId, type FuelProduct } from './fuel-catalog.ts'
import { readFuelCurvePoints } from './fuel-points.ts'
import type { FuelBuildInput, FuelBuildSummary, FuelGetInput, FuelGetOutput, FuelListOutput, FuelStoredQuote } from './fuel-schemas.ts'
import { publishBuild } from './outbox.ts'
import { futureAsOfProblem } from './schemas.ts'

/**
 * Fuel forward curves (issue 18): gas at each hub of GAS_HUBS and the LNG basis curves JKM-HH and
 * TTF-HH, built from quotes by packages/curves buildFuelCurve (one $/MMBtu price per month,
 * multi-month contracts calendar-days-weighted). They share everything else with the power curves:
 * the `curves` table (commodity 'gas' or 'lng_basis', `market` = the product data key),
 * `curve_builds` (versions per owner and as-of date, the outbox, ownership: a house build or an
 * organization's private one), the `curves.build` topic and the solver worker (runBuild dispatches
 * on the commodity to fuel-solve.ts). Points go to ClickHouse `fuel_curve_points`.
 */

/** A fuel curve row of the catalogue; NOT_FOUND for a name that is none of the product's curves. */
export async function findFuelCurve(db: Database, product: FuelProduct, curve: string): Promise<CurveRow> {
  const known = fuelCurveDefinition(product, curve)
  const names = FUEL_CURVES.filter((c) => c.product === product).map((c) => c.curve)
  if (!known) throw AppError.notFound(`Fuel curve ${curve} of ${product} (there are: ${names.join(', ')})`, { product, curve })
  const [row] = await db.select().from(curves).where(eq(curves.id, fuelCurveId(product, curve))).limit(1)
  if (!row) throw AppError.notFound(`Fuel curve ${curve} of ${product}: not seeded yet`, { product, curve })
  return row
}

/** A package input error or conflict as the one application error (BAD_REQUEST naming line, field, value or contracts). */
function validated<T>(step: () => T): T {
  try {
    return step()
  } catch (error) {
    if (error instanceof CurveInputError || error instanceof CurveConflictError) {
      throw new AppError('BAD_REQUEST', error.message, { details: { kind: error.name }, cause: error })
    }
    throw error
  }
}

function readFuelQuotes(input: Pick<FuelBuildInput, 'quotes' | 'quotesCsv'>): FuelQuote[] {
  return validated(() => (input.quotesCsv !== undefined ? parseFuelQuotesCsv(input.quotesCsv, { file: 'quotes.csv' }) : normalizeFuelQuotes(input.quotes ?? [])))
}

function toStoredFuelQuote(quote: FuelQuote): FuelStoredQuote {
  return { contract: quote.contract.code, price: quote.price, bid: quote.bid, ask: quote.ask, first: quote.contract.first, last: quote.contract.last, repriced: null }
}

export type FuelBuildRequest = Omit<FuelBuildInput, 'waitMs'> & { source: BuildSource }

/** Validates and stores a fuel build request as a new queued version of the requester's organization (or the house); does not publish it. */
export async function createFuelBuild(db: Database, request: FuelBuildRequest, requester: Requester): Promise<BuildRow> {
  const future = futureAsOfProblem(request.asOf)
  if (future) throw new AppError('BAD_REQUEST', future, { details: { field: 'asOf', value: request.asOf } })
  const curve = await findFuelCurve(db, request.product, request.curve)
  const quotes = readFuelQuotes(request)
  const params = request.params ?? {}
  const inputsHash = validated(() => fuelCurveInputsHash({ curve: curve.id, commodity: curve.commodity as FuelCommodity, asOf: request.asOf, quotes, params }))
  return insertQueued(db, {
    curveId: curve.id,
    organizationId: requester.organizationId,
    asOf: request.asOf,
    source: request.source,
    quotes: quotes.map(toStoredFuelQuote),
    inputsHash,
    params,
    priorRunId: null,
    requestedBy: requester.userId,
    requestedByLabel: requester.label,
  })
}

/** Stores the request and hands it to the solver on `curves.build` (the outbox relay publishes it if the bus refuses now). */
export async function requestFuelBuild(deps: { db: Database; bus: Bus; log?: Logger }, request: FuelBuildRequest, requester: Requester): Promise<BuildRow> {
  const row = await createFuelBuild(deps.db, request, requester)
  await publishBuild({ db: deps.db, bus: deps.bus, log: deps.log ?? getLogger() }, row.id)
  return row
}

export function toFuelBuildSummary(row: BuildRow, ref: { product: FuelProduct; curve: string }): FuelBuildSummary {
  return { ...buildRowSummary(row), product: ref.product, curve: ref.curve }
}

/** What a fuel curve is (FuelGetOutput's `curve`): product, name within it, display name, commodity, unit. */
export function fuelCurveInfo(row: CurveRow, product: FuelProduct) {
  return { product, curve: row.node, name: row.name, commodity: row.commodity as FuelCommodity, unit: row.unit }
}

/** The fuel curves of a product in catalogue order, with the as-of dates the viewer sees built and the latest build. */
export async function listFuelCurves(db: Database, product: FuelProduct, viewer: CurveViewer): Promise<FuelListOutput> {
  const rows = await db.select().from(curves).where(eq(curves.market, product))
  const byId = new Map(rows.map((r) => [r.id, r]))
  const out: FuelListOutput['curves'] = []
  for (const definition of FUEL_CURVES.filter((c) => c.product === product)) {
    const row = byId.get(fuelCurveId(product, definition.curve))
    if (!row) continue
    const builds = await latestDoneBuilds(db, row.id, viewer)
    out.push({ ...fuelCurveInfo(row, product), asOfDates: builds.map((b) => b.asOf), latest: builds[0] ? toFuelBuildSummary(builds[0], { product, curve: row.node }) : null })
  }
  return { curves: out }
}

/** The build a request names among those the viewer sees (as resolveBuild does for power). */
export async function resolveFuelBuild(db: Database, curve: CurveRow, viewer: CurveViewer, asOf?: string, version?: number): Promise<BuildRow> {
  if (version !== undefined && !asOf) throw AppError.badRequest('version needs asOf: versions are numbered per as-of date')
  const where =
    asOf && version !== undefined
      ? and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.asOf, asOf), eq(curveBuilds.version, version))
      : and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.status, 'done'), asOf ? eq(curveBuilds.asOf, asOf) : undefined)
  const [row] = await db.select().from(curveBuilds).where(where).orderBy(desc(curveBuilds.asOf), OWN_FIRST, desc(curveBuilds.version)).limit(1)
  if (!row) {
    const what = version !== undefined ? `Build ${version} of the ${curve.name} curve as of ${asOf}` : asOf ? `A built ${curve.name} curve as of ${asOf}` : `A built ${curve.name} curve`
    throw AppError.notFound(what)
  }
  return row
}

/** One build of a fuel curve the viewer sees, aggregated days-weighted, with its quotes and how the curve reprices each. */
export async function getFuelCurve(deps: { db: Database; ch: ClickHouseHandle }, input: FuelGetInput, viewer: CurveViewer): Promise<FuelGetOutput> {
  const curve = await findFuelCurve(deps.db, input.product, input.curve)
  const build = await resolveFuelBuild(deps.db, curve, viewer, input.asOf, input.version)
  const granularity = input.granularity ?? 'standard'
  const points = build.status === 'done' ? ((await readFuelCurvePoints(deps.ch, curve.id, [build.id])).get(build.id) ?? []) : []
  return {
    curve: fuelCurveInfo(curve, input.product),
    build: toFuelBuildSummary(build, { product: input.product, curve: curve.node }),
    granularity,
    points: fuelCurveView(points, granularity, build.asOf),
    quotes: build.quotes as FuelStoredQuote[],
  }
}
