/**
 * `npm run bench:health`: how the series data health (server/services/quality/series-health.ts)
 * reads each series' window from ClickHouse, against the query it replaced, on the same chDB.
 *
 * Data, generated in chDB (INSERT ... SELECT FROM numbers(): the values are generated, not real):
 *   GRID   EIA-930 region data of BENCH_HEALTH_BAS balancing authorities (default 24, real
 *          respondent codes, their market from the connectors' mapping) x 4 series (DEMAND,
 *          DEMAND_FORECAST, NET_GENERATION, INTERCHANGE), hourly, BENCH_HEALTH_YEARS years
 *          (default 8) up to 2026-11-30: the history inserted a year at a time and merged into
 *          one part (what background merges make of years of ingests), then the newest 14 days
 *          one insert a day (small parts), the last 2 days delivered again (a re-ingest: both
 *          sides have older versions to pass over); the last authority stopped a year before the others (a
 *          stale series: its window is its own, a year back).
 *   GAS    Henry Hub daily on weekdays over the same years; LNG JKM and TTF weekly.
 * Scope: every product beside power and the authorities' markets, as a viewer entitled to all.
 *
 * The two sides, alternated run by run after WARMUP runs each, REPEAT timed runs each
 * (BENCH_HEALTH_REPEAT, default 7), medians reported:
 *   old   OLD_SERIES_SQL, the query text before the bounded read (kept here verbatim as the
 *         peer): FINAL over every row of the scope, a window function over every series'
 *         whole history (newest, first, latest ingest), then the rows in each window kept.
 *   new   readSeriesWindows: the newest period per series from an in-order aggregation of the key
 *         columns (no FINAL), then each series' window only (primary-key ranges per group of
 *         series ending together), each period's newest version by argMax(ingested_at).
 * Both sides use today's SERIES_WINDOW_SPAN_MS, and their answers are compared row by row before
 * timing: the benchmark stops if they differ. Ratio: old median / new median (above 1 = new
 * faster). Progress to stderr, a table to stdout, the last stdout line is one JSON object. A
 * benchmark measures; it asserts nothing beyond the sanity of its own setup.
 */
import os from 'node:os'
import { EIA930_BALANCING_AUTHORITIES } from '../packages/connectors/src/series/eia930/balancing-authorities.ts'
import { queryRows, type ClickHouseHandle } from '../server/adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../server/adapters/clickhouse/testing.ts'
import { readSeriesWindows, type SeriesWindowRow } from '../server/services/quality/series-health.ts'
import { SERIES_WINDOW_SPAN_MS } from '../server/services/quality/series-periods.ts'

const YEARS = Math.max(1, Number(process.env.BENCH_HEALTH_YEARS ?? 8))
const BAS = Math.max(2, Number(process.env.BENCH_HEALTH_BAS ?? 24))
const REPEAT = Math.max(3, Number(process.env.BENCH_HEALTH_REPEAT ?? 7))
const WARMUP = 2
const HOURS_PER_YEAR = 8_760
const END = '2026-11-30 00:00:00'
/** The newest days arrive one insert a day (small parts beside the merged history), the last two twice. */
const DAILY_DELIVERIES = 14
const REDELIVERED_HOURS = 2 * 24

const round = (n: number, digits = 1) => Number(n.toFixed(digits))
const progress = (label: string) => process.stderr.write(`${label}\n`)
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** The query series-health.ts ran before the bounded read (git history: SERIES_SQL), verbatim. */
const OLD_SERIES_SQL = `
SELECT product, market, series, measure, frequency,
  any(unit) AS unit,
  argMax(source, start_ms) AS source,
  any(series_first_ms) AS first_ms,
  max(start_ms) AS last_ms,
  max(end_ms) AS last_end_ms,
  any(series_ingested_ms) AS ingested_ms,
  groupArray(start_ms) AS starts
FROM (
  SELECT product, market, series, measure, frequency, unit, source,
    toUnixTimestamp64Milli(period_start) AS start_ms,
    toUnixTimestamp64Milli(period_end) AS end_ms,
    max(start_ms) OVER w AS series_last_ms,
    min(start_ms) OVER w AS series_first_ms,
    max(toUnixTimestamp64Milli(ingested_at)) OVER w AS series_ingested_ms
  FROM series_values FINAL
  WHERE (product IN {products:Array(String)} AND market = '') OR (product = 'GRID' AND market IN {markets:Array(String)})
  WINDOW w AS (PARTITION BY product, market, series, measure, frequency)
)
WHERE start_ms >= series_last_ms - multiIf(frequency = 'hour', {hourSpan:Int64}, frequency = 'day', {daySpan:Int64}, frequency = 'week', {weekSpan:Int64}, {monthSpan:Int64})
GROUP BY product, market, series, measure, frequency
ORDER BY product, market, series, measure, indexOf(['hour', 'day', 'week', 'month'], frequency)`

