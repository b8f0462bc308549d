import { GAS_HUBS, LCFS_CREDIT_SERIES, REFERENCE_HUB } from '@carbon/connectors'
import { addDays, ENTITLED_PRODUCTS, type EntitledProduct } from '@carbon/schemas'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import { getFuelCurve, listFuelCurves, type CurveViewer } from '../curves/index.ts'
import { getSeriesBasis, getSeriesHistory, listSeries } from '../series/index.ts'
import type { SeriesSummary } from '../series/schemas.ts'
import { HOUSE_CURVE_VIEWER } from './curve.ts'
import { round, roundOrNull } from './format.ts'
import {
  changeAgainst,
  dailyChanges,
  dayOf,
  defaultReportDate,
  endedBy,
  forwardTable,
  FUELS_CHART_DAYS,
  GAS_DECIMALS,
  lastDayOf,
  latest,
  OTHER_DECIMALS,
  periodLabel,
  type StoredValue,
} from './fuels-calc.ts'
import { parseParams } from './params.ts'
import type { FuelForward, FuelsReport, GasHubRow, HenryHubSummary, LcfsRow, LngRow, RecRow } from './schemas.ts'
import { FuelsReportParams } from './types.ts'

type Deps = { db: Database; ch: ClickHouseHandle }

/** Who reads the report: the organization (null: the house) and the products it holds on the channel. */
export type FuelsAccess = { organizationId: string | null; products: readonly EntitledProduct[] }

/** The LNG benchmarks the report lists (EIA's weekly JKM and TTF). */
export const LNG_SERIES = ['JKM', 'TTF'] as const
/**
 * How many days before a series' latest value on or before the date each section reads (the
 * latest value counts however old it is: a feed that stopped shows its last value with its date).
 */
const LOOKBACK = { daily: 120, hub: 31, lng: 70, lcfs: 400, rec: 31 }

type Catalogue = Map<EntitledProduct, SeriesSummary[]>

/**
 * Gas, LNG and environmental products as of a date: Henry Hub daily (latest, day/week/month
 * change) and monthly, every gas hub's latest price and basis to Henry Hub, JKM and TTF weekly with
 * their basis to the Henry Hub weekly average, the Henry Hub forward curve (the reader's
 * organization's latest build on or before the date, else the house's), LCFS credits (weekly, and
 * CARB's monthly transfers when stored), the latest quote of every REC series, and Henry Hub's
 * daily prices of the 90 days to its latest price on or before the date. Each section shows its
 * latest value on or before the date, however old, with its own date. Only the sections of `access.products` are read; the
 * others are listed as left out. Does NOT authorize: the routes decide the products first.
 */
export async function fuelsReport(deps: Deps, params: FuelsReportParams, access: FuelsAccess): Promise<FuelsReport> {
  const { date: asked } = parseParams(FuelsReportParams, params)
  const products = ENTITLED_PRODUCTS.filter((p) => access.products.includes(p))
  const leftOut = ENTITLED_PRODUCTS.filter((p) => !access.products.includes(p))
  const catalogue: Catalogue = new Map(await Promise.all(products.map(async (p) => [p, (await listSeries(deps.ch, { product: p })).series] as const)))
  const stored = [...catalogue.values()].flat()
  const has = (p: EntitledProduct) => catalogue.has(p)
  const viewer: CurveViewer = access.organizationId ? { organizationId: access.organizationId } : HOUSE_CURVE_VIEWER
  const curve = has('GAS') ? await henryHubCurve(deps.db, viewer) : null
  const today = new Date().toISOString().slice(0, 10)
  // A forward curve's as-of date is a day with data too (a build made after the latest series value).
  const date = asked ?? defaultReportDate(stored, today, curve?.asOfDates.slice(0, 1) ?? []) ?? today
  const [henryHub, hubs, forward, lng, lcfs, recs] = await Promise.all([
    has('GAS') ? henryHubSection(deps.ch, catalogue.get('GAS')!, date) : null,
    has('GAS') ? gasHubs(deps.ch, catalogue.get('GAS')!, date) : null,
    has('GAS') ? henryHubForward(deps, curve, date, viewer) : null,
    has('LNG') ? lngSection(deps.ch, catalogue.get('LNG')!, date) : null,
    has('LCFS') ? lcfsSection(deps.ch, catalogue.get('LCFS')!, date) : null,
    has('REC') ? recSection(deps.ch, catalogue.get('REC')!, date) : null,
  ])
  const shown = { henryHub: henryHub?.summary ?? null, hubs, forward: forward?.forward ?? null, lng, lcfs, recs }
  return {
    kind: 'fuels',
    date,
    generatedAt: new Date().toISOString(),
    products,
    leftOut,
    henryHub: henryHub?.summary ?? null,
    chart: henryHub?.chart ?? [],
    hubs,
    forward: forward?.forward ?? null,
    forwardMessage: forward ? forward.message : null,
    lng,
    lcfs,
    recs,
    emptyMessage: emptyMessage(products, stored.length, shown, date),
  }
}

