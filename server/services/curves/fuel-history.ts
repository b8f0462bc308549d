import { fuelCurveView } from '@carbon/curves'
import { and, desc, eq, isNull, lt, ne } from 'drizzle-orm'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { latestDoneBuilds, visibleTo, type BuildRow, type CurveRow, type CurveViewer } from './builds.ts'
import { findFuelCurve, fuelCurveInfo, getFuelCurve, resolveFuelBuild, toFuelBuildSummary } from './fuel.ts'
import { readFuelCurvePoints } from './fuel-points.ts'
import type { FuelCompareInput, FuelCompareOutput, FuelCompareRow, FuelGetOutput, FuelHistoryInput, FuelPeriodRow } from './fuel-schemas.ts'

/**
 * A fuel curve across its builds, for the curve pages' as-of and version pickers and their "Compare
 * with" (as the power page has with curves.compare): the as-of dates and versions the viewer sees,
 * and two builds side by side per period, days-weighted. Reads only; the builds are fuel.ts's.
 */

type FuelViewPoint = FuelGetOutput['points'][number]
type Deps = { db: Database; ch: ClickHouseHandle }

/**
 * Rows by period, in delivery order: `change` = base minus other. A period only one side has (the
 * other build starts later) has a null side; a period both have with different months (a partial
 * first quarter) is compared as it is, as power's compareRows does.
 */
export function fuelCompareRows(base: readonly FuelViewPoint[], other: readonly FuelViewPoint[]): FuelCompareRow[] {
  const otherByPeriod = new Map(other.map((p) => [p.period, p]))
  const basePeriods = new Set(base.map((p) => p.period))
  const rows: FuelCompareRow[] = base.map((b) => {
    const o = otherByPeriod.get(b.period)
    return { period: b.period, first: b.first, last: b.last, base: b.price, other: o?.price ?? null, change: o ? b.price - o.price : null }
  })
  for (const o of other) {
    if (!basePeriods.has(o.period)) rows.push({ period: o.period, first: o.first, last: o.last, base: null, other: o.price, change: null })
  }
  return rows.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0))
}

/**
 * The periods table: each period of the shown view with the compared price and the change, taken
 * from the comparison's row of the same period and months; a period the comparison aggregates
 * differently (the later as-of date cuts its first quarter) gets none.
 */
export function fuelPeriodRows(points: readonly FuelViewPoint[], compare: readonly FuelCompareRow[] | null): FuelPeriodRow[] {
  const byPeriod = new Map((compare ?? []).map((r) => [r.period, r]))
  return points.map((p) => {
    const row = byPeriod.get(p.period)
    const same = row !== undefined && row.first === p.first && row.last === p.last && row.other !== null
    return { ...p, compared: same ? row.other : null, change: same ? p.price - row.other! : null }
  })
}

/** The done builds of one as-of date the viewer sees, newest version first. */
function doneBuildsOf(db: Database, curve: CurveRow, viewer: CurveViewer, asOf: string): Promise<BuildRow[]> {
  return db
    .select()
    .from(curveBuilds)
    .where(and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.asOf, asOf), eq(curveBuilds.status, 'done')))
    .orderBy(desc(curveBuilds.version))
}

/**
 * The versions of an as-of date the viewer can pick, newest first: its organization's done builds
 * of that date when it has any, else the house's. Versions are numbered per owner, and that owner's
 * build is the one the date shows (docs/decisions/010), so a version picked is the version shown.
 */
export async function fuelCurveVersions(db: Database, curve: CurveRow, viewer: CurveViewer, asOf: string): Promise<number[]> {
  const builds = await doneBuildsOf(db, curve, viewer, asOf)
  const own = builds.filter((b) => b.organizationId === viewer.organizationId)
  return (own.length > 0 ? own : builds.filter((b) => b.organizationId === null)).map((b) => b.version)
}

/** The builds of the same owner and as-of date as `build`. */
function sameOwnerAndDate(build: BuildRow) {
  return and(
    eq(curveBuilds.curveId, build.curveId),
    eq(curveBuilds.asOf, build.asOf),
    build.organizationId ? eq(curveBuilds.organizationId, build.organizationId) : isNull(curveBuilds.organizationId),
    eq(curveBuilds.status, 'done'),
  )
}

/** The compared build when `against` is the shown build's own date and no version is named: its newest other done version. */
async function otherVersionOf(db: Database, curve: CurveRow, base: BuildRow): Promise<BuildRow> {
  const [row] = await db
    .select()
    .from(curveBuilds)
    .where(and(sameOwnerAndDate(base), ne(curveBuilds.version, base.version)))
    .orderBy(desc(curveBuilds.version))
    .limit(1)
  if (!row) throw AppError.notFound(`Another version of the ${curve.name} curve as of ${base.asOf} to compare with (there is only version ${base.version})`)
  return row
}

