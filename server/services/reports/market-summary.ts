import { MARKETS, type MarketId, type MarketRun } from '@carbon/schemas'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { listNodes } from '../nodes/index.ts'
import { latestPrices, priceHistories, priceSummaries, type HistorySummary } from '../prices/index.ts'
import type { HistoryPoint } from '../prices/schemas.ts'
import { completeness } from '../quality/index.ts'
import { addDays, dateIn, dayStartUtc } from '@carbon/schemas'
import { round, roundOrNull } from './format.ts'
import type { DatasetDayHealth, HubHours, MarketSummaryReport, NodeDay } from './schemas.ts'
import { parseParams } from './params.ts'
import { MarketSummaryParams } from './types.ts'

/** How many nodes the "top movers" table lists. */
export const TOP_MOVERS = 5
/** The real-time runs, in the order a market's RT averages are taken from (the first the market stores that day). */
const RT_PREFERENCE: readonly MarketRun[] = ['RT5', 'RT15', 'RTH']

type Deps = { db: Database; ch: ClickHouseHandle }
type Node = { name: string; type: 'hub' | 'zone' }

/**
 * A market's day (market clock; default the latest complete day of day-ahead prices): per hub and zone
 * the DA and RT averages, the DA on/off-peak averages, the DA-RT spread and the change against
 * the day before; the largest movers; the hubs' hourly DA prices; the completeness of each
 * dataset that day. A day without prices gives a report with an empty-state message.
 */
export async function marketSummary(deps: Deps, params: MarketSummaryParams): Promise<MarketSummaryReport> {
  const { market, date: asked } = parseParams(MarketSummaryParams, params)
  const def = MARKETS[market]
  const nodes = (await listNodes(deps.db, { market, types: ['hub', 'zone'] })) as Node[]
  const generatedAt = new Date().toISOString()
  const latest = asked ?? (await latestDaDay(deps.ch, market, nodes))
  const date = latest ?? dateIn(new Date(), def.timeZone)
  const base = {
    kind: 'market-summary' as const,
    market,
    marketName: def.name,
    date,
    previousDate: addDays(date, -1),
    timeZone: def.timeZone,
    generatedAt,
  }
  if (nodes.length === 0 || latest === null) {
    return { ...base, rtRun: null, nodes: [], movers: [], chart: [], health: [], emptyMessage: `No day-ahead prices are stored for ${market} yet.` }
  }
  const dayStart = dayStartUtc(date, def.timeZone)
  const dayEnd = dayStartUtc(addDays(date, 1), def.timeZone)
  const previousStart = dayStartUtc(base.previousDate, def.timeZone)
  const range = { from: dayStart.toISOString(), to: dayEnd.toISOString() }
  const names = nodes.map((n) => n.name)
  const hubNames = nodes.filter((n) => n.type === 'hub').map((n) => n.name)

  // One query each, over all the nodes; the hubs' hourly prices are read for every hub and kept for those with a row.
  const [daToday, daPrevious, rt, hourly, health] = await Promise.all([
    priceSummaries(deps.ch, { market, run: 'DA', nodes: names, ...range }),
    priceSummaries(deps.ch, { market, run: 'DA', nodes: names, from: previousStart.toISOString(), to: range.from }),
    realTimeDay(deps.ch, market, nodes, range),
    hubNames.length > 0 ? priceHistories(deps.ch, { market, run: 'DA', nodes: hubNames, ...range, resolution: 'hourly' }) : new Map<string, never[]>(),
    dayHealth(deps.ch, market, dayStart, dayEnd),
  ])
  const rtRun = rt?.run ?? null
  const rows: NodeDay[] = []
  for (const n of nodes) {
    const da = daToday.get(n.name)!
    if (da.atc === null) continue
    const previous = daPrevious.get(n.name)!.atc
    const rtAverage = rt?.summaries.get(n.name)!.atc ?? null
    rows.push({
      node: n.name,
      type: n.type,
      da: round(da.atc),
      rt: roundOrNull(rtAverage),
      onPeak: roundOrNull(da.onPeak),
      offPeak: roundOrNull(da.offPeak),
      spread: rtAverage === null ? null : round(da.atc - rtAverage),
      previousDa: roundOrNull(previous),
      change: previous === null ? null : round(da.atc - previous),
    })
  }
  if (rows.length === 0) {
    return { ...base, rtRun, nodes: [], movers: [], chart: [], health, emptyMessage: `${market} has no day-ahead prices for ${date}.` }
  }
  const hubs = rows.filter((r) => r.type === 'hub').map((r) => r.node)
  return {
    ...base,
    rtRun,
    nodes: rows,
    movers: topMovers(rows),
    chart: hubs.map((hub) => hourlyDa(hub, hourly.get(hub) ?? [], dayStart)),
    health,
    emptyMessage: null,
  }
}

