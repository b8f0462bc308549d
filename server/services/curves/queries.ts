import { curveView } from '@carbon/curves'
import type { MarketId } from '@carbon/schemas'
import { and, asc, desc, eq, inArray } from 'drizzle-orm'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, curves, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { findCurve, latestDoneBuilds, OWN_FIRST, toBuildSummary, visibleTo, type BuildRow, type CurveRow, type CurveViewer } from './builds.ts'
import { CURVE_HUBS } from './catalog.ts'
import { readCurveMonth, readCurvePoints } from './points.ts'
import type {
  CurveCompareOutput,
  CurveGetInput,
  CurveGetOutput,
  CurveHistoryOutput,
  CurveListOutput,
  CurvePoint,
  Granularity,
  StoredQuote,
} from './schemas.ts'

const isCatalogued = (curve: CurveRow) => CURVE_HUBS.some((h) => h.market === curve.market && h.node === curve.node)

/**
 * The curves of the given markets a viewer sees, with their built as-of dates and latest build:
 * the catalogue's hubs, and any other hub with a build the viewer sees (a curve another
 * organization created by building it stays out of the list).
 */
export async function listCurves(db: Database, markets: readonly MarketId[], viewer: CurveViewer): Promise<CurveListOutput> {
  if (markets.length === 0) return { curves: [] }
  const rows = await db.select().from(curves).where(inArray(curves.market, [...markets])).orderBy(asc(curves.market), asc(curves.name))
  const out: CurveListOutput['curves'] = []
  for (const curve of rows) {
    const builds = await latestDoneBuilds(db, curve.id, viewer)
    if (builds.length === 0 && !isCatalogued(curve)) continue
    out.push({
      market: curve.market as MarketId,
      node: curve.node,
      name: curve.name,
      unit: curve.unit,
      asOfDates: builds.map((b) => b.asOf),
      latest: builds[0] ? toBuildSummary(builds[0], curve) : null,
    })
  }
  return { curves: out }
}

/**
 * The build a request names, among those the viewer sees: a version of an as-of date (the viewer's
 * own version of that number, else the house's), the latest done one of it, or the latest of all
 * (per as-of date the viewer's own build before the house build).
 */
async function resolveBuild(db: Database, curve: CurveRow, viewer: CurveViewer, asOf?: string, version?: number): Promise<BuildRow> {
  if (version !== undefined && !asOf) throw AppError.badRequest('version needs asOf: versions are numbered per as-of date')
  if (asOf && version !== undefined) {
    const [row] = await db
      .select()
      .from(curveBuilds)
      .where(and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.asOf, asOf), eq(curveBuilds.version, version)))
      .orderBy(OWN_FIRST)
      .limit(1)
    if (!row) throw AppError.notFound(`Build ${version} of the ${curve.name} curve as of ${asOf}`)
    return row
  }
  const where = and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.status, 'done'), asOf ? eq(curveBuilds.asOf, asOf) : undefined)
  const [row] = await db.select().from(curveBuilds).where(where).orderBy(desc(curveBuilds.asOf), OWN_FIRST, desc(curveBuilds.version)).limit(1)
  if (!row) throw AppError.notFound(asOf ? `A built ${curve.name} curve as of ${asOf}` : `A built ${curve.name} curve`)
  return row
}

/** One build of a curve the viewer sees, aggregated, with its quotes (and how the curve reprices each). */
export async function getCurve(deps: { db: Database; ch: ClickHouseHandle }, input: CurveGetInput, viewer: CurveViewer): Promise<CurveGetOutput> {
  const curve = await findCurve(deps.db, input.market, input.node)
  const build = await resolveBuild(deps.db, curve, viewer, input.asOf, input.version)
  const granularity = input.granularity ?? 'standard'
  const points = build.status === 'done' ? ((await readCurvePoints(deps.ch, curve.id, [build.id])).get(build.id) ?? []) : []
  return {
    curve: { market: curve.market as MarketId, node: curve.node, name: curve.name, unit: curve.unit },
    build: toBuildSummary(build, curve),
    granularity,
    points: curveView(points, granularity, build.asOf),
    quotes: build.quotes as StoredQuote[],
  }
}

