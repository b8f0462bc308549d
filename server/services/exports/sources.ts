import { entitlementKey, MARKETS, MarketId, RUN_INTERVAL_MINUTES, type DataKey, type MarketRun } from '@carbon/schemas'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { curveId, findCurve, latestDoneBuilds, readCurvePoints, type BuildRow } from '../curves/index.ts'
import { maxHistoryBuckets, toClickHouseTime } from '../prices/helpers.ts'
import { priceHistory } from '../prices/index.ts'
import { MAX_HISTORY_POINTS } from '../prices/schemas.ts'
import { readRunMix, readRunPrices, runOfCaller } from '../scenarios/index.ts'
import type { ExportRequest } from './schemas.ts'
import { col, type ExportColumn, type ExportRow } from './writers/index.ts'

/**
 * What each dataset exports: its columns, the markets it reads, how many rows it will have (the
 * estimate, from a count in ClickHouse before anything is read), its file name and its rows, a page
 * at a time. Prices are read through the prices service's own history query (priceHistory: the
 * same FINAL read, buckets and on/off-peak averages as the hub and the API), node by node and run
 * by run, in windows that fit one history call; curves through the curve service (per hub, the
 * viewer's own build of the as-of date, else the house one); scenario results through the scenario
 * service (a done run the caller sees).
 */

/** Who the export is for: curves and scenario runs are read as this organization sees them. */
export type ExportViewer = { organizationId: string; userId: string | null; label: string }

export type SourceDeps = { db: Database; ch: ClickHouseHandle }

export type ExportSource = {
  columns: ExportColumn[]
  /** Every market (or product) the export reads (entitlement is checked on each). */
  markets: DataKey[]
  /** The rows the file will have (prices raw: an upper bound until duplicates are merged). */
  countRows(): Promise<number>
  /** The rows, a page at a time, in file order. */
  pages(): AsyncGenerator<ExportRow[]>
  /** Average CSV bytes per row (for the size estimate). */
  csvBytesPerRow: number
}

// --- prices ------------------------------------------------------------------------------------

type PricesRequest = Extract<ExportRequest, { dataset: 'prices' }>

const RAW_PRICE_COLUMNS = [
  col('market', 'string'),
  col('node', 'string'),
  col('run', 'string'),
  col('interval_start', 'timestamp'),
  col('interval_end', 'timestamp'),
  col('lmp', 'double'),
  col('energy', 'double', true),
  col('congestion', 'double', true),
  col('loss', 'double', true),
]

/** Hourly and daily buckets: the averages, plus what the prices service computes per bucket. */
const AGGREGATE_PRICE_COLUMNS = [
  ...RAW_PRICE_COLUMNS,
  col('lmp_min', 'double'),
  col('lmp_max', 'double'),
  col('onpeak_lmp', 'double', true),
  col('offpeak_lmp', 'double', true),
  col('samples', 'int32'),
]

const HOUR_MS = 3_600_000

/** Windows of [from, to) that each fit one history call (at most MAX_HISTORY_POINTS buckets), cut on UTC hours. */
export function historyWindows(resolution: PricesRequest['resolution'], run: MarketRun, from: Date, to: Date, timeZone: string): [Date, Date][] {
  // Daily: 110,000 days is three centuries, so one window always does (cutting a local day would split its bucket).
  if (resolution === 'daily') return [[from, to]]
  const bucketMs = resolution === 'hourly' ? HOUR_MS : RUN_INTERVAL_MINUTES[run] * 60_000
  // 90 % of the limit, floored to whole hours: every cut is a bucket boundary of each resolution.
  const span = Math.max(HOUR_MS, Math.floor((bucketMs * MAX_HISTORY_POINTS * 0.9) / HOUR_MS) * HOUR_MS)
  const windows: [Date, Date][] = []
  let start = from.getTime()
  while (start < to.getTime()) {
    const end = Math.min(to.getTime(), (Math.floor(start / HOUR_MS) * HOUR_MS) + span)
    windows.push([new Date(start), new Date(end)])
    start = end
  }
  for (const [a, b] of windows) {
    if (maxHistoryBuckets(resolution, run, a, b, timeZone) > MAX_HISTORY_POINTS) throw new Error(`history window ${a.toISOString()}..${b.toISOString()} is too long`)
  }
  return windows
}