const REGION_SERIES = [
  ['DEMAND', 'demand'],
  ['DEMAND_FORECAST', 'demand'],
  ['NET_GENERATION', 'net_generation'],
  ['INTERCHANGE', 'interchange'],
] as const

const COLUMNS = 'product, market, series, measure, frequency, period_start, period_end, value, unit, attributes, source, published_at, ingested_at, raw_key'

/** ClickHouse string literal of a constant of this script (respondent codes, markets, series names). */
const lit = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`

function respondents(): { code: string; market: string }[] {
  const all = Object.entries(EIA930_BALANCING_AUTHORITIES).map(([code, ba]) => ({ code, market: ba.market as string }))
  if (BAS > all.length) throw new Error(`BENCH_HEALTH_BAS=${BAS}: the connectors map ${all.length} balancing authorities`)
  return all.slice(0, BAS)
}

/**
 * One insert of hourly region data: every respondent and series, hours [fromHour, toHour) counted
 * from the first hour of the span, ingested at `ingestedAt`. `stopHour` ends the last respondent early.
 */
async function insertHours(ch: ClickHouseHandle, bas: readonly { code: string; market: string }[], fromHour: number, toHour: number, stopHour: number, ingestedAt: string) {
  const codes = `[${bas.map((b) => lit(b.code)).join(', ')}]`
  const markets = `[${bas.map((b) => lit(b.market)).join(', ')}]`
  const names = `[${REGION_SERIES.map(([s]) => lit(s)).join(', ')}]`
  const measures = `[${REGION_SERIES.map(([, m]) => lit(m)).join(', ')}]`
  const perHour = bas.length * REGION_SERIES.length
  const first = `toDateTime64('${END}', 3, 'UTC') - toIntervalHour(${YEARS * HOURS_PER_YEAR})`
  await ch.client.command({
    query: `
INSERT INTO series_values (${COLUMNS})
SELECT 'GRID', ${markets}[ba + 1], concat(${codes}[ba + 1], '.', ${names}[s + 1]), ${measures}[s + 1], 'hour',
  ${first} + toIntervalHour(h), ${first} + toIntervalHour(h + 1),
  round(20000 + 5000 * sin(h / 24) + ba * 100 + s, 1), 'MWh', map('respondent', ${codes}[ba + 1]), 'eia.930.region_data', NULL,
  toDateTime64('${ingestedAt}', 3, 'UTC'), 'bench/eia930'
FROM (SELECT number % ${bas.length} AS ba, intDiv(number, ${bas.length}) % ${REGION_SERIES.length} AS s, ${fromHour} + intDiv(number, ${perHour}) AS h
      FROM numbers(${(toHour - fromHour) * perHour}))
WHERE NOT (ba = ${bas.length - 1} AND h >= ${stopHour})`,
  })
}

async function insertGasAndLng(ch: ClickHouseHandle) {
  const days = YEARS * 365
  await ch.client.command({
    query: `
INSERT INTO series_values (${COLUMNS})
SELECT 'GAS', '', 'HENRY_HUB', 'price', 'day', d, d + toIntervalDay(1), round(3 + sin(n / 30), 3), '$/MMBtu', map(), 'eia.ng.hh_spot_daily', NULL, now64(3), 'bench/hh'
FROM (SELECT number AS n, toDateTime64('${END}', 3, 'UTC') - toIntervalDay(${days} - number) AS d FROM numbers(${days}))
WHERE toDayOfWeek(d) <= 5`,
  })
  const weeks = YEARS * 52
  await ch.client.command({
    query: `
