import { addMonths, monthHours, type MonthKey } from '@carbon/curves'
import { MARKETS, type MarketId } from '@carbon/schemas'
import { and, asc, eq } from 'drizzle-orm'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curves, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { latestDoneBuilds, readCurvePoints, type BuildRow, type CurveRow, type CurveViewer } from '../curves/index.ts'
import { priceHistory } from '../prices/index.ts'
import { mapeOf, monthStartUtc } from './metrics.ts'
import {
  BACKTEST_HORIZON_MONTHS,
  BacktestInput,
  MAPE_GATE_PERCENT,
  type BacktestBlock,
  type BacktestOutput,
  type BacktestRow,
} from './schemas.ts'

/**
 * The backtest of the forward curves: for every curve of a market and every as-of date D, the
 * curve the reader sees as of D (per as-of date its organization's latest done build, else the
 * house's: the curves' one visibility rule) for the months 1..6 after D's month, against the
 * realized average of the stored day-ahead LMPs at the curve's hub node over the same month and
 * block. On-peak and off-peak are split by the prices service's own rule (packages/schemas
 * isOnPeak, evaluated in ClickHouse by priceHistory), over the month in the market's prevailing
 * peak time zone (the hours the curve's months have, packages/curves monthHours).
 *
 * Completeness: a month counts when the day-ahead hours stored for the hub are at least the hours
 * the month has (day-ahead prices are hourly); a month with fewer (not over yet, or a gap in the
 * store) is kept in the rows flagged `complete: false` and left out of every MAPE. A month that has
 * not begun is not queried.
 */

type Realized = { onpeak: number | null; offpeak: number | null; samples: number; hours: number; complete: boolean }

/** The realized day-ahead averages of a hub over one month, with how much of it is stored. */
async function realizedMonth(ch: ClickHouseHandle, market: MarketId, node: string, month: MonthKey, now: Date): Promise<Realized> {
  const hours = monthHours(market, month).atc
  const timeZone = MARKETS[market].peakTimeZone
  const from = monthStartUtc(month, timeZone)
  if (from.getTime() > now.getTime()) return { onpeak: null, offpeak: null, samples: 0, hours, complete: false }
  const to = monthStartUtc(addMonths(month, 1), timeZone)
  const history = await priceHistory(ch, { market, node, run: 'DA', from: from.toISOString(), to: to.toISOString(), resolution: 'daily' })
  const { count, onPeak, offPeak } = history.summary
  return { onpeak: onPeak, offpeak: offPeak, samples: count, hours, complete: count >= hours }
}

/** |forecast - realized| / |realized| in percent, or null when it cannot count. */
function ape(forecast: number, realized: Realized, block: BacktestBlock): number | null {
  const value = realized[block]
  if (!realized.complete || value === null || value === 0) return null
  return (Math.abs(forecast - value) / Math.abs(value)) * 100
}

async function curvesOf(db: Database, market: MarketId, node: string | undefined): Promise<CurveRow[]> {
  const rows = await db
    .select()
    .from(curves)
    .where(and(eq(curves.market, market), node ? eq(curves.node, node) : undefined))
    .orderBy(asc(curves.name))
  if (node && rows.length === 0) throw AppError.notFound(`Forward curve for ${node} in ${market}`, { market, node })
  return rows
}

/** The rows of one build: months 1..6 after its as-of month, both blocks. */
function buildRows(
  curve: CurveRow,
  build: BuildRow,
  points: Map<string, { onpeak: number; offpeak: number }>,
  realized: (month: MonthKey) => Realized,
): BacktestRow[] {
  const rows: BacktestRow[] = []
  for (let horizon = 1; horizon <= BACKTEST_HORIZON_MONTHS; horizon++) {
    const month = addMonths(build.asOf.slice(0, 7), horizon)
    const point = points.get(month)
    if (!point) continue
    const actual = realized(month)
    for (const block of ['onpeak', 'offpeak'] as const) {
      rows.push({
        node: curve.node,
        asOf: build.asOf,
        buildId: build.id,
        version: build.version,
        month,
        horizon,
        block,
        forecast: point[block],
        realized: actual[block],
        hours: actual.hours,
        samples: actual.samples,
        complete: actual.complete,
        ape: ape(point[block], actual, block),
      })
    }
  }
  return rows
}

/**
 * The backtest of a market's curves (or one hub's) as the viewer sees them, for as-of dates in
 * [from, to]: every (curve, as-of, month 1..6, block) row with forecast, realized and error, and
 * the MAPE per hub (per block and both), per hub and as-of date, and over the market.
 */
export async function runBacktest(
  deps: { db: Database; ch: ClickHouseHandle },
  raw: BacktestInput,
  viewer: CurveViewer,
  now: Date = new Date(),
): Promise<BacktestOutput> {
  const parsed = BacktestInput.safeParse(raw)
  if (!parsed.success) throw AppError.badRequest(`invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const input = parsed.data
  const rows: BacktestRow[] = []
  const hubs: BacktestOutput['hubs'] = []
  const asOfs: BacktestOutput['asOfs'] = []
  for (const curve of await curvesOf(deps.db, input.market, input.node)) {
    const builds = (await latestDoneBuilds(deps.db, curve.id, viewer, { from: input.from, to: input.to })).reverse()
    if (builds.length === 0) continue
    const points = await readCurvePoints(
      deps.ch,
      curve.id,
      builds.map((b) => b.id),
    )
    const months = new Set(builds.flatMap((b) => Array.from({ length: BACKTEST_HORIZON_MONTHS }, (_, i) => addMonths(b.asOf.slice(0, 7), i + 1))))
    const realized = new Map<MonthKey, Realized>()
    for (const month of [...months].sort()) realized.set(month, await realizedMonth(deps.ch, input.market, curve.node, month, now))
    const curveRows: BacktestRow[] = []
    for (const build of builds) {
      const byMonth = new Map((points.get(build.id) ?? []).map((p) => [p.month, p]))
      const own = buildRows(curve, build, byMonth, (month) => realized.get(month)!)
      asOfs.push({ node: curve.node, asOf: build.asOf, buildId: build.id, version: build.version, ...mapeOf(own) })
      curveRows.push(...own)
    }
    hubs.push({ node: curve.node, name: curve.name, block: null, ...mapeOf(curveRows) })
    for (const block of ['onpeak', 'offpeak'] as const) hubs.push({ node: curve.node, name: curve.name, block, ...mapeOf(curveRows.filter((r) => r.block === block)) })
    rows.push(...curveRows)
  }
  const completeMonths = rows.filter((r) => r.complete).map((r) => r.month)
  return {
    market: input.market,
    gatePercent: MAPE_GATE_PERCENT,
    horizonMonths: BACKTEST_HORIZON_MONTHS,
    realizedThrough: completeMonths.length > 0 ? completeMonths.reduce((a, b) => (a > b ? a : b)) : null,
    overall: mapeOf(rows),
    hubs,
    asOfs,
    rows,
  }
}

export * from './metrics.ts'
export * from './schemas.ts'
