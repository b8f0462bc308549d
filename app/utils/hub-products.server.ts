import {
  EIA930_BALANCING_AUTHORITIES,
  GAS_HUBS,
  LCFS_CREDIT_SERIES,
  LCFS_CREDIT_TYPE1_SERIES,
  LNG_BENCHMARKS,
  ParseError,
  REC_CLASSES,
  REC_PRICES_CSV_HEADER,
  REC_PRICES_CSV_SOURCE,
  REFERENCE_HUB,
  SERIES_SOURCES,
  type GasHub,
  type LngBenchmark,
} from '@carbon/connectors'
import { SeriesId, type EntitledProduct, type MarketId, type SeriesFrequency } from '@carbon/schemas'
import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { isAppError } from '#server/errors.ts'
import type { ClickHouseHandle } from '#server/adapters/clickhouse/client.ts'
import { getPlatform } from '#server/platform.ts'
import { entitledProducts, hasRole } from '#server/services/auth/entitlements.ts'
import type { Principal } from '#server/services/auth/types.ts'
import { getSeriesBasis, listSeries, MAX_SERIES_VALUES } from '#server/services/series/index.ts'
import type { SeriesBasisOutput, SeriesSummary } from '#server/services/series/schemas.ts'
import { seriesHistory, type SeriesPoint } from '#server/services/series/store.ts'
import { MAX_UPLOAD_BYTES, uploadSeriesFile } from '#server/services/series/upload.ts'
import { attributeNumber, DAY_MS, difference, FUNDAMENTALS_DAYS, utcDate, withChanges, type Period } from '#app/components/series/series-view.ts'
import { accessData, auditedInput, canDownload } from './data-access.server.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'

/**
 * The hub's pages beside power prices (docs/decisions/023): gas (Henry Hub and the hubs of
 * GAS_HUBS with their basis), LNG (JKM, TTF and their basis to Henry Hub), LCFS credits, REC
 * quotes (and their upload), and a market's EIA-930 fundamentals. Every loader goes through
 * accessData with the product as data key (a market's fundamentals: the market), reads the
 * series service, and writes its audit row (`served`) before data leaves.
 */

const HOUR_MS = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()

type Purpose = { channel: 'hub' | 'downloads'; procedure: string }

/** A series' stored value as the pages use it. */
export type SeriesValueRow = Period & { value: number; attributes: Record<string, string> }

/** The products beside power the user's hub shows (entitled through the hub channel), in their order: the nav bar lists them. */
export async function hubProducts(principal: Principal): Promise<EntitledProduct[]> {
  const platform = await getPlatform()
  return entitledProducts(platform.pg.db, principal, 'hub')
}


function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams)
}

/** The catalogue entry of one series' measure (at a frequency, else the finest stored), or undefined. */
function summaryOf(catalogue: readonly SeriesSummary[], series: string, measure: string, frequency?: SeriesFrequency): SeriesSummary | undefined {
  return catalogue.find((s) => s.series === series && s.measure === measure && (frequency === undefined || s.frequency === frequency))
}

/**
 * The end of a series' latest period: the exclusive bound of a window holding it whole (a basis
 * reads Henry Hub's days up to it, so a week's bound is its last day's end, not its first's).
 */
function afterLast(summary: Pick<SeriesSummary, 'last' | 'frequency'>): number {
  const last = Date.parse(summary.last)
  switch (summary.frequency) {
    case 'hour':
      return last + HOUR_MS
    case 'day':
      return last + DAY_MS
    case 'week':
      return last + 7 * DAY_MS
    case 'month': {
      const start = new Date(last)
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)
    }
  }
}

/** The 365 days ending with the series' latest day. */
function lastYear(summary: SeriesSummary): { from: number; to: number } {
  return { from: Date.parse(summary.last) - 364 * DAY_MS, to: afterLast(summary) }
}

