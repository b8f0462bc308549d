import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { SeriesCatalogueOutput, SeriesHistoryInput, SeriesHistoryOutput, SeriesScopeInput } from './schemas.ts'
import { seriesCatalogue, seriesHistory } from './store.ts'

/**
 * Series beside power prices (gas, LNG, LCFS, RECs, fundamentals): what is stored and its values.
 * Callers (procedures, loaders) have passed the access gate for the scope's data key.
 */

/** Most values one history answer carries (a decade of hourly EIA-930 values is 87,600). */
export const MAX_SERIES_VALUES = 100_000

/** The series of a product (or of a market's fundamentals) with their span and latest value. */
export async function listSeries(ch: ClickHouseHandle, input: SeriesScopeInput): Promise<SeriesCatalogueOutput> {
  const scope = SeriesScopeInput.parse(input)
  const rows = await seriesCatalogue(ch, { product: scope.product, market: scope.market ?? null })
  return SeriesCatalogueOutput.parse({
    product: scope.product,
    market: scope.market ?? null,
    series: rows.map(({ product: _p, market: _m, ...summary }) => summary),
  })
}

/** One series' values in [from, to), oldest first. */
export async function getSeriesHistory(ch: ClickHouseHandle, input: SeriesHistoryInput): Promise<SeriesHistoryOutput> {
  const query = SeriesHistoryInput.parse(input)
  const market = query.market ?? null
  // The catalogue lists a series' frequencies finest first: the asked one, else the finest.
  const [summary] = (await seriesCatalogue(ch, { product: query.product, market })).filter(
    (s) => s.series === query.series && s.measure === query.measure && (query.frequency === undefined || s.frequency === query.frequency),
  )
  const frequency = query.frequency ?? summary?.frequency
  const values = frequency === undefined ? [] : await seriesHistory(ch, { ...query, market, frequency, limit: MAX_SERIES_VALUES + 1 })
  const truncated = values.length > MAX_SERIES_VALUES
  return SeriesHistoryOutput.parse({
    product: query.product,
    market,
    series: query.series,
    measure: query.measure,
    unit: summary?.unit ?? null,
    frequency: frequency ?? null,
    values: truncated ? values.slice(0, MAX_SERIES_VALUES) : values,
    truncated,
  })
}