/** One delivery month across as-of dates (the latest done build of each the viewer sees). */
export async function curveHistory(
  deps: { db: Database; ch: ClickHouseHandle },
  input: { market: MarketId; node: string; month: string; from?: string; to?: string },
  viewer: CurveViewer,
): Promise<CurveHistoryOutput> {
  if (input.from && input.to && input.from > input.to) {
    throw new AppError('BAD_REQUEST', `from ${input.from} is after to ${input.to}`, { details: { field: 'from', value: input.from } })
  }
  const curve = await findCurve(deps.db, input.market, input.node)
  const builds = (await latestDoneBuilds(deps.db, curve.id, viewer, input)).reverse()
  const values = await readCurveMonth(
    deps.ch,
    curve.id,
    builds.map((b) => b.id),
    input.month,
  )
  const points = builds.flatMap((b) => {
    const value = values.get(b.id)
    return value ? [{ asOf: b.asOf, version: b.version, buildId: b.id, onpeak: value.onpeak, offpeak: value.offpeak, atc: value.atc }] : []
  })
  return { month: input.month, points }
}

/** Two as-of dates of a curve side by side, with the change (base minus other) per period. */
export async function compareCurves(
  deps: { db: Database; ch: ClickHouseHandle },
  input: { market: MarketId; node: string; asOf?: string; against?: string; granularity?: Granularity },
  viewer: CurveViewer,
): Promise<CurveCompareOutput> {
  const curve = await findCurve(deps.db, input.market, input.node)
  const base = await resolveBuild(deps.db, curve, viewer, input.asOf)
  const other = await resolveBuild(deps.db, curve, viewer, input.against ?? (await previousAsOf(deps.db, curve, viewer, base.asOf)))
  const granularity = input.granularity ?? 'standard'
  const points = await readCurvePoints(deps.ch, curve.id, [base.id, other.id])
  // Both from the later as-of month, so their periods line up.
  const from = base.asOf > other.asOf ? base.asOf : other.asOf
  const basePoints = curveView(points.get(base.id) ?? [], granularity, from)
  const otherPoints = curveView(points.get(other.id) ?? [], granularity, from)
  return { base: toBuildSummary(base, curve), other: toBuildSummary(other, curve), granularity, rows: compareRows(basePoints, otherPoints) }
}

/** The latest as-of date with a done build before `asOf`; NOT_FOUND when there is none to compare with. */
async function previousAsOf(db: Database, curve: CurveRow, viewer: CurveViewer, asOf: string): Promise<string> {
  const earlier = (await latestDoneBuilds(db, curve.id, viewer)).find((b) => b.asOf < asOf)
  if (!earlier) throw AppError.notFound(`A ${curve.name} curve built before ${asOf} to compare with`)
  return earlier.asOf
}

type Prices = { onpeak: number; offpeak: number; atc: number }
const pricesOf = (p: CurvePoint | undefined): Prices | null => (p ? { onpeak: p.onpeak, offpeak: p.offpeak, atc: p.atc } : null)

/**
 * Rows by period. Periods only one side has (the other curve starts later) have a null side; a
 * period both have but with different months (a partial first quarter) is compared as it is.
 */
export function compareRows(base: CurvePoint[], other: CurvePoint[]): CurveCompareOutput['rows'] {
  const otherByPeriod = new Map(other.map((p) => [p.period, p]))
  const basePeriods = new Set(base.map((p) => p.period))
  const rows = base.map((b) => {
    const o = otherByPeriod.get(b.period)
    const change = o ? { onpeak: b.onpeak - o.onpeak, offpeak: b.offpeak - o.offpeak, atc: b.atc - o.atc } : null
    return { period: b.period, first: b.first, last: b.last, base: pricesOf(b), other: pricesOf(o), change }
  })
  const onlyOther = other.filter((o) => !basePeriods.has(o.period)).map((o) => ({ period: o.period, first: o.first, last: o.last, base: null, other: pricesOf(o), change: null }))
  return [...onlyOther, ...rows].sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0))
}