/** Everything the series holds. */
function wholeHistory(summary: SeriesSummary): { from: number; to: number } {
  return { from: Date.parse(summary.first), to: afterLast(summary) }
}

/**
 * One series' values with period starts in the window, oldest first. The frequency and unit are
 * the catalogue's (already read), so this is one query, not getSeriesHistory's two.
 */
async function readValues(
  ch: ClickHouseHandle,
  scope: { product: 'GAS' | 'LNG' | 'LCFS' | 'REC' | 'GRID'; market?: MarketId },
  summary: SeriesSummary,
  window: { from: number; to: number },
): Promise<SeriesValueRow[]> {
  const points: SeriesPoint[] = await seriesHistory(ch, {
    product: scope.product,
    market: scope.market ?? null,
    series: summary.series,
    measure: summary.measure,
    frequency: summary.frequency,
    from: iso(window.from),
    to: iso(window.to),
    limit: MAX_SERIES_VALUES,
  })
  return points.map(({ periodStart, periodEnd, value, attributes }) => ({ periodStart, periodEnd, value, attributes }))
}

/** A basis to Henry Hub, or null when the service refuses the pair (units or frequencies that do not combine). */
async function basisOrNull(ch: ClickHouseHandle, input: { product: 'GAS' | 'LNG'; series: string; from: number; to: number }): Promise<SeriesBasisOutput | null> {
  try {
    return await getSeriesBasis(ch, { product: input.product, series: input.series, from: iso(input.from), to: iso(input.to) })
  } catch (error) {
    if (isAppError(error) && error.code === 'BAD_REQUEST') return null
    throw error
  }
}

/* ------------------------------------------------------------------ gas */

const GAS_VIEWS = ['daily', 'monthly'] as const
export type GasView = (typeof GAS_VIEWS)[number]
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)
const GasOverviewQuery = z.object({ view: z.preprocess(emptyToUndefined, z.enum(GAS_VIEWS).optional()) })

export type HubInfo = Pick<GasHub, 'id' | 'name' | 'region' | 'market' | 'currency' | 'energyUnit' | 'reference'>
const hubInfo = ({ id, name, region, market, currency, energyUnit, reference }: GasHub): HubInfo => ({ id, name, region, market, currency, energyUnit, reference })

export type HubRow = HubInfo & {
  unit: string | null
  latest: { date: string; value: number } | null
  /** Henry Hub's price on the hub's latest day and the basis to it, when Henry Hub has that day. */
  henryHub: number | null
  basis: number | null
}

/** Each hub of GAS_HUBS with its latest daily price and, where Henry Hub has the same day, the basis to it. */
async function hubRows(ch: ClickHouseHandle, catalogue: readonly SeriesSummary[]): Promise<HubRow[]> {
  return Promise.all(
    GAS_HUBS.map(async (hub): Promise<HubRow> => {
      const summary = summaryOf(catalogue, hub.id, 'price', 'day')
      const row: HubRow = { ...hubInfo(hub), unit: summary?.unit ?? null, latest: null, henryHub: null, basis: null }
      if (!summary) return row
      row.latest = { date: utcDate(summary.last), value: summary.lastValue }
      if (hub.reference) return row
      const day = Date.parse(summary.last)
      const basis = await basisOrNull(ch, { product: 'GAS', series: hub.id, from: day, to: day + DAY_MS })
      const value = basis?.values[0]
      if (value) Object.assign(row, { henryHub: value.reference, basis: value.value })
      return row
    }),
  )
}

/** The latest value of a series and its change from the one before (null when there is none). */
function latestOf(values: readonly SeriesValueRow[]) {
  const last = values.at(-1)
  if (!last) return null
  const before = values.at(-2)
  return { periodStart: last.periodStart, periodEnd: last.periodEnd, value: last.value, change: before ? difference(last.value, before.value) : null, before: before?.periodStart ?? null }
}