/**
 * The default day: the latest market-clock day that has ended and has complete day-ahead prices:
 * the day of the latest DA interval at any of the nodes, or the day before when that day's prices
 * stop before its end (a market still publishing, or the demo's history ending now), and never
 * today or later (their real-time prices are still arriving). Null without any DA price.
 */
async function latestDaDay(ch: ClickHouseHandle, market: MarketId, nodes: Node[]): Promise<string | null> {
  if (nodes.length === 0) return null
  const { prices } = await latestPrices(ch, { market, run: 'DA', nodes: nodes.map((n) => n.name) })
  if (prices.length === 0) return null
  const timeZone = MARKETS[market].timeZone
  const lastEnd = Math.max(...prices.map((p) => Date.parse(p.intervalEnd)))
  const day = dateIn(new Date(lastEnd - 1), timeZone)
  const complete = lastEnd < dayStartUtc(addDays(day, 1), timeZone).getTime() ? addDays(day, -1) : day
  // Today's day-ahead prices are complete before the day is: its real-time prices are not yet.
  const lastEnded = addDays(dateIn(new Date(), timeZone), -1)
  return complete < lastEnded ? complete : lastEnded
}

/**
 * The real-time run of the day: of the market's real-time runs (RT5, RT15, RTH), the one with
 * prices at the most of the nodes that day, the finer run on a tie; with every node's summary of
 * that run over the day. Each run is read once, over all the nodes. Null without RT prices.
 */
async function realTimeDay(
  ch: ClickHouseHandle,
  market: MarketId,
  nodes: Node[],
  range: { from: string; to: string },
): Promise<{ run: MarketRun; summaries: Map<string, HistorySummary> } | null> {
  const runs = RT_PREFERENCE.filter((r) => MARKETS[market].runs.includes(r))
  const names = nodes.map((n) => n.name)
  const read = await Promise.all(runs.map(async (run) => ({ run, summaries: await priceSummaries(ch, { market, run, nodes: names, ...range }) })))
  let best: { run: MarketRun; summaries: Map<string, HistorySummary>; covered: number } | null = null
  for (const { run, summaries } of read) {
    const covered = [...summaries.values()].filter((summary) => summary.atc !== null).length
    if (covered > 0 && (best === null || covered > best.covered)) best = { run, summaries, covered }
  }
  return best && { run: best.run, summaries: best.summaries }
}

/** The nodes whose DA average moved most against the day before (absolute change, then name). */
export function topMovers(rows: NodeDay[], count = TOP_MOVERS): NodeDay[] {
  return rows
    .filter((r) => r.change !== null)
    .sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!) || a.node.localeCompare(b.node))
    .slice(0, count)
}

/** A hub's hourly DA prices of the day (its hourly history points), by hour since the day's start. */
function hourlyDa(node: string, points: HistoryPoint[], dayStart: Date): HubHours {
  return {
    node,
    points: points.map((p) => ({ hour: (Date.parse(p.intervalStart) - dayStart.getTime()) / 3_600_000, lmp: round(p.lmp) })),
  }
}

/** Completeness of each of the market's datasets over the day (server/services/quality). */
async function dayHealth(ch: ClickHouseHandle, market: MarketId, dayStart: Date, dayEnd: Date): Promise<DatasetDayHealth[]> {
  const out = await completeness(ch, { markets: [market], now: dayEnd, window: dayEnd.getTime() - dayStart.getTime() })
  return out.datasets.map((d) => ({
    dataset: d.dataset,
    run: d.run,
    completeness: round(d.ratio * 100, 1),
    deliveredIntervals: d.deliveredIntervals,
    expectedIntervals: d.expectedIntervals,
    expectedNodes: d.expectedNodes,
  }))
}