const PRICES_COUNT_SQL = {
  // Without FINAL: an upper bound (a re-ingested interval not yet merged counts twice), and cheap.
  raw: `SELECT count() AS n FROM prices
WHERE market = {market:String} AND node IN {nodes:Array(String)} AND run IN {runs:Array(String)}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}`,
  // Bucket keys do not change under deduplication: exact without FINAL.
  hourly: `SELECT uniqExact(node, run, toStartOfHour(interval_start)) AS n FROM prices
WHERE market = {market:String} AND node IN {nodes:Array(String)} AND run IN {runs:Array(String)}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}`,
  daily: `SELECT uniqExact(node, run, toDate(toTimeZone(interval_start, {tz:String}))) AS n FROM prices
WHERE market = {market:String} AND node IN {nodes:Array(String)} AND run IN {runs:Array(String)}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}`,
} as const

function average(values: readonly string[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + Buffer.byteLength(v), 0) / values.length
}

function pricesSource(deps: SourceDeps, request: PricesRequest): ExportSource {
  const { market, nodes, run: runs, resolution } = request
  const from = new Date(request.from)
  const to = new Date(request.to)
  const timeZone = MARKETS[market].timeZone
  const aggregate = resolution !== 'raw'
  const nodeOrder = [...nodes].sort()
  const runOrder = [...runs].sort()
  // market, node, run, two instants (20 chars), 4 numbers (~7), 8 commas, CRLF; 5 more numbers when aggregated.
  const csvBytesPerRow = market.length + average(nodes) + average(runs) + 40 + 28 + 10 + (aggregate ? 35 : 0)
  return {
    columns: aggregate ? AGGREGATE_PRICE_COLUMNS : RAW_PRICE_COLUMNS,
    markets: [market],
    csvBytesPerRow,
    async countRows() {
      const params = { market, nodes: nodeOrder, runs: runOrder, from: toClickHouseTime(from), to: toClickHouseTime(to), tz: timeZone }
      const [row] = await queryRows<{ n: number | string }>(deps.ch, `exports.count.prices.${resolution}`, PRICES_COUNT_SQL[resolution], params)
      return Number(row?.n ?? 0)
    },
    async *pages() {
      for (const node of nodeOrder) {
        for (const run of runOrder) {
          for (const [windowFrom, windowTo] of historyWindows(resolution, run, from, to, timeZone)) {
            const history = await priceHistory(deps.ch, { market, node, run, resolution, from: windowFrom.toISOString(), to: windowTo.toISOString() })
            if (history.points.length === 0) continue
            yield history.points.map((p): ExportRow => {
              const base = [market, node, run, Date.parse(p.intervalStart), Date.parse(p.intervalEnd), p.lmp, p.energy, p.congestion, p.loss]
              return aggregate ? [...base, p.min, p.max, p.onPeak, p.offPeak, p.samples] : base
            })
          }
        }
      }
    },
  }
}

// --- curves ------------------------------------------------------------------------------------

type CurvesRequest = Extract<ExportRequest, { dataset: 'curves' }>

const CURVE_COLUMNS = [
  col('market', 'string'),
  col('node', 'string'),
  col('as_of', 'date'),
  col('month', 'date'),
  col('onpeak', 'double'),
  col('offpeak', 'double'),
  col('atc', 'double'),
  col('hours', 'int32'),
]

const CURVE_COUNT_SQL = `SELECT uniqExact(curve_id, build_id, month) AS n FROM curve_points
WHERE curve_id IN {curveIds:Array(String)} AND build_id IN {buildIds:Array(UUID)}`

