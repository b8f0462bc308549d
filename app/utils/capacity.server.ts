import { CAPACITY_FUELS, EIA860M_GENERATORS_SOURCE, EIA930_BALANCING_AUTHORITIES, technologyFuel, type CapacityFuel } from '@carbon/connectors'
import { MarketId, MARKETS } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import type { ClickHouseHandle } from '#server/adapters/clickhouse/client.ts'
import { listSeries } from '#server/services/series/index.ts'
import type { SeriesSummary } from '#server/services/series/schemas.ts'
import { seriesValuesOfMany } from '#server/services/series/store.ts'
import { difference } from '#app/components/series/series-view.ts'
import { accessData, auditedInput } from './data-access.server.ts'
import { loadFundamentals, type FundamentalsView, type Respondent } from './hub-products.server.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'

/**
 * A market's operable generating capacity for its page and its CSV, from the EIA-860M generator
 * inventory (source `eia.860m.generators`, packages/connectors series/eia860): GRID series
 * `{BA}.CAPACITY.{TECHNOLOGY}` of the market's balancing authorities, one value a month per
 * measure (`nameplate_capacity` and `summer_capacity` in MW, `generators`).
 *
 * Cheap on purpose (it runs on every market page view): the market's GRID catalogue (one query,
 * or none when the caller already read it) carries each series' latest month and value, which is
 * the whole latest inventory; only the change from the previous month needs values, one read of at
 * most PREVIOUS_MONTHS_LOOKED_BACK nameplate values per technology held in both months, in parallel.
 */

/** The `capacity` query value that totals every balancing authority of the market. */
export const ALL_BALANCING_AUTHORITIES = 'ALL'

/** How far back the previous inventory is looked for: EIA publishes every month, so a year covers a few missing ones. */
export const PREVIOUS_MONTHS_LOOKED_BACK = 12

const CAPACITY_MEASURES = ['nameplate_capacity', 'summer_capacity', 'generators'] as const
type CapacityMeasure = (typeof CAPACITY_MEASURES)[number]

/** One technology's operable capacity in the latest month (summed over the balancing authorities shown). */
export type CapacityTechnology = {
  technology: string
  fuel: CapacityFuel
  nameplateMw: number
  summerMw: number
  generators: number
  /** Share of the total nameplate MW, 0..1. */
  share: number
  /** Nameplate MW against the previous month held; null when there is none. */
  change: number | null
}

/** One fuel's operable capacity in the latest month, and what changed since the previous month held. */
export type CapacityFuelTotal = {
  fuel: CapacityFuel
  nameplateMw: number
  summerMw: number
  generators: number
  share: number
  /**
   * Nameplate MW more (added) and less (removed, a positive number) than in the previous month
   * held, per balancing authority and technology, summed: a technology that grew in one balancing
   * authority and shrank in another counts both ways. Null when no previous month is held.
   */
  added: number | null
  removed: number | null
}

export type CapacityView = {
  market: MarketId
  /** The balancing authorities whose inventory this market holds, by code. */
  respondents: Respondent[]
  /** The balancing authority shown, or null for all of them (`all`) or when the asked one holds none. */
  respondent: Respondent | null
  all: boolean
  /** The code asked for when the market holds no inventory of it, else null. */
  unknown: string | null
  /** The latest inventory month held, `YYYY-MM`, and the one before it (within a year), or null. */
  month: string | null
  previousMonth: string | null
  technologies: CapacityTechnology[]
  fuels: CapacityFuelTotal[]
  total: { nameplateMw: number; summerMw: number; generators: number; added: number | null; removed: number | null }
  source: typeof EIA860M_GENERATORS_SOURCE
}

/** One `{BA}.CAPACITY.{TECHNOLOGY}` series of the catalogue, its measures side by side. */
type CapacitySeries = {
  series: string
  respondent: string
  technology: string
  fuel: CapacityFuel
  via: string | null
  measures: Partial<Record<CapacityMeasure, SeriesSummary>>
}

const isCapacityMeasure = (measure: string): measure is CapacityMeasure => (CAPACITY_MEASURES as readonly string[]).includes(measure)
const isCapacityFuel = (fuel: string | undefined): fuel is CapacityFuel => fuel !== undefined && (CAPACITY_FUELS as readonly string[]).includes(fuel)

/** `YYYY-MM` of a stored period start. */
const monthOf = (iso: string) => iso.slice(0, 7)