INSERT INTO series_values (${COLUMNS})
SELECT 'LNG', '', arrayJoin(['JKM', 'TTF']), 'price', 'week', w, w + toIntervalDay(7), round(11 + sin(n / 8), 3), '$/MMBtu', map(), 'eia.ng.wngsr_lng_prices', NULL, now64(3), 'bench/lng'
FROM (SELECT number AS n, toDateTime64('2026-11-19 00:00:00', 3, 'UTC') - toIntervalWeek(${weeks} - 1 - number) AS w FROM numbers(${weeks}))`,
  })
}

type Scope = { products: string[]; markets: string[] }

async function oldSide(ch: ClickHouseHandle, scope: Scope): Promise<SeriesWindowRow[]> {
  return queryRows<SeriesWindowRow>(ch, 'bench.old', OLD_SERIES_SQL, {
    ...scope,
    hourSpan: SERIES_WINDOW_SPAN_MS.hour,
    daySpan: SERIES_WINDOW_SPAN_MS.day,
    weekSpan: SERIES_WINDOW_SPAN_MS.week,
    monthSpan: SERIES_WINDOW_SPAN_MS.month,
  })
}

const newSide = (ch: ClickHouseHandle, scope: Scope) => readSeriesWindows(ch, scope.products, scope.markets)

/** One comparable line per series: every field as a number or string, the starts sorted. */
function canonical(rows: readonly SeriesWindowRow[]): string[] {
  return rows.map((r) =>
    JSON.stringify([r.product, r.market, r.series, r.measure, r.frequency, r.unit, r.source, Number(r.first_ms), Number(r.last_ms), Number(r.last_end_ms), Number(r.ingested_ms), r.starts.map(Number).sort((a, b) => a - b)]),
  )
}

function assertSame(oldRows: readonly SeriesWindowRow[], newRows: readonly SeriesWindowRow[]) {
  const a = canonical(oldRows)
  const b = canonical(newRows)
  if (a.length !== b.length) throw new Error(`the old query gives ${a.length} series, the new read ${b.length}: they do not answer the same`)
  a.forEach((line, i) => {
    if (line !== b[i]) throw new Error(`series ${i} differs:\n old ${line.slice(0, 300)}\n new ${b[i]!.slice(0, 300)}`)
  })
}

async function timed<T>(run: () => Promise<T>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

async function main() {
  const started = performance.now()
  const ch = await openScratchClickHouse()
  try {
    const bas = respondents()
    const total = YEARS * HOURS_PER_YEAR
    const stopHour = total - HOURS_PER_YEAR
    const history = total - DAILY_DELIVERIES * 24
    for (let y = 0; y * HOURS_PER_YEAR < history; y++) {
      progress(`inserting year ${y + 1} of ${YEARS}: ${bas.length} balancing authorities x ${REGION_SERIES.length} series, hourly`)
      await insertHours(ch, bas, y * HOURS_PER_YEAR, Math.min(history, (y + 1) * HOURS_PER_YEAR), stopHour, '2026-11-16 06:00:00')
    }
    progress('merging the history into one part (what background merges leave of years of ingests)')
    await ch.client.command({ query: 'OPTIMIZE TABLE series_values FINAL' })
    progress(`the newest ${DAILY_DELIVERIES} days as daily deliveries, the last ${REDELIVERED_HOURS} hours delivered again`)
    for (let d = 0; d < DAILY_DELIVERIES; d++) await insertHours(ch, bas, history + d * 24, history + (d + 1) * 24, stopHour, '2026-11-30 06:00:00')
    await insertHours(ch, bas, total - REDELIVERED_HOURS, total, stopHour, '2026-11-30 07:00:00')
    await insertGasAndLng(ch)
    const [stats] = await queryRows<{ rows: number | string; parts: number | string }>(
      ch,
      'bench.stats',
      "SELECT (SELECT count() FROM series_values) AS rows, (SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'series_values' AND active) AS parts",
    )
    const scope: Scope = { products: ['GAS', 'LNG', 'LCFS', 'REC'], markets: [...new Set(bas.map((b) => b.market))] }

    const oldRows = await oldSide(ch, scope)
    const newRows = await newSide(ch, scope)
    assertSame(oldRows, newRows)
    const stale = newRows.find((r) => r.series.startsWith(`${bas.at(-1)!.code}.`))!
    progress(`same answer from both: ${newRows.length} series, ${newRows.reduce((n, r) => n + r.starts.length, 0)} window periods; stale ${stale.series} ends ${new Date(Number(stale.last_ms)).toISOString()}`)

    const runs = { old: [] as number[], new: [] as number[] }
    for (let i = 0; i < WARMUP + REPEAT; i++) {
      progress(`run ${i + 1} of ${WARMUP + REPEAT}${i < WARMUP ? ' (warm-up)' : ''}`)
      const o = await timed(() => oldSide(ch, scope))
      const n = await timed(() => newSide(ch, scope))
      if (i >= WARMUP) {
        runs.old.push(round(o))
        runs.new.push(round(n))
      }
    }
    const oldMs = round(median(runs.old))
    const newMs = round(median(runs.new))
    process.stdout.write(`\nseries health window read (median of ${REPEAT} runs, ms; ratio old / new, above 1 = new faster)\n`)
    process.stdout.write(` rows ${Number(stats!.rows)} in ${Number(stats!.parts)} parts, ${newRows.length} series\n old ${oldMs} ms  new ${newMs} ms  ratio ${round(oldMs / newMs, 2)}\n`)
    const result = {
      bench: 'health',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      data: { years: YEARS, balancingAuthorities: bas.length, seriesPerAuthority: REGION_SERIES.length, rows: Number(stats!.rows), parts: Number(stats!.parts), series: newRows.length },
      old: { does: 'OLD_SERIES_SQL: FINAL over every row of the scope, a window function over each series\' whole history, then the rows in each window kept', medianMs: oldMs, runsMs: runs.old },
      new: { does: "readSeriesWindows: newest period per series by an in-order aggregation of the key columns (no FINAL), then only each series' window (primary-key ranges), each period's newest version by argMax(ingested_at)", medianMs: newMs, runsMs: runs.new },
      oldOverNew: round(oldMs / newMs, 2),
      sameAnswer: true,
      repeat: REPEAT,
      warmup: WARMUP,
      totalSec: round((performance.now() - started) / 1000),
    }
    process.stdout.write(`\n${JSON.stringify(result)}\n`)
  } finally {
    await ch.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