/**
 * `/gas`: Henry Hub's latest daily and monthly price with their changes, its daily prices over the
 * last year or monthly over the whole history (`view`), and every hub of GAS_HUBS with its latest
 * price and basis.
 */
export async function loadGasOverview(request: Request, context: AppLoadContext) {
  const spec = { procedure: 'hub:gas', market: 'GAS' } as const
  const query = await auditedInput(request, context, spec, () => parseOr(GasOverviewQuery, queryOf(request)))
  const access = await accessData(request, context, spec)
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'GAS' }))
  const daily = summaryOf(catalogue, REFERENCE_HUB, 'price', 'day')
  const monthly = summaryOf(catalogue, REFERENCE_HUB, 'price', 'month')
  const [dailyValues, monthlyValues, hubs] = await Promise.all([
    daily ? readValues(ch, { product: 'GAS' }, daily, lastYear(daily)) : [],
    monthly ? readValues(ch, { product: 'GAS' }, monthly, wholeHistory(monthly)) : [],
    hubRows(ch, catalogue),
  ])
  const view: GasView = query.view ?? (daily ? 'daily' : 'monthly')
  const shown = view === 'daily' ? dailyValues : monthlyValues
  await access.served({ details: { view, values: shown.length, hubs: hubs.filter((h) => h.latest).length } })
  return {
    unit: daily?.unit ?? monthly?.unit ?? '$/MMBtu',
    view,
    available: { daily: Boolean(daily), monthly: Boolean(monthly) },
    latest: { daily: latestOf(dailyValues), monthly: latestOf(monthlyValues) },
    values: withChanges(shown),
    hubs,
  }
}

const GasSeriesQuery = z.object({ frequency: z.preprocess(emptyToUndefined, z.enum(['day', 'month']).optional()) })

/** The hub a `/gas/<SERIES>` path names: 404 for anything but a hub of GAS_HUBS; a lower-case id is sent to its upper-case page. */
function routeHub(request: Request, raw: string | undefined, purpose: Purpose): GasHub {
  const text = raw ?? ''
  const hub = GAS_HUBS.find((h) => h.id === text.toUpperCase())
  invariantResponse(hub, `There is no gas hub called '${text}'. The hubs are ${GAS_HUBS.map((h) => h.id).join(', ')}.`, { status: 404 })
  if (text !== hub.id && purpose.channel === 'hub') throw redirect(`/gas/${hub.id}${new URL(request.url).search}`)
  return hub
}

export type GasSeriesRow = SeriesValueRow & { change: number | null; henryHub: number | null; basis: number | null }

/**
 * `/gas/<SERIES>` and its CSV: a hub's daily prices over the last year (Henry Hub's monthly over
 * the whole history with `frequency=month`), Henry Hub's price of the same days and the basis to
 * it (getSeriesBasis, product GAS), newest first in the table and the CSV.
 */