/** Per requested hub, the build the export reads: the viewer's own of the as-of date (or latest), else the house's. */
async function curveBuilds(db: Database, request: CurvesRequest, viewer: ExportViewer): Promise<{ node: string; curveId: string; build: BuildRow }[]> {
  const out: { node: string; curveId: string; build: BuildRow }[] = []
  for (const node of [...request.nodes].sort()) {
    const curve = await findCurve(db, request.market, node)
    const range = request.asOf ? { from: request.asOf, to: request.asOf } : {}
    const [build] = await latestDoneBuilds(db, curve.id, viewer, range)
    if (!build) {
      throw AppError.notFound(request.asOf ? `A built ${curve.name} curve as of ${request.asOf}` : `A built ${curve.name} curve`, { market: request.market, node })
    }
    out.push({ node, curveId: curveId(request.market, node), build })
  }
  return out
}

function curvesSource(deps: SourceDeps, request: CurvesRequest, viewer: ExportViewer): ExportSource {
  let resolved: Promise<{ node: string; curveId: string; build: BuildRow }[]> | undefined
  const builds = () => (resolved ??= curveBuilds(deps.db, request, viewer))
  return {
    columns: CURVE_COLUMNS,
    markets: [request.market],
    csvBytesPerRow: request.market.length + average(request.nodes) + 10 + 10 + 3 * 8 + 4 + 9,
    async countRows() {
      const found = await builds()
      const [row] = await queryRows<{ n: number | string }>(deps.ch, 'exports.count.curves', CURVE_COUNT_SQL, {
        curveIds: found.map((b) => b.curveId),
        buildIds: found.map((b) => b.build.id),
      })
      return Number(row?.n ?? 0)
    },
    async *pages() {
      for (const { node, curveId: id, build } of await builds()) {
        const points = (await readCurvePoints(deps.ch, id, [build.id])).get(build.id) ?? []
        if (points.length === 0) continue
        yield points.map((m): ExportRow => [request.market, node, build.asOf, `${m.month}-01`, m.onpeak, m.offpeak, m.atc, m.hours.atc])
      }
    },
  }
}

// --- scenario results --------------------------------------------------------------------------

type ScenarioRequest = Extract<ExportRequest, { dataset: 'scenario' }>

const SCENARIO_PRICE_COLUMNS = [
  col('run_id', 'string'),
  col('market', 'string'),
  col('hub', 'string'),
  col('month', 'date'),
  col('block', 'string'),
  col('price', 'double'),
  col('p10', 'double'),
  col('p50', 'double'),
  col('p90', 'double'),
]

/** Technologies (capacity, generation) and one `system` row per market and month (load, peak, reserve margin). */
const SCENARIO_MIX_COLUMNS = [
  col('run_id', 'string'),
  col('market', 'string'),
  col('technology', 'string'),
  col('month', 'date'),
  col('capacity_mw', 'double', true),
  col('generation_mwh', 'double', true),
  col('load_mwh', 'double', true),
  col('peak_mw', 'double', true),
  col('reserve_margin', 'double', true),
]

const RUN_MARKETS_SQL = `SELECT DISTINCT market FROM scenario_prices WHERE run_id = {runId:String}
UNION DISTINCT SELECT DISTINCT market FROM scenario_mix WHERE run_id = {runId:String}`

/** The stored run a scenario export reads (a done run the viewer sees) and the markets its results cover. */
export async function scenarioRunOf(deps: SourceDeps, runId: string, viewer: ExportViewer): Promise<{ runId: string; markets: MarketId[] }> {
  const { run } = await runOfCaller(deps.db, viewer, runId)
  if (run.status !== 'done') {
    throw new AppError('CONFLICT', `run ${run.runId} is ${run.status}: only a done run's results can be exported`, { details: { runId: run.runId, status: run.status } })
  }
  const rows = await queryRows<{ market: string }>(deps.ch, 'exports.scenario.markets', RUN_MARKETS_SQL, { runId: run.runId })
  const markets = rows.map((r) => MarketId.safeParse(r.market)).flatMap((m) => (m.success ? [m.data] : []))
  return { runId: run.runId, markets: [...new Set(markets)].sort() }
}