/** The first instant of a `YYYY-MM` month moved by `months`, as ISO. */
function monthStart(month: string, months = 0): string {
  const [year, index] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, index - 1 + months, 1)).toISOString()
}

/** MW and counts summed without binary noise (98.5 + 49 + 2.1 stays 149.6). */
function sum(values: readonly number[]): number {
  return values.reduce((total, v) => difference(total + v, 0), 0)
}

/** The EIA-860M series of a market's GRID catalogue (monthly, a respondent and a technology named), grouped by series id. */
export function capacitySeriesOf(catalogue: readonly SeriesSummary[]): CapacitySeries[] {
  const found = new Map<string, CapacitySeries>()
  for (const s of catalogue) {
    const { respondent, technology } = s.attributes
    if (s.frequency !== 'month' || !isCapacityMeasure(s.measure) || !respondent || !technology || !s.series.includes('.CAPACITY.')) continue
    let entry = found.get(s.series)
    if (!entry) {
      const fuel = isCapacityFuel(s.attributes.fuel) ? s.attributes.fuel : technologyFuel(technology)
      entry = { series: s.series, respondent, technology, fuel, via: s.attributes.via ?? null, measures: {} }
      found.set(s.series, entry)
    }
    entry.measures[s.measure] = s
  }
  return [...found.values()]
}

/** The balancing authorities of the capacity series, by code, named as EIA-930 names them. */
function respondentsOf(series: readonly CapacitySeries[]): Respondent[] {
  const found = new Map<string, Respondent>()
  for (const s of series) {
    if (!found.has(s.respondent)) found.set(s.respondent, { code: s.respondent, name: EIA930_BALANCING_AUTHORITIES[s.respondent]?.name ?? s.respondent, via: s.via })
  }
  return [...found.values()].sort((a, b) => a.code.localeCompare(b.code))
}

/** The balancing authority shown by default: the market's own (as on the fundamentals section) when held, else the first. */
function defaultRespondent(market: MarketId, respondents: readonly Respondent[]): Respondent | null {
  return respondents.find((r) => EIA930_BALANCING_AUTHORITIES[r.code]?.market === market && r.via === null) ?? respondents[0] ?? null
}

/** A measure's value in `month` (its latest value when that is the month), else 0: a technology absent from a month has no operable MW. */
function valueIn(series: CapacitySeries, measure: CapacityMeasure, month: string): number {
  const summary = series.measures[measure]
  return summary && monthOf(summary.last) === month ? summary.lastValue : 0
}

/** The latest month any of the series holds. */
function latestMonth(series: readonly CapacitySeries[]): string | null {
  let latest: string | null = null
  for (const s of series) {
    for (const summary of Object.values(s.measures)) {
      const month = monthOf(summary.last)
      if (latest === null || month > latest) latest = month
    }
  }
  return latest
}

/**
 * Each series' nameplate MW in the months before `month` (back PREVIOUS_MONTHS_LOOKED_BACK), by
 * month. A series whose latest value is older than `month` needs no read: that value is its last.
 * The series held in `month` with an earlier value are read together, in one query.
 */
async function earlierNameplate(ch: ClickHouseHandle, market: MarketId, series: readonly CapacitySeries[], month: string): Promise<Map<string, Map<string, number>>> {
  const from = monthStart(month, -PREVIOUS_MONTHS_LOOKED_BACK)
  const to = monthStart(month)
  const earlier = new Map<string, Map<string, number>>()
  const toRead: string[] = []
  for (const s of series) {
    const summary = s.measures.nameplate_capacity
    if (!summary || summary.first >= to || summary.last < from) continue
    if (summary.last < to) earlier.set(s.series, new Map([[monthOf(summary.last), summary.lastValue]]))
    else toRead.push(s.series)
  }
  const points = await seriesValuesOfMany(ch, {
    product: 'GRID',
    market,
    series: toRead,
    measure: 'nameplate_capacity',
    frequency: 'month',
    from,
    to,
    limit: PREVIOUS_MONTHS_LOOKED_BACK * toRead.length,
  })
  for (const p of points) {
    const months = earlier.get(p.series) ?? new Map<string, number>()
    months.set(monthOf(p.periodStart), p.value)
    earlier.set(p.series, months)
  }
  return earlier
}

/** The latest of the months found before the latest one, or null. */
function previousMonthOf(earlier: ReadonlyMap<string, ReadonlyMap<string, number>>): string | null {
  let previous: string | null = null
  for (const months of earlier.values()) for (const month of months.keys()) if (previous === null || month > previous) previous = month
  return previous
}