/** Why the report shows nothing: no value stored of the products shown, or none on or before the date; null when a section has one. */
export function emptyMessage(
  products: readonly EntitledProduct[],
  stored: number,
  shown: Pick<FuelsReport, 'henryHub' | 'hubs' | 'forward' | 'lng' | 'lcfs' | 'recs'>,
  date: string,
): string | null {
  const some =
    shown.henryHub?.daily ||
    shown.henryHub?.monthly ||
    shown.forward ||
    [shown.hubs, shown.lng, shown.lcfs, shown.recs].some((rows) => rows !== null && rows.length > 0)
  if (some) return null
  const names = products.join(', ')
  return stored === 0 ? `No ${names} values are stored yet.` : `No ${names} value is stored on or before ${date}.`
}

type HistoryQuery = {
  product: EntitledProduct
  series: string
  measure?: 'price' | 'volume' | 'transfers'
  frequency: 'day' | 'week' | 'month'
  /** The report's date: values with period starts after it are not read. */
  date: string
  /** Days read before the series' latest period start on or before the date. */
  lookback: number
}

/**
 * One series' values of the `lookback` days to its latest period start on or before the date
 * (from the catalogue's span), oldest first, with its unit; none when the catalogue has no such
 * series.
 */
async function history(ch: ClickHouseHandle, catalogue: readonly SeriesSummary[], query: HistoryQuery): Promise<{ values: StoredValue[]; unit: string | null }> {
  const measure = query.measure ?? 'price'
  const summary = catalogue.find((s) => s.series === query.series && s.measure === measure && s.frequency === query.frequency)
  if (!summary) return { values: [], unit: null }
  const last = dayOf(summary.last)
  const anchor = last < query.date ? last : query.date
  const answer = await getSeriesHistory(ch, {
    product: query.product,
    series: query.series,
    measure,
    frequency: query.frequency,
    from: `${addDays(anchor, -query.lookback)}T00:00:00Z`,
    to: `${addDays(query.date, 1)}T00:00:00Z`,
  })
  return { values: answer.values, unit: answer.unit ?? summary.unit }
}

/** Henry Hub daily (latest and changes) and monthly, and the chart's 90 days to the latest daily price. */
async function henryHubSection(ch: ClickHouseHandle, catalogue: readonly SeriesSummary[], date: string): Promise<{ summary: HenryHubSummary; chart: FuelsReport['chart'] }> {
  const [daily, monthly] = await Promise.all([
    history(ch, catalogue, { product: 'GAS', series: REFERENCE_HUB, frequency: 'day', date, lookback: LOOKBACK.daily }),
    history(ch, catalogue, { product: 'GAS', series: REFERENCE_HUB, frequency: 'month', date, lookback: LOOKBACK.lcfs }),
  ])
  const last = latest(daily.values)
  const changes = dailyChanges(daily.values, GAS_DECIMALS)
  const months = endedBy(monthly.values, date)
  const month = latest(months)
  const chartFrom = last ? addDays(dayOf(last.periodStart), -(FUELS_CHART_DAYS - 1)) : date
  return {
    summary: {
      unit: daily.unit ?? monthly.unit,
      daily: last && changes ? { date: dayOf(last.periodStart), price: round(last.value, GAS_DECIMALS), ...changes } : null,
      monthly: month
        ? {
            month: month.periodStart.slice(0, 7),
            price: round(month.value, GAS_DECIMALS),
            change: changeAgainst(month.value, months.length > 1 ? months[months.length - 2]! : null, GAS_DECIMALS, 'month'),
          }
        : null,
    },
    chart: daily.values.filter((v) => dayOf(v.periodStart) >= chartFrom).map((v) => ({ date: dayOf(v.periodStart), price: round(v.value, GAS_DECIMALS) })),
  }
}