function scenarioSource(deps: SourceDeps, request: ScenarioRequest, runId: string, markets: MarketId[]): ExportSource {
  const mix = request.table === 'mix'
  let read: Promise<ExportRow[]> | undefined
  const rows = () =>
    (read ??= (async () => {
      if (!mix) {
        const prices = await readRunPrices(deps.ch, runId, markets)
        return prices.map((p): ExportRow => [runId, p.market, p.hub, `${p.month}-01`, p.block, p.price, p.p10, p.p50, p.p90])
      }
      const { mix: technologies, system } = await readRunMix(deps.ch, runId, markets)
      const out: ExportRow[] = [
        ...technologies.map((m): ExportRow => [runId, m.market, m.technology, `${m.month}-01`, m.capacityMw, m.generationMwh, null, null, null]),
        ...system.map((s): ExportRow => [runId, s.market, 'system', `${s.month}-01`, null, null, s.loadMwh, s.peakMw, s.reserveMargin]),
      ]
      return out.sort((a, b) => compareCells(a, b, [1, 2, 3]))
    })())
  return {
    columns: mix ? SCENARIO_MIX_COLUMNS : SCENARIO_PRICE_COLUMNS,
    markets,
    csvBytesPerRow: runId.length + 5 + 12 + 10 + 7 + 4 * 8 + 10,
    countRows: async () => (await rows()).length,
    async *pages() {
      const all = await rows()
      for (let i = 0; i < all.length; i += 10_000) yield all.slice(i, i + 10_000)
    },
  }
}