export async function loadGasSeries(request: Request, context: AppLoadContext, params: Record<string, string | undefined>, purpose: Purpose) {
  const spec = { ...purpose, market: 'GAS' } as const
  const { hub, query } = await auditedInput(request, context, spec, () => ({
    hub: routeHub(request, params.series, purpose),
    query: parseOr(GasSeriesQuery, queryOf(request)),
  }))
  const access = await accessData(request, context, spec)
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'GAS' }))
  const frequencies = catalogue.filter((s) => s.series === hub.id && s.measure === 'price').map((s) => s.frequency)
  invariantResponse(!query.frequency || frequencies.includes(query.frequency), `${hub.name} has no ${query.frequency === 'month' ? 'monthly' : 'daily'} prices; it has ${frequencies.join(', ') || 'none yet'}.`)
  const summary = summaryOf(catalogue, hub.id, 'price', query.frequency)
  const window = summary ? (summary.frequency === 'day' ? lastYear(summary) : wholeHistory(summary)) : null
  const [values, basis] = await Promise.all([
    summary && window ? readValues(ch, { product: 'GAS' }, summary, window) : [],
    summary && window && !hub.reference && summary.frequency === 'day' ? basisOrNull(ch, { product: 'GAS', series: hub.id, ...window }) : null,
  ])
  const basisAt = new Map((basis?.values ?? []).map((b) => [b.periodStart, b]))
  const rows: GasSeriesRow[] = withChanges(values)
    .map((v) => ({ ...v, henryHub: basisAt.get(v.periodStart)?.reference ?? null, basis: basisAt.get(v.periodStart)?.value ?? null }))
    .reverse()
  await access.served({
    nodes: [hub.id],
    rangeFrom: window ? iso(window.from) : undefined,
    rangeTo: window ? iso(window.to) : undefined,
    details: { frequency: summary?.frequency ?? null, rows: rows.length },
  })
  return {
    hub: hubInfo(hub),
    unit: summary?.unit ?? null,
    frequency: summary?.frequency === 'month' ? ('month' as const) : ('day' as const),
    frequencies,
    window: window ? { from: iso(window.from), to: iso(window.to) } : null,
    rows,
    /** Whether the page has a basis: daily prices of a hub other than Henry Hub, in a unit that combines with Henry Hub's. */
    hasBasis: basis !== null,
    unmatched: basis?.unmatched.length ?? 0,
    canDownload: purpose.channel === 'hub' ? await canDownload(access, 'GAS') : true,
  }
}

/* ------------------------------------------------------------------ LNG */

const LNG_SERIES = Object.keys(LNG_BENCHMARKS) as LngBenchmark[]

export type LngWeekRow = Period & {
  prices: Partial<Record<LngBenchmark, { value: number; change: number | null }>>
  /** Henry Hub's average of the same week (Thursday to Wednesday) and how many daily prices it took. */
  henryHub: { value: number; days: number | null } | null
  basis: Partial<Record<LngBenchmark, number>>
}

/** The LNG weeks, newest first: each benchmark's price with EIA's stated change, Henry Hub's weekly average and each basis. */
function lngRows(values: Record<LngBenchmark, SeriesValueRow[]>, basis: Record<LngBenchmark, SeriesBasisOutput | null>): LngWeekRow[] {
  const weeks = new Map<string, LngWeekRow>()
  const weekOf = (p: Period) => {
    let row = weeks.get(p.periodStart)
    if (!row) {
      row = { periodStart: p.periodStart, periodEnd: p.periodEnd, prices: {}, henryHub: null, basis: {} }
      weeks.set(p.periodStart, row)
    }
    return row
  }
  for (const benchmark of LNG_SERIES) {
    for (const v of values[benchmark]) weekOf(v).prices[benchmark] = { value: v.value, change: attributeNumber(v.attributes, 'changeFromPreviousWeek') }
    for (const b of basis[benchmark]?.values ?? []) {
      const row = weekOf(b)
      row.basis[benchmark] = b.value
      row.henryHub = { value: b.reference, days: b.referenceDays }
    }
  }
  return [...weeks.values()].sort((a, b) => b.periodStart.localeCompare(a.periodStart))
}

/**
 * `/lng` and its CSV: EIA's weekly JKM and TTF prices (every week stored) with the change EIA
 * states, and their basis to Henry Hub (getSeriesBasis, product LNG: the weekly price minus the
 * average of Henry Hub's daily prices of the same week ending Wednesday).
 */