const HUB_NAMES = new Map(GAS_HUBS.map((h) => [h.id as string, h.name]))

/** Each gas hub's latest daily price on or before the date, with Henry Hub's that day and the basis. */
async function gasHubs(ch: ClickHouseHandle, series: readonly SeriesSummary[], date: string): Promise<GasHubRow[]> {
  // A hub's own price series (`CHICAGO_CITYGATES`), not its high and low (`CHICAGO_CITYGATES.HIGH`).
  const hubs = series.filter((s) => s.measure === 'price' && s.frequency === 'day' && s.series !== REFERENCE_HUB && !s.series.includes('.'))
  const rows = await Promise.all(hubs.map((s) => gasHubRow(ch, series, s, date)))
  return rows.filter((r): r is GasHubRow => r !== null)
}

async function gasHubRow(ch: ClickHouseHandle, catalogue: readonly SeriesSummary[], s: SeriesSummary, date: string): Promise<GasHubRow | null> {
  const { values, unit } = await history(ch, catalogue, { product: 'GAS', series: s.series, frequency: 'day', date, lookback: LOOKBACK.hub })
  const last = latest(values)
  if (last === null) return null
  const day = dayOf(last.periodStart)
  const row = { series: s.series, name: HUB_NAMES.get(s.series) ?? s.series, date: day, price: round(last.value, GAS_DECIMALS), unit: unit ?? s.unit }
  try {
    const basis = await getSeriesBasis(ch, { product: 'GAS', series: s.series, from: last.periodStart, to: last.periodEnd })
    const value = basis.values[0]
    if (!value) return { ...row, henryHub: null, basis: null, note: `no Henry Hub price on ${day}` }
    return { ...row, henryHub: round(value.reference, GAS_DECIMALS), basis: round(value.value, GAS_DECIMALS), note: null }
  } catch (error) {
    // A hub quoted in another currency or unit (AECO: CAD/GJ) has no basis to Henry Hub.
    if (isAppError(error) && error.code === 'BAD_REQUEST') return { ...row, henryHub: null, basis: null, note: `quoted in ${row.unit}, not Henry Hub's unit` }
    throw error
  }
}

/** JKM and TTF: the latest week ended by the date, with the Henry Hub average of that week and the basis. */
async function lngSection(ch: ClickHouseHandle, series: readonly SeriesSummary[], date: string): Promise<LngRow[]> {
  const stored = new Set(series.filter((s) => s.measure === 'price' && s.frequency === 'week').map((s) => s.series))
  const rows = await Promise.all(LNG_SERIES.filter((id) => stored.has(id)).map((id) => lngRow(ch, series, id, date)))
  return rows.filter((r): r is LngRow => r !== null)
}

async function lngRow(ch: ClickHouseHandle, catalogue: readonly SeriesSummary[], series: string, date: string): Promise<LngRow | null> {
  const { values, unit } = await history(ch, catalogue, { product: 'LNG', series, frequency: 'week', date, lookback: LOOKBACK.lng })
  const last = latest(endedBy(values, date))
  if (last === null) return null
  const basis = await getSeriesBasis(ch, { product: 'LNG', series, from: last.periodStart, to: last.periodEnd })
  const match = basis.values.find((v) => v.periodStart === last.periodStart)
  return {
    series,
    weekEnding: lastDayOf(last),
    price: round(last.value, GAS_DECIMALS),
    unit: unit ?? '$/MMBtu',
    henryHubAverage: roundOrNull(match?.reference, GAS_DECIMALS),
    henryHubDays: match?.referenceDays ?? null,
    basis: roundOrNull(match?.value, GAS_DECIMALS),
  }
}

type HenryHubCurve = { asOfDates: string[] }

/** The Henry Hub gas curve of the catalogue with the as-of dates the viewer sees built (newest first), or null when not seeded. */
async function henryHubCurve(db: Database, viewer: CurveViewer): Promise<HenryHubCurve | null> {
  const { curves } = await listFuelCurves(db, 'GAS', viewer)
  return curves.find((c) => c.curve === REFERENCE_HUB) ?? null
}