/** Per series, nameplate MW in `month` minus that in `previous` (absent = 0); empty when there is no previous month. */
function nameplateChanges(series: readonly CapacitySeries[], month: string, previous: string | null, earlier: ReadonlyMap<string, ReadonlyMap<string, number>>): Map<string, number> {
  const changes = new Map<string, number>()
  if (previous === null) return changes
  for (const s of series) changes.set(s.series, difference(valueIn(s, 'nameplate_capacity', month), earlier.get(s.series)?.get(previous) ?? 0))
  return changes
}

/** Technologies held in `month`, summed over the series' balancing authorities: by fuel (CAPACITY_FUELS order), then nameplate MW, largest first. */
function technologyRows(series: readonly CapacitySeries[], month: string, changes: ReadonlyMap<string, number> | null, totalMw: number): CapacityTechnology[] {
  const byTechnology = new Map<string, CapacitySeries[]>()
  for (const s of series) byTechnology.set(s.technology, [...(byTechnology.get(s.technology) ?? []), s])
  const rows: CapacityTechnology[] = []
  for (const [technology, group] of byTechnology) {
    const nameplateMw = sum(group.map((s) => valueIn(s, 'nameplate_capacity', month)))
    if (nameplateMw <= 0) continue
    rows.push({
      technology,
      fuel: group[0]!.fuel,
      nameplateMw,
      summerMw: sum(group.map((s) => valueIn(s, 'summer_capacity', month))),
      generators: sum(group.map((s) => valueIn(s, 'generators', month))),
      share: totalMw > 0 ? nameplateMw / totalMw : 0,
      change: changes ? sum(group.map((s) => changes.get(s.series) ?? 0)) : null,
    })
  }
  const order = (fuel: CapacityFuel) => CAPACITY_FUELS.indexOf(fuel)
  return rows.sort((a, b) => order(a.fuel) - order(b.fuel) || b.nameplateMw - a.nameplateMw || a.technology.localeCompare(b.technology))
}

/** Each fuel with capacity in `month` or a change since the previous month, in CAPACITY_FUELS order. */
function fuelRows(series: readonly CapacitySeries[], month: string, changes: ReadonlyMap<string, number> | null, totalMw: number): CapacityFuelTotal[] {
  return CAPACITY_FUELS.flatMap((fuel): CapacityFuelTotal[] => {
    const group = series.filter((s) => s.fuel === fuel)
    const deltas = changes ? group.map((s) => changes.get(s.series) ?? 0) : []
    const nameplateMw = sum(group.map((s) => valueIn(s, 'nameplate_capacity', month)))
    const added = changes ? sum(deltas.filter((d) => d > 0)) : null
    const removed = changes ? sum(deltas.filter((d) => d < 0).map((d) => -d)) : null
    if (nameplateMw <= 0 && !added && !removed) return []
    return [
      {
        fuel,
        nameplateMw,
        summerMw: sum(group.map((s) => valueIn(s, 'summer_capacity', month))),
        generators: sum(group.map((s) => valueIn(s, 'generators', month))),
        share: totalMw > 0 ? nameplateMw / totalMw : 0,
        added,
        removed,
      },
    ]
  })
}

const NO_TOTAL: CapacityView['total'] = { nameplateMw: 0, summerMw: 0, generators: 0, added: null, removed: null }

/**
 * The market's operable capacity for its page: the latest inventory month held for the chosen
 * balancing authority (`respondent`: a code, ALL_BALANCING_AUTHORITIES for every one of the market
 * summed, default the market's own as the fundamentals section shows it), per technology and per
 * fuel, with the nameplate MW added and removed since the previous month held. `catalogue`: the
 * market's GRID catalogue when the caller has read it already. The caller has passed the access
 * gate for the market.
 */
