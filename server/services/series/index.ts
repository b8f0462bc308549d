import { basisSeries, REFERENCE_HUB, SeriesMismatchError, weeklyAverages } from '@carbon/connectors'
import type { SeriesRecord } from '@carbon/schemas'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { AppError } from '../../errors.ts'
import { SeriesBasisInput, SeriesBasisOutput, SeriesCatalogueOutput, SeriesHistoryInput, SeriesHistoryOutput, SeriesScopeInput } from './schemas.ts'
import { seriesCatalogue, seriesHistory, seriesRecords } from './store.ts'

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

const DAY_MS = 86_400_000
/** EIA's LNG bullets average weeks ending Wednesday (Thursday to Wednesday). */
const LNG_WEEK_ENDS = 'wednesday'

/**
 * Basis to Henry Hub: a gas hub's daily price minus Henry Hub's of the same day (GAS), or an LNG
 * benchmark's weekly price minus the average of Henry Hub's daily prices in the same week (LNG:
 * JKM - HH, TTF - HH). Exact decimals (packages/connectors series/basis.ts); periods only one side
 * has are listed as unmatched. Henry Hub is read as the reference of the basis, not served: the
 * caller is entitled to the basis's product.
 */
export async function getSeriesBasis(ch: ClickHouseHandle, input: SeriesBasisInput): Promise<SeriesBasisOutput> {
  const query = SeriesBasisInput.parse(input)
  const frequency = query.product === 'GAS' ? 'day' : 'week'
  const read = (product: 'GAS' | 'LNG', series: string, freq: 'day' | 'week', from: string) =>
    seriesRecords(ch, { product, market: null, series, measure: 'price', frequency: freq, from, to: query.to, limit: MAX_SERIES_VALUES })
  const leg = await read(query.product, query.series, frequency, query.from)
  // A week's average needs the days before its first period start that fall in it.
  const referenceFrom = query.product === 'GAS' ? query.from : new Date(Date.parse(query.from) - 7 * DAY_MS).toISOString()
  const daily = await read('GAS', REFERENCE_HUB, 'day', referenceFrom)
  const weeks = query.product === 'LNG' ? weeklyAverages(daily, LNG_WEEK_ENDS) : []
  const reference: SeriesRecord[] = query.product === 'GAS' ? daily : weeks.map((w) => w.record).filter((r) => r.periodStart >= query.from)
  const daysOf = new Map(weeks.map((w) => [w.record.periodStart, w.days]))
  try {
    const basis = basisSeries(leg, reference)
    const legAt = new Map(leg.map((r) => [r.periodStart, r.value]))
    const referenceAt = new Map(reference.map((r) => [r.periodStart, r.value]))
    return SeriesBasisOutput.parse({
      product: query.product,
      series: basis.records[0]?.series ?? `${query.series}_HH`,
      leg: query.series,
      reference: REFERENCE_HUB,
      unit: leg[0]?.unit ?? null,
      frequency,
      values: basis.records.map((r) => ({
        periodStart: r.periodStart,
        periodEnd: r.periodEnd,
        value: r.value,
        leg: legAt.get(r.periodStart),
        reference: referenceAt.get(r.periodStart),
        referenceDays: daysOf.get(r.periodStart) ?? null,
      })),
      unmatched: basis.unmatched.map(({ side, periodStart, periodEnd }) => ({ side, periodStart, periodEnd })),
    })
  } catch (error) {
    if (error instanceof SeriesMismatchError) throw AppError.badRequest(`${query.series}: ${error.message}`, { code: error.code, found: error.found })
    throw error
  }
}