/**
 * The Henry Hub forward curve the reader sees: the latest as-of date on or before the report's date
 * with a build (its organization's before the house's, as the curve report picks), monthly points
 * as 12 months then calendar years. A message instead when there is none.
 */
async function henryHubForward(deps: Deps, curve: HenryHubCurve | null, date: string, viewer: CurveViewer): Promise<{ forward: FuelForward | null; message: string | null }> {
  const none = (message: string) => ({ forward: null, message })
  if (!curve) return none('The Henry Hub forward curve is not set up.')
  const asOf = curve.asOfDates.find((d) => d <= date)
  if (!asOf) return none(`No Henry Hub forward curve was built on or before ${date}.`)
  const got = await getFuelCurve(deps, { product: 'GAS', curve: REFERENCE_HUB, asOf, granularity: 'monthly' }, viewer)
  return {
    forward: {
      name: got.curve.name,
      unit: got.curve.unit,
      asOf: got.build.asOf,
      version: got.build.version,
      owner: got.build.owner,
      rows: forwardTable(got.points),
    },
    message: null,
  }
}

/** LCFS credits: the latest week ended by the date (price, volume), and CARB's latest month (price, volume, transfers) when stored. */
async function lcfsSection(ch: ClickHouseHandle, series: readonly SeriesSummary[], date: string): Promise<LcfsRow[]> {
  const storedAt = (frequency: 'week' | 'month') => series.some((s) => s.series === LCFS_CREDIT_SERIES && s.frequency === frequency)
  const cadences = (['week', 'month'] as const).filter(storedAt)
  const rows = await Promise.all(cadences.map((cadence) => lcfsRow(ch, series, cadence, date)))
  return rows.filter((r): r is LcfsRow => r !== null)
}

async function lcfsRow(ch: ClickHouseHandle, series: readonly SeriesSummary[], cadence: 'week' | 'month', date: string): Promise<LcfsRow | null> {
  const read = async (measure: 'price' | 'volume' | 'transfers') => {
    const answer = await history(ch, series, { product: 'LCFS', series: LCFS_CREDIT_SERIES, measure, frequency: cadence, date, lookback: LOOKBACK.lcfs })
    return { values: endedBy(answer.values, date), unit: answer.unit }
  }
  const [price, volume, transfers] = await Promise.all([read('price'), read('volume'), read('transfers')])
  const periods = [price, volume, transfers].map((m) => latest(m.values)?.periodStart).filter((p): p is string => p !== undefined)
  if (periods.length === 0) return null
  const start = periods.reduce((a, b) => (a > b ? a : b))
  const at = (m: { values: StoredValue[] }) => m.values.find((v) => v.periodStart === start) ?? null
  const priceNow = at(price)
  const earlier = priceNow ? latest(price.values.filter((v) => v.periodStart < start)) : null
  const anyValue = (priceNow ?? at(volume) ?? at(transfers))!
  return {
    cadence,
    period: periodLabel(cadence, anyValue),
    price: roundOrNull(priceNow?.value, OTHER_DECIMALS),
    priceChange: priceNow ? changeAgainst(priceNow.value, earlier, OTHER_DECIMALS, cadence) : { against: null, value: null },
    volume: roundOrNull(at(volume)?.value, 0),
    transfers: roundOrNull(at(transfers)?.value, 0),
    priceUnit: price.unit,
    volumeUnit: volume.unit,
  }
}

/** The latest quote on or before the date of every REC series stored. */
async function recSection(ch: ClickHouseHandle, series: readonly SeriesSummary[], date: string): Promise<RecRow[]> {
  const quoted = series.filter((s) => s.measure === 'price' && s.frequency === 'day')
  const rows = await Promise.all(
    quoted.map(async (s): Promise<RecRow | null> => {
      const { values, unit } = await history(ch, series, { product: 'REC', series: s.series, frequency: 'day', date, lookback: LOOKBACK.rec })
      const last = latest(values)
      if (last === null) return null
      const a = s.attributes
      return {
        series: s.series,
        state: a.state ?? null,
        program: a.program ?? null,
        class: a.class ?? null,
        vintage: a.vintage ?? null,
        date: dayOf(last.periodStart),
        price: round(last.value, OTHER_DECIMALS),
        unit: unit ?? s.unit,
      }
    }),
  )
  return rows.filter((r): r is RecRow => r !== null)
}