export async function loadLng(request: Request, context: AppLoadContext, purpose: Purpose) {
  const spec = { ...purpose, market: 'LNG' } as const
  const access = await accessData(request, context, spec)
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'LNG' }))
  const summaries = LNG_SERIES.map((b) => summaryOf(catalogue, b, 'price', 'week')).filter((s): s is SeriesSummary => s !== undefined)
  const window = summaries.length > 0 ? { from: Math.min(...summaries.map((s) => Date.parse(s.first))), to: Math.max(...summaries.map(afterLast)) } : null
  const read = async (benchmark: LngBenchmark) => {
    const summary = summaryOf(catalogue, benchmark, 'price', 'week')
    if (!summary || !window) return { values: [], basis: null }
    const [values, basis] = await Promise.all([readValues(ch, { product: 'LNG' }, summary, window), basisOrNull(ch, { product: 'LNG', series: benchmark, ...window })])
    return { values, basis }
  }
  const [jkm, ttf] = await Promise.all([read('JKM'), read('TTF')])
  const rows = lngRows({ JKM: jkm.values, TTF: ttf.values }, { JKM: jkm.basis, TTF: ttf.basis })
  await access.served({ rangeFrom: window ? iso(window.from) : undefined, rangeTo: window ? iso(window.to) : undefined, details: { weeks: rows.length } })
  return {
    unit: summaries[0]?.unit ?? '$/MMBtu',
    names: LNG_BENCHMARKS,
    rows,
    /** Weeks with a price but no Henry Hub average (no daily Henry Hub price stored in them). */
    withoutHenryHub: rows.filter((r) => Object.keys(r.prices).length > 0 && r.henryHub === null).length,
    canDownload: purpose.channel === 'hub' ? await canDownload(access, 'LNG') : true,
  }
}

/* ------------------------------------------------------------------ LCFS */

export type LcfsWeekRow = Period & { weekOf: string; price: number | null; type1Price: number | null; volume: number | null; change: number | null }

/** The LCFS weeks, newest first: CARB's date for the week, the average price (all and Type 1), the volume, the price's change. */
function lcfsRows(price: SeriesValueRow[], type1: SeriesValueRow[], volume: SeriesValueRow[]): LcfsWeekRow[] {
  const weeks = new Map<string, LcfsWeekRow>()
  const weekOf = (v: SeriesValueRow) => {
    let row = weeks.get(v.periodStart)
    if (!row) {
      row = { periodStart: v.periodStart, periodEnd: v.periodEnd, weekOf: v.attributes.week_of ?? utcDate(v.periodStart), price: null, type1Price: null, volume: null, change: null }
      weeks.set(v.periodStart, row)
    }
    return row
  }
  for (const v of withChanges(price)) Object.assign(weekOf(v), { price: v.value, change: v.change })
  for (const v of type1) weekOf(v).type1Price = v.value
  for (const v of volume) weekOf(v).volume = v.value
  return [...weeks.values()].sort((a, b) => b.periodStart.localeCompare(a.periodStart))
}

/** `/lcfs` and its CSV: CARB's weekly LCFS credit prices ($/MT, all transfers and Type 1) and volumes (MT), every week stored. */
export async function loadLcfs(request: Request, context: AppLoadContext, purpose: Purpose) {
  const spec = { ...purpose, market: 'LCFS' } as const
  const access = await accessData(request, context, spec)
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'LCFS' }))
  const price = summaryOf(catalogue, LCFS_CREDIT_SERIES, 'price', 'week')
  const type1 = summaryOf(catalogue, LCFS_CREDIT_TYPE1_SERIES, 'price', 'week')
  const volume = summaryOf(catalogue, LCFS_CREDIT_SERIES, 'volume', 'week')
  const present = [price, type1, volume].filter((s): s is SeriesSummary => s !== undefined)
  const window = present.length > 0 ? { from: Math.min(...present.map((s) => Date.parse(s.first))), to: Math.max(...present.map(afterLast)) } : null
  const read = (summary: SeriesSummary | undefined) => (summary && window ? readValues(ch, { product: 'LCFS' }, summary, window) : Promise.resolve([]))
  const [prices, type1Prices, volumes] = await Promise.all([read(price), read(type1), read(volume)])
  const rows = lcfsRows(prices, type1Prices, volumes)
  await access.served({ rangeFrom: window ? iso(window.from) : undefined, rangeTo: window ? iso(window.to) : undefined, details: { weeks: rows.length } })
  return {
    priceUnit: price?.unit ?? '$/MT',
    volumeUnit: volume?.unit ?? 'MT',
    rows,
    canDownload: purpose.channel === 'hub' ? await canDownload(access, 'LCFS') : true,
  }
}