/** The latest as-of date with a done build before `asOf`; NOT_FOUND when there is none to compare with. */
async function previousAsOf(db: Database, curve: CurveRow, viewer: CurveViewer, asOf: string): Promise<string> {
  const [earlier] = await db
    .selectDistinct({ asOf: curveBuilds.asOf })
    .from(curveBuilds)
    .where(and(eq(curveBuilds.curveId, curve.id), visibleTo(viewer), eq(curveBuilds.status, 'done'), lt(curveBuilds.asOf, asOf)))
    .orderBy(desc(curveBuilds.asOf))
    .limit(1)
  if (!earlier) throw AppError.notFound(`A ${curve.name} curve built before ${asOf} to compare with`)
  return earlier.asOf
}

/** The build `against`/`againstVersion` name, relative to the shown one (FuelCompareInput). */
async function comparedBuild(db: Database, curve: CurveRow, viewer: CurveViewer, base: BuildRow, input: Pick<FuelCompareInput, 'against' | 'againstVersion'>): Promise<BuildRow> {
  if (input.againstVersion !== undefined && !input.against) throw AppError.badRequest('againstVersion needs against: versions are numbered per as-of date')
  if (input.against === base.asOf && input.againstVersion === undefined) return otherVersionOf(db, curve, base)
  return resolveFuelBuild(db, curve, viewer, input.against ?? (await previousAsOf(db, curve, viewer, base.asOf)), input.againstVersion)
}

/**
 * Two builds of a fuel curve the viewer sees, per period with the change (base minus other). Both
 * are viewed from the later as-of month, so their periods line up (as compareCurves for power).
 */
export async function compareFuelCurves(deps: Deps, input: FuelCompareInput, viewer: CurveViewer): Promise<FuelCompareOutput> {
  const curve = await findFuelCurve(deps.db, input.product, input.curve)
  const base = await resolveFuelBuild(deps.db, curve, viewer, input.asOf, input.version)
  const other = await comparedBuild(deps.db, curve, viewer, base, input)
  const granularity = input.granularity ?? 'standard'
  const points = await readFuelCurvePoints(deps.ch, curve.id, [base.id, other.id])
  const from = base.asOf > other.asOf ? base.asOf : other.asOf
  const view = (build: BuildRow) => fuelCurveView(points.get(build.id) ?? [], granularity, from)
  const ref = { product: input.product, curve: curve.node }
  return { base: toFuelBuildSummary(base, ref), other: toFuelBuildSummary(other, ref), granularity, rows: fuelCompareRows(view(base), view(other)) }
}

/** One fuel curve page's data: the shown build, the dates and versions to pick from, and the comparison asked for. */
export type FuelCurveHistory = {
  curve: FuelGetOutput['curve']
  /** The shown build; null when the viewer sees no build yet and asked for no date (the page's empty state). */
  got: FuelGetOutput | null
  /** As-of dates with a build the viewer sees, newest first. */
  asOfDates: string[]
  /** The versions of the shown build's as-of date (fuelCurveVersions), newest first. */
  versions: number[]
  /** The comparison; null without `compare`, or when it names the shown build itself (or its date, which has no other version). */
  compare: FuelCompareOutput | null
  /** The versions of the compared build's as-of date, newest first ([] without a comparison). */
  compareVersions: number[]
  /** The shown view's periods with the compared price and change (null without a comparison). */
  rows: FuelPeriodRow[]
}

/**
 * The as-of/version view of a fuel curve with its "Compare with" (the /gas/curves and /lng/curves
 * pages and their CSV): the build FuelGetInput's asOf and version name (default the newest), and
 * with `compare` (and `compareVersion`) the comparison against that build. NOT_FOUND for an as-of
 * date, version or compared build the viewer does not see; a comparison naming the shown build, or
 * its date when that has no other version, is dropped (picking that date as of keeps the page).
 */
export async function fuelCurveHistory(deps: Deps, input: FuelHistoryInput, viewer: CurveViewer): Promise<FuelCurveHistory> {
  const curve = await findFuelCurve(deps.db, input.product, input.curve)
  const info = fuelCurveInfo(curve, input.product)
  const asOfDates = (await latestDoneBuilds(deps.db, curve.id, viewer)).map((b) => b.asOf)
  if (asOfDates.length === 0 && !input.asOf) return { curve: info, got: null, asOfDates, versions: [], compare: null, compareVersions: [], rows: [] }
  const granularity = input.granularity ?? 'standard'
  const got = await getFuelCurve(deps, { product: input.product, curve: curve.node, asOf: input.asOf, version: input.version, granularity }, viewer)
  const versions = await fuelCurveVersions(deps.db, curve, viewer, got.build.asOf)
  // The shown date compared with itself when it has no other version: nothing to compare (as the power page drops compare = asOf).
  const alone = input.compare === got.build.asOf && input.compareVersion === undefined && versions.length < 2
  const asked = input.compare && !alone
    ? await compareFuelCurves(
        deps,
        { product: input.product, curve: curve.node, asOf: got.build.asOf, version: got.build.version, against: input.compare, againstVersion: input.compareVersion, granularity },
        viewer,
      )
    : null
  const compare = asked && asked.other.id !== got.build.id ? asked : null
  const compareVersions = compare ? await fuelCurveVersions(deps.db, curve, viewer, compare.other.asOf) : []
  return { curve: info, got, asOfDates, versions, compare, compareVersions, rows: fuelPeriodRows(got.points, compare?.rows ?? null) }
}
