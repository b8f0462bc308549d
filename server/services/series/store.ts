import type { ProductId, SeriesRecord } from '@carbon/schemas'
import { encodeCompactRows, logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'

/** The columns of migrations/clickhouse/0007_series_values.sql, in insert order. */
const COLUMNS = [
  'product',
  'market',
  'series',
  'measure',
  'frequency',
  'period_start',
  'period_end',
  'value',
  'unit',
  'attributes',
  'source',
  'published_at',
  'ingested_at',
  'raw_key',
] as const

/** ISO UTC as ClickHouse's DateTime64(3, 'UTC') text: `2024-01-01 00:00:00.000`. */
function clickHouseTime(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '')
}

/**
 * Writes series records (one insert). A period written again replaces the earlier row once merged
 * (ReplacingMergeTree by ingested_at); readers use FINAL.
 */
export async function insertSeriesValues(
  ch: ClickHouseHandle,
  records: readonly SeriesRecord[],
  arrival: { ingestedAt: string; rawKey: string },
): Promise<void> {
  if (records.length === 0) return
  const ingestedAt = clickHouseTime(arrival.ingestedAt)
  const body = await encodeCompactRows(records, (r) => [
    r.product,
    r.market ?? '',
    r.series,
    r.measure,
    r.frequency,
    clickHouseTime(r.periodStart),
    clickHouseTime(r.periodEnd),
    r.value,
    r.unit,
    r.attributes,
    r.source,
    r.publishedAt === null ? null : clickHouseTime(r.publishedAt),
    ingestedAt,
    arrival.rawKey,
  ])
  const started = performance.now()
  await ch.insertEncoded('series_values', COLUMNS, body)
  logIfSlow(ch, 'series.insert', started, { rows: records.length })
}

/** Which series to read: a product's, and for GRID the market the balancing authorities map to. */
export type SeriesScope = { product: ProductId; market: string | null }

export type CatalogueRow = {
  product: ProductId
  market: string | null
  series: string
  measure: string
  frequency: string
  unit: string
  attributes: Record<string, string>
  count: number
  first: string
  last: string
  lastValue: number
}

type RawCatalogueRow = Omit<CatalogueRow, 'count' | 'lastValue' | 'market'> & { market: string; count: number | string; lastValue: number | string }

const CATALOGUE_SQL = `
SELECT product, market, series, measure, frequency, any(unit) AS unit,
       argMax(attributes, period_start) AS attributes, count() AS count,
       formatDateTime(min(period_start), '%Y-%m-%dT%H:%i:%S.000Z') AS first,
       formatDateTime(max(period_start), '%Y-%m-%dT%H:%i:%S.000Z') AS last,
       argMax(value, period_start) AS lastValue
FROM series_values FINAL
WHERE product = {product:String} AND market = {market:String}
GROUP BY product, market, series, measure, frequency
ORDER BY series, measure, indexOf(['hour', 'day', 'week', 'month'], frequency)`

/** Every series of a scope with its span, size and latest value, by series id, measure, then frequency (finest first). */
export async function seriesCatalogue(ch: ClickHouseHandle, scope: SeriesScope): Promise<CatalogueRow[]> {
  const rows = await queryRows<RawCatalogueRow>(ch, 'series.catalogue', CATALOGUE_SQL, { product: scope.product, market: scope.market ?? '' })
  return rows.map((row) => ({ ...row, market: row.market === '' ? null : row.market, count: Number(row.count), lastValue: Number(row.lastValue) }))
}

export type SeriesPoint = { periodStart: string; periodEnd: string; value: number; attributes: Record<string, string>; source: string; publishedAt: string | null }

/** One series' values with period starts in [from, to), oldest first, at most `limit`. */
export async function seriesHistory(
  ch: ClickHouseHandle,
  query: SeriesScope & { series: string; measure: string; frequency: string; from: string; to: string; limit: number },
): Promise<SeriesPoint[]> {
  const records = await seriesRecords(ch, query)
  return records.map(({ periodStart, periodEnd, value, attributes, source, publishedAt }) => ({ periodStart, periodEnd, value, attributes, source, publishedAt }))
}

const MANY_SQL = `
SELECT series, formatDateTime(period_start, '%Y-%m-%dT%H:%i:%S.000Z') AS periodStart, value
FROM series_values FINAL
WHERE product = {product:String} AND market = {market:String} AND series IN {series:Array(String)} AND measure = {measure:String}
  AND frequency = {frequency:String} AND period_start >= {from:DateTime64(3, 'UTC')} AND period_start < {to:DateTime64(3, 'UTC')}
ORDER BY series, period_start
LIMIT {limit:UInt32}`

/**
 * One measure of several series of a scope with period starts in [from, to), by series then
 * period, at most `limit` values in all: one query where a page needs a few values of many series
 * (the market page's month-on-month capacity change).
 */
export async function seriesValuesOfMany(
  ch: ClickHouseHandle,
  query: SeriesScope & { series: readonly string[]; measure: string; frequency: string; from: string; to: string; limit: number },
): Promise<{ series: string; periodStart: string; value: number }[]> {
  if (query.series.length === 0) return []
  const rows = await queryRows<{ series: string; periodStart: string; value: number | string }>(ch, 'series.many', MANY_SQL, {
    product: query.product,
    market: query.market ?? '',
    series: [...query.series],
    measure: query.measure,
    frequency: query.frequency,
    from: clickHouseTime(query.from),
    to: clickHouseTime(query.to),
    limit: query.limit,
  })
  return rows.map((row) => ({ ...row, value: Number(row.value) }))
}

const RECORDS_SQL = `
SELECT product, market, series, measure, frequency,
       formatDateTime(period_start, '%Y-%m-%dT%H:%i:%S.000Z') AS periodStart,
       formatDateTime(period_end, '%Y-%m-%dT%H:%i:%S.000Z') AS periodEnd,
       value, unit, attributes, source,
       if(isNull(published_at), NULL, formatDateTime(assumeNotNull(published_at), '%Y-%m-%dT%H:%i:%S.000Z')) AS publishedAt
FROM series_values FINAL
WHERE product = {product:String} AND market = {market:String} AND series = {series:String} AND measure = {measure:String}
  AND frequency = {frequency:String} AND period_start >= {from:DateTime64(3, 'UTC')} AND period_start < {to:DateTime64(3, 'UTC')}
ORDER BY period_start
LIMIT {limit:UInt32}`

/** One series' stored values as canonical records (what the basis arithmetic of packages/connectors takes), oldest first. */
export async function seriesRecords(
  ch: ClickHouseHandle,
  query: SeriesScope & { series: string; measure: string; frequency: string; from: string; to: string; limit: number },
): Promise<SeriesRecord[]> {
  const rows = await queryRows<Omit<SeriesRecord, 'market' | 'value'> & { market: string; value: number | string }>(ch, 'series.records', RECORDS_SQL, {
    product: query.product,
    market: query.market ?? '',
    series: query.series,
    measure: query.measure,
    frequency: query.frequency,
    from: clickHouseTime(query.from),
    to: clickHouseTime(query.to),
    limit: query.limit,
  })
  return rows.map((row) => ({ ...row, market: row.market === '' ? null : (row.market as SeriesRecord['market']), value: Number(row.value) }))
}