/* ------------------------------------------------------------------ RECs */

export type RecRow = {
  series: string
  state: string
  program: string
  recClass: string
  vintage: string
  date: string
  price: number
  bid: number | null
  ask: number | null
  quotes: number
}

/** The REC series of the catalogue as table rows, by state, program, class, then newest vintage first. */
function recRows(catalogue: readonly SeriesSummary[]): RecRow[] {
  return catalogue
    .filter((s) => s.measure === 'price')
    .map((s) => ({
      series: s.series,
      state: s.attributes.state ?? '',
      program: s.attributes.program ?? '',
      recClass: s.attributes.class ?? '',
      vintage: s.attributes.vintage ?? '',
      date: utcDate(s.last),
      price: s.lastValue,
      bid: attributeNumber(s.attributes, 'bid'),
      ask: attributeNumber(s.attributes, 'ask'),
      quotes: s.count,
    }))
    .sort((a, b) => a.state.localeCompare(b.state) || a.program.localeCompare(b.program) || a.recClass.localeCompare(b.recClass) || b.vintage.localeCompare(a.vintage))
}

/** `/recs`: every REC series with its latest quote; the upload form for analysts. */
export async function loadRecs(request: Request, context: AppLoadContext) {
  const access = await accessData(request, context, { procedure: 'hub:recs', market: 'REC' })
  const { series: catalogue } = await orRespond(listSeries(access.platform.ch, { product: 'REC' }))
  const rows = recRows(catalogue)
  await access.served({ details: { series: rows.length } })
  return {
    rows,
    classes: REC_CLASSES as Record<string, string>,
    header: REC_PRICES_CSV_HEADER.join(','),
    canUpload: hasRole(access.principal, 'analyst'),
    maxUploadBytes: MAX_UPLOAD_BYTES,
  }
}

/** The REC series a `/recs/<SERIES>` path names (`REC.<STATE>.<CLASS>.<VINTAGE>`), else 404. */
function routeRecSeries(raw: string | undefined): string {
  const text = (raw ?? '').toUpperCase()
  invariantResponse(SeriesId.safeParse(text).success && text.startsWith('REC.'), `'${raw ?? ''}' is not a REC series (REC.<STATE>.<CLASS>.<VINTAGE>, e.g. REC.NJ.SOLAR.2027).`, { status: 404 })
  return text
}

export type RecQuoteRow = SeriesValueRow & { bid: number | null; ask: number | null; note: string | null }

/** `/recs/<SERIES>` and its CSV: every quote of one REC series, newest first, with bid, ask and note. */
export async function loadRecSeries(request: Request, context: AppLoadContext, params: Record<string, string | undefined>, purpose: Purpose) {
  const spec = { ...purpose, market: 'REC' } as const
  const series = await auditedInput(request, context, spec, () => routeRecSeries(params.series))
  const access = await accessData(request, context, spec)
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'REC' }))
  const summary = summaryOf(catalogue, series, 'price', 'day')
  invariantResponse(summary, `No quotes of ${series} are stored. The REC page lists the series there are.`, { status: 404 })
  const values = await readValues(ch, { product: 'REC' }, summary, wholeHistory(summary))
  const rows: RecQuoteRow[] = values
    .map((v) => ({ ...v, bid: attributeNumber(v.attributes, 'bid'), ask: attributeNumber(v.attributes, 'ask'), note: v.attributes.note ?? null }))
    .reverse()
  await access.served({ nodes: [series], details: { quotes: rows.length } })
  const a = summary.attributes
  return {
    series,
    unit: summary.unit,
    info: { state: a.state ?? '', program: a.program ?? '', recClass: a.class ?? '', vintage: a.vintage ?? '' },
    classDescription: (REC_CLASSES as Record<string, string>)[a.class ?? ''] ?? null,
    rows,
    canDownload: purpose.channel === 'hub' ? await canDownload(access, 'REC') : true,
  }
}