export async function loadCapacity(ch: ClickHouseHandle, market: MarketId, respondent?: string, catalogue?: readonly SeriesSummary[]): Promise<CapacityView> {
  const all = capacitySeriesOf(catalogue ?? (await listSeries(ch, { product: 'GRID', market })).series)
  const respondents = respondentsOf(all)
  const everyone = respondent === ALL_BALANCING_AUTHORITIES
  const shown = everyone ? null : respondent ? (respondents.find((r) => r.code === respondent) ?? null) : defaultRespondent(market, respondents)
  const view: CapacityView = {
    market,
    respondents,
    respondent: shown,
    all: everyone && respondents.length > 0,
    unknown: respondent && !everyone && !shown ? respondent : null,
    month: null,
    previousMonth: null,
    technologies: [],
    fuels: [],
    total: NO_TOTAL,
    source: EIA860M_GENERATORS_SOURCE,
  }
  const series = view.all ? all : shown ? all.filter((s) => s.respondent === shown.code) : []
  const month = latestMonth(series)
  if (month === null) return view
  const earlier = await earlierNameplate(ch, market, series, month)
  const previousMonth = previousMonthOf(earlier)
  const changes = previousMonth === null ? null : nameplateChanges(series, month, previousMonth, earlier)
  const nameplateMw = sum(series.map((s) => valueIn(s, 'nameplate_capacity', month)))
  const fuels = fuelRows(series, month, changes, nameplateMw)
  return {
    ...view,
    month,
    previousMonth,
    technologies: technologyRows(series, month, changes, nameplateMw),
    fuels,
    total: {
      nameplateMw,
      summerMw: sum(series.map((s) => valueIn(s, 'summer_capacity', month))),
      generators: sum(series.map((s) => valueIn(s, 'generators', month))),
      added: changes ? sum(fuels.map((f) => f.added ?? 0)) : null,
      removed: changes ? sum(fuels.map((f) => f.removed ?? 0)) : null,
    },
  }
}

/** What the audit row of a page or download says about the capacity served. */
export function capacityAudit(view: CapacityView): { respondent: string; month: string; previousMonth: string | null } | null {
  if (view.month === null) return null
  return { respondent: view.all ? ALL_BALANCING_AUTHORITIES : (view.respondent?.code ?? ''), month: view.month, previousMonth: view.previousMonth }
}


/**
 * The `capacity` query value of the market page and its CSV: a balancing authority code (as
 * EIA-930 writes it, any case) or `all`.
 */
export const CapacityChoice = z.preprocess(
  (v) => (v === '' ? undefined : typeof v === 'string' ? v.toUpperCase() : v),
  z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,15}$/, 'a balancing authority code (e.g. CISO) or "all"').optional(),
)

const CapacityCsvQuery = z.object({ capacity: CapacityChoice })

/** The CSV's route: the market (404 naming the markets when unknown) and the balancing authority asked for. */
function readCapacityCsvInput(request: Request, params: Record<string, string | undefined>): { market: MarketId; respondent: string | undefined } {
  const raw = params.market ?? ''
  const market = MarketId.safeParse(raw.toUpperCase())
  invariantResponse(market.success, `There is no market called '${raw}'. 254Carbon covers ${MarketId.options.map((m) => MARKETS[m].label).join(', ')}.`, { status: 404 })
  const query = parseOr(CapacityCsvQuery, Object.fromEntries(new URL(request.url).searchParams))
  return { market: market.data, respondent: query.capacity }
}

/**
 * The market's EIA-930 fundamentals and EIA-860M capacity, from one read of its GRID catalogue.
 * The capacity follows the fundamentals' balancing authority unless another is chosen.
 */
export async function loadGridSections(ch: ClickHouseHandle, market: MarketId, ba: string | undefined, capacity: string | undefined): Promise<[FundamentalsView, CapacityView]> {
  const { series: catalogue } = await listSeries(ch, { product: 'GRID', market })
  return Promise.all([loadFundamentals(ch, market, ba, catalogue), loadCapacity(ch, market, capacity ?? ba, catalogue)])
}

/**
 * `/markets/<MARKET>/capacity.csv`: the capacity section's table through the downloads channel
 * (entitlement of the market, audited with the month served). A balancing authority the market
 * holds no inventory of is a 404 naming those it holds.
 */
export async function loadCapacityDownload(request: Request, context: AppLoadContext, params: Record<string, string | undefined>): Promise<CapacityView> {
  const spec = { channel: 'downloads', procedure: 'download:capacity-csv' } as const
  const { market, respondent } = await auditedInput(request, context, spec, () => readCapacityCsvInput(request, params))
  const access = await accessData(request, context, { ...spec, market })
  const view = await orRespond(loadCapacity(access.platform.ch, market, respondent))
  const held = view.respondents.map((r) => r.code).join(', ')
  invariantResponse(view.unknown === null, `${market} holds no EIA-860M inventory of balancing authority ${view.unknown}; ${held ? `it holds ${held} (or all)` : 'it holds none yet'}.`, { status: 404 })
  await access.served({ details: { capacity: capacityAudit(view) } })
  return view
}