function compareCells(a: ExportRow, b: ExportRow, indexes: number[]): number {
  for (const i of indexes) {
    const x = String(a[i])
    const y = String(b[i])
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

// --- series beside power prices --------------------------------------------------------------------

type SeriesRequest = Extract<ExportRequest, { dataset: 'series' }>

const SERIES_COLUMNS = [
  col('product', 'string'),
  col('market', 'string', true),
  col('series', 'string'),
  col('measure', 'string'),
  col('frequency', 'string'),
  col('period_start', 'timestamp'),
  col('period_end', 'timestamp'),
  col('value', 'double'),
  col('unit', 'string'),
  col('source', 'string'),
]

const SERIES_WHERE = `product = {product:String} AND market = {market:String} AND series IN {series:Array(String)} AND measure = {measure:String}
  AND period_start >= {from:DateTime64(3, 'UTC')} AND period_start < {to:DateTime64(3, 'UTC')}`

const SERIES_COUNT_SQL = `SELECT count() AS n FROM series_values FINAL WHERE ${SERIES_WHERE}`

/** One page in file order (series, frequency, period start), keyset-paged after the last row of the page before. */
const SERIES_PAGE_SQL = `
SELECT product, market, series, measure, frequency,
       formatDateTime(period_start, '%Y-%m-%dT%H:%i:%S.000Z') AS periodStart,
       formatDateTime(period_end, '%Y-%m-%dT%H:%i:%S.000Z') AS periodEnd,
       value, unit, source
FROM series_values FINAL
WHERE ${SERIES_WHERE}
  AND (series, frequency, period_start) > ({afterSeries:String}, {afterFrequency:String}, {afterStart:DateTime64(3, 'UTC')})
ORDER BY series, frequency, period_start
LIMIT {limit:UInt32}`

type SeriesRow = { product: string; market: string; series: string; measure: string; frequency: string; periodStart: string; periodEnd: string; value: number | string; unit: string; source: string }

const SERIES_PAGE_ROWS = 10_000

/** Series values through the series table's FINAL read, each of the request's series at every frequency stored. */
function seriesSource(deps: SourceDeps, request: SeriesRequest): ExportSource {
  const key = entitlementKey({ product: request.product, market: request.market ?? null })
  const params = {
    product: request.product,
    market: request.market ?? '',
    series: request.series,
    measure: request.measure,
    from: toClickHouseTime(new Date(request.from)),
    to: toClickHouseTime(new Date(request.to)),
  }
  return {
    columns: SERIES_COLUMNS,
    markets: [key],
    csvBytesPerRow: 110,
    countRows: async () => {
      const [row] = await queryRows<{ n: number | string }>(deps.ch, 'exports.series.count', SERIES_COUNT_SQL, params)
      return Number(row?.n ?? 0)
    },
    async *pages() {
      let after = { afterSeries: '', afterFrequency: '', afterStart: '1970-01-01 00:00:00.000' }
      for (;;) {
        const rows = await queryRows<SeriesRow>(deps.ch, 'exports.series.page', SERIES_PAGE_SQL, { ...params, ...after, limit: SERIES_PAGE_ROWS })
        if (rows.length === 0) return
        // Timestamp columns take ms since the epoch (writers/columns.ts), as the prices source gives them.
        yield rows.map((r): ExportRow => [r.product, r.market === '' ? null : r.market, r.series, r.measure, r.frequency, Date.parse(r.periodStart), Date.parse(r.periodEnd), Number(r.value), r.unit, r.source])
        if (rows.length < SERIES_PAGE_ROWS) return
        const last = rows[rows.length - 1]!
        after = { afterSeries: last.series, afterFrequency: last.frequency, afterStart: toClickHouseTime(new Date(last.periodStart)) }
      }
    },
  }
}

// --- the one entry ------------------------------------------------------------------------------

/**
 * The source of a validated request. A scenario export's markets are `request.markets` when given
 * (a market the run does not cover is a 400), else the run's markets passed through
 * `scenarioMarkets` (the service keeps those the caller may download; the worker uses the markets
 * stored with the job).
 */
export async function openSource(
  deps: SourceDeps,
  request: ExportRequest,
  viewer: ExportViewer,
  options: { scenarioMarkets?: (runMarkets: MarketId[]) => Promise<MarketId[]> } = {},
): Promise<ExportSource> {
  switch (request.dataset) {
    case 'prices':
      return pricesSource(deps, request)
    case 'curves':
      return curvesSource(deps, request, viewer)
    case 'scenario': {
      const run = await scenarioRunOf(deps, request.runId, viewer)
      let markets: MarketId[]
      if (request.markets) {
        const missing = request.markets.filter((m) => !run.markets.includes(m))
        if (missing.length > 0) {
          throw AppError.badRequest(`markets: run ${run.runId} has no results for ${missing.join(', ')} (it covers ${run.markets.join(', ') || 'no market'})`, {
            field: 'markets',
            value: missing,
          })
        }
        markets = [...new Set(request.markets)].sort()
      } else {
        markets = options.scenarioMarkets ? await options.scenarioMarkets(run.markets) : run.markets
      }
      return scenarioSource(deps, request, run.runId, markets)
    }
    case 'series':
      return seriesSource(deps, request)
  }
}

// --- file names --------------------------------------------------------------------------------

const compactDate = (iso: string) => new Date(iso).toISOString().slice(0, 10).replace(/-/g, '')

/** The download's file name, e.g. `254carbon-MISO-prices-DA-20260101-20260201.csv`. */
export function exportFilename(request: ExportRequest, runId?: string): string {
  const ext = request.format
  switch (request.dataset) {
    case 'prices': {
      const resolution = request.resolution === 'raw' ? '' : `-${request.resolution}`
      return `254carbon-${request.market}-prices-${[...request.run].sort().join('-')}${resolution}-${compactDate(request.from)}-${compactDate(request.to)}.${ext}`
    }
    case 'curves':
      return `254carbon-${request.market}-curves-${request.asOf ? request.asOf.replace(/-/g, '') : 'latest'}.${ext}`
    case 'scenario':
      return `254carbon-scenario-${(runId ?? request.runId).slice(0, 12)}-${request.table}.${ext}`
    case 'series': {
      const what = request.series.length === 1 ? request.series[0]! : `${request.series.length}-series`
      const owner = request.market ? `${request.market}-${request.product}` : request.product
      return `254carbon-${owner}-${what}-${request.measure}-${compactDate(request.from)}-${compactDate(request.to)}.${ext}`
    }
  }
}