/** At most this many refused rows are listed on the page (the count says how many there were). */
const MAX_LISTED_PROBLEMS = 50

export type UploadProblem = { line: number; field: string; value: string; reason: string }

export type RecUploadAnswer =
  | { ok: false; message: string }
  | {
      ok: true
      file: string
      status: string
      records: number
      issues: number
      error: string | null
      problems: UploadProblem[]
    }

/**
 * The rows the upload refused, as the dead letters name them (line, field, value, reason): the
 * same reader over the same bytes gives the same issues, at once, where the dead letters reach
 * PostgreSQL only when the dead-letter consumer has stored them.
 */
function refusedRows(bytes: Uint8Array, file: string): UploadProblem[] {
  try {
    return SERIES_SOURCES[REC_PRICES_CSV_SOURCE].parse(bytes, file).errors.map(({ line, field, value, reason }) => ({ line, field, value, reason }))
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    return [{ line: error.line, field: error.field, value: error.value, reason: error.reason }]
  }
}

function uploadRefusal(message: string, status = 400) {
  return data<RecUploadAnswer>({ ok: false, message }, { status })
}

/**
 * The REC upload form (multipart, field `file`): analysts only (403 otherwise). The file goes
 * through uploadSeriesFile (archived, read, published, refused rows dead-lettered, one ingest
 * run); the answer counts the quotes sent to the store and lists the refused rows. The quotes
 * appear on the page once the series consumer has stored them (seconds).
 */
export async function submitRecUpload(request: Request, context: AppLoadContext) {
  const spec = { procedure: 'hub:rec-upload', market: 'REC', role: 'analyst' } as const
  const access = await accessData(request, context, spec)
  const length = Number(request.headers.get('content-length') ?? 0)
  // The form's other bytes (boundary, headers) are a few hundred: a body far above the limit is refused unread.
  if (length > MAX_UPLOAD_BYTES + 64 * 1024) {
    await access.served({ details: { refused: 'too large', bytes: length } })
    return uploadRefusal(`The file is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`, 413)
  }
  const file = (await request.formData()).get('file')
  if (!(file instanceof File) || file.size === 0) {
    await access.served({ details: { refused: 'no file' } })
    return uploadRefusal('Choose a CSV file of REC quotes.')
  }
  const bytes = new Uint8Array(await file.arrayBuffer())
  const { platform, principal } = access
  const deps = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, log: platform.log.child({ procedure: spec.procedure }) }
  try {
    const result = await uploadSeriesFile(deps, principal, { source: REC_PRICES_CSV_SOURCE, file: file.name, bytes })
    const problems = result.issues > 0 ? refusedRows(bytes, file.name) : []
    await access.served({ details: { file: file.name, status: result.status, records: result.records, issues: result.issues, rawKey: result.rawKey } })
    return data<RecUploadAnswer>({
      ok: true,
      file: file.name,
      status: result.status,
      records: result.records,
      issues: result.issues,
      error: result.error,
      problems: problems.slice(0, MAX_LISTED_PROBLEMS),
    })
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    await access.served({ details: { file: file.name, refused: error.userMessage } })
    return uploadRefusal(error.userMessage, error.status)
  }
}

/** `/recs/template`: the upload layout's header line, as a CSV to fill in. */
export async function recTemplate(request: Request, context: AppLoadContext): Promise<Response> {
  const access = await accessData(request, context, { procedure: 'hub:rec-template', market: 'REC' })
  await access.served({ details: { template: REC_PRICES_CSV_SOURCE } })
  return new Response(`${REC_PRICES_CSV_HEADER.join(',')}\r\n`, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="carbon_rec_prices_template.csv"',
      'Cache-Control': 'no-store',
    },
  })
}

/* ------------------------------------------------------------------ fundamentals */

export type Respondent = { code: string; name: string; via: string | null }

export type FundamentalsView = {
  market: MarketId
  /** The EIA-930 respondents whose series this market holds. */
  respondents: Respondent[]
  respondent: Respondent | null
  /** Hourly, [from, to) as hour ends (ISO); null when the respondent holds no hourly value. */
  window: { from: string; to: string } | null
  unit: string
  demand: SeriesValueRow[]
  /** Net generation by energy source: the EIA code, its name, its values. */
  fuels: { code: string; name: string; values: SeriesValueRow[] }[]
}

/** The respondents of a market's GRID catalogue, by code. */
function respondentsOf(catalogue: readonly SeriesSummary[]): Respondent[] {
  const found = new Map<string, Respondent>()
  for (const s of catalogue) {
    const code = s.attributes.respondent
    if (!code || found.has(code)) continue
    found.set(code, { code, name: s.attributes.respondentName ?? EIA930_BALANCING_AUTHORITIES[code]?.name ?? code, via: s.attributes.via ?? null })
  }
  return [...found.values()].sort((a, b) => a.code.localeCompare(b.code))
}

/** The respondent shown by default: the market's own balancing authority when held, else the first. */
function defaultRespondent(market: MarketId, respondents: readonly Respondent[]): Respondent | null {
  return respondents.find((r) => EIA930_BALANCING_AUTHORITIES[r.code]?.market === market && r.via === null) ?? respondents[0] ?? null
}

/**
 * A market's EIA-930 fundamentals for its page: one respondent's hourly demand and net generation
 * by energy source over the last FUNDAMENTALS_DAYS days of data held. Cheap on purpose (it runs on
 * every market page view): the catalogue, then the respondent's demand and each fuel over the
 * window, read in parallel. The caller has passed the access gate for the market, and may pass
 * the market's GRID catalogue it already read.
 */
export async function loadFundamentals(ch: ClickHouseHandle, market: MarketId, asked: string | undefined, read?: readonly SeriesSummary[]): Promise<FundamentalsView> {
  const catalogue = read ?? (await listSeries(ch, { product: 'GRID', market })).series
  // EIA-930's series are hourly; the EIA-860M capacity series (monthly) name a respondent too.
  const respondents = respondentsOf(catalogue.filter((s) => s.frequency === 'hour'))
  const respondent = asked ? (respondents.find((r) => r.code === asked) ?? null) : defaultRespondent(market, respondents)
  const empty: FundamentalsView = { market, respondents, respondent, window: null, unit: 'MWh', demand: [], fuels: [] }
  if (!respondent) return empty
  const own = catalogue.filter((s) => s.attributes.respondent === respondent.code && s.frequency === 'hour')
  const demand = own.find((s) => s.series === `${respondent.code}.DEMAND`)
  const fuelSeries = own.filter((s) => s.attributes.fueltype !== undefined && s.measure === 'net_generation')
  const shown = [demand, ...fuelSeries].filter((s): s is SeriesSummary => s !== undefined)
  if (shown.length === 0) return empty
  const to = Math.max(...shown.map(afterLast))
  const window = { from: to - FUNDAMENTALS_DAYS * DAY_MS, to }
  const [demandValues, ...fuelValues] = await Promise.all([
    demand ? readValues(ch, { product: 'GRID', market }, demand, window) : Promise.resolve([]),
    ...fuelSeries.map((s) => readValues(ch, { product: 'GRID', market }, s, window)),
  ])
  return {
    ...empty,
    window: { from: iso(window.from + HOUR_MS), to: iso(window.to) },
    unit: demand?.unit ?? fuelSeries[0]?.unit ?? 'MWh',
    demand: demandValues,
    fuels: fuelSeries.map((s, i) => ({ code: s.attributes.fueltype!, name: s.attributes.name ?? s.attributes.fueltype!, values: fuelValues[i]! })),
  }
}
