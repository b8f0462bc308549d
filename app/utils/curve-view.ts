import { csvNumber } from './format.ts'

/**
 * The forward-curve pages' view model, pure so the page, its CSV route and the build form share
 * it and it can be unit tested: query parsing with defaults, links, the CSV texts (curve and
 * quotes) and the chart's series (a step line per block, quotes as segments over their months).
 */

/** The blocks a curve prices: on-peak, off-peak and around the clock (the hours-weighted mix). */
export const CURVE_BLOCKS = ['onpeak', 'offpeak', 'atc'] as const
export type CurveBlockKey = (typeof CURVE_BLOCKS)[number]
export const BLOCK_LABELS: Record<CurveBlockKey, string> = { onpeak: 'On-peak', offpeak: 'Off-peak', atc: 'ATC' }

/** The order the page offers them in: the standard view first (it is the default). */
export const CURVE_GRANULARITIES = ['standard', 'monthly', 'quarterly', 'annual'] as const
export type CurveGranularity = (typeof CURVE_GRANULARITIES)[number]
export const GRANULARITY_LABELS: Record<CurveGranularity, string> = {
  standard: 'Standard',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  annual: 'Annual',
}

/** The curve page's query: `asOf`/`compare` null mean the latest as-of date / no comparison. */
export type CurveViewQuery = {
  asOf: string | null
  granularity: CurveGranularity
  block: CurveBlockKey
  compare: string | null
}

export const DEFAULT_CURVE_QUERY: CurveViewQuery = { asOf: null, granularity: 'standard', block: 'onpeak', compare: null }

/** Whether `text` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const ms = Date.parse(`${text}T00:00:00Z`)
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text
}

function pick<T extends string>(raw: string | null, allowed: readonly T[], fallback: T): T | undefined {
  if (raw === null || raw.trim() === '') return fallback
  return (allowed as readonly string[]).includes(raw) ? (raw as T) : undefined
}

/**
 * Reads the curve page's query: blank or missing values take the defaults (latest as-of date,
 * standard view, on-peak, no comparison); an unknown value is an error naming the field, which
 * the loader answers with a 400. A comparison with the shown date itself is dropped.
 */
export function parseCurveQuery(search: URLSearchParams): { ok: true; query: CurveViewQuery } | { ok: false; message: string } {
  const granularity = pick(search.get('granularity'), CURVE_GRANULARITIES, 'standard')
  if (!granularity) return { ok: false, message: `granularity: expected one of ${CURVE_GRANULARITIES.join(', ')}` }
  const block = pick(search.get('block'), CURVE_BLOCKS, 'onpeak')
  if (!block) return { ok: false, message: `block: expected one of ${CURVE_BLOCKS.join(', ')}` }
  const date = (name: 'asOf' | 'compare') => {
    const raw = search.get(name)?.trim() ?? ''
    if (raw === '') return null
    return isIsoDate(raw) ? raw : undefined
  }
  const asOf = date('asOf')
  if (asOf === undefined) return { ok: false, message: 'asOf: expected a date as YYYY-MM-DD' }
  const compare = date('compare')
  if (compare === undefined) return { ok: false, message: 'compare: expected a date as YYYY-MM-DD' }
  return { ok: true, query: { asOf, granularity, block, compare: compare !== null && compare === asOf ? null : compare } }
}

/** The search string of a curve view, defaults dropped so links stay short ('' when all are defaults). */
export function curveSearch(query: Partial<CurveViewQuery>): string {
  const q = { ...DEFAULT_CURVE_QUERY, ...query }
  const sp = new URLSearchParams()
  if (q.asOf) sp.set('asOf', q.asOf)
  if (q.granularity !== 'standard') sp.set('granularity', q.granularity)
  if (q.block !== 'onpeak') sp.set('block', q.block)
  if (q.compare) sp.set('compare', q.compare)
  const s = sp.toString()
  return s ? `?${s}` : ''
}

/** The curve page of a market's hub node (names URL-encoded; `search` from curveSearch). */
export function curveHref(market: string, node: string, search = ''): string {
  return `/curves/${encodeURIComponent(market)}/${encodeURIComponent(node)}${search}`
}

/** The CSV download of a curve view (the resource route curves.$market.$node_.csv). */
export function curveCsvHref(market: string, node: string, search = ''): string {
  return `${curveHref(market, node)}/csv${search}`
}

/** The build form of a curve (analysts only). */
export function curveBuildHref(market: string, node: string): string {
  return `${curveHref(market, node)}/build`
}

/** A delivery period of a curve view, as the curve service answers it. */
export type CurvePointLike = {
  period: string
  first: string
  last: string
  onpeak: number
  offpeak: number
  atc: number
  hours: { onpeak: number; offpeak: number; atc: number }
}

/** A stored quote of a build, as the curve service answers it. */
export type CurveQuoteLike = {
  contract: string
  block: CurveBlockKey
  price: number
  bid: number | null
  ask: number | null
  first: string
  last: string
  repriced: number | null
}

type Prices = { onpeak: number; offpeak: number; atc: number }

/** UTC instant (ms) a delivery month YYYY-MM starts. */
export function monthStartMs(month: string): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1)
}

/** UTC instant (ms) the month after YYYY-MM starts: where a period ending with that month stops. */
export function monthEndMs(month: string): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)
}

export const CURVE_CSV_COLUMNS = ['period', 'first', 'last', 'onpeak', 'offpeak', 'atc', 'hours_onpeak', 'hours_offpeak'] as const

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * The CSV of a curve view (RFC 4180, CRLF): one row per period with the three blocks' prices to
 * the cent (rounded as the page shows them) and the period's on-peak and off-peak hours.
 */
export function curveCsv(points: readonly CurvePointLike[]): string {
  const lines = [CURVE_CSV_COLUMNS.join(',')]
  for (const p of points) {
    const cells = [p.period, p.first, p.last, csvNumber(p.onpeak), csvNumber(p.offpeak), csvNumber(p.atc), String(p.hours.onpeak), String(p.hours.offpeak)]
    lines.push(cells.map(csvCell).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}

/** `MISO_INDIANA.HUB_curve_2026-11-20_v2_standard.csv`: says which build and view it holds; filename-safe. */
export function curveCsvFilename(build: { market: string; node: string; asOf: string; version: number }, granularity: CurveGranularity): string {
  return `${build.market}_${build.node}_curve_${build.asOf}_v${build.version}_${granularity}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')
}

/** Shortest decimal text of a price ('58.5', '-3.25'); JS's own, which the quote parser reads back exactly. */
const quoteNumber = (n: number) => String(n)

/**
 * The quotes of a build as the quote CSV the build form takes back (`contract,block,price` and
 * `bid,ask` when any quote has them), in the build's order: editing one price and submitting
 * builds the same set with that change.
 */
export function quotesCsv(quotes: readonly Pick<CurveQuoteLike, 'contract' | 'block' | 'price' | 'bid' | 'ask'>[]): string {
  const withBands = quotes.some((q) => q.bid !== null || q.ask !== null)
  const header = withBands ? 'contract,block,price,bid,ask' : 'contract,block,price'
  const rows = quotes.map((q) => {
    const cells = [q.contract, q.block, quoteNumber(q.price)]
    if (withBands) cells.push(q.bid === null ? '' : quoteNumber(q.bid), q.ask === null ? '' : quoteNumber(q.ask))
    return cells.map(csvCell).join(',')
  })
  return `${[header, ...rows].join('\n')}\n`
}

/** A stretch of delivery months with one price (a period of the curve), named by its period when known. */
export type PriceSpan = { first: string; last: string; value: number; period?: string }

/** The chosen block's price per period. */
export function blockSpans(
  points: readonly Pick<CurvePointLike, 'period' | 'first' | 'last' | 'onpeak' | 'offpeak' | 'atc'>[],
  block: CurveBlockKey,
): PriceSpan[] {
  return points.map((p) => ({ period: p.period, first: p.first, last: p.last, value: p[block] }))
}

/**
 * One x of the chart: `value` the shown build's price, `compare` the compared build's (null where
 * it has none), `period` the shown period delivering from `t` (for the tooltip).
 */
export type CurveChartPoint = { t: number; value: number | null; compare: number | null; period: string | null }

/** The span delivering at `t`; at the very end of the last span that span (closes the last step). */
function spanAt(spans: readonly PriceSpan[], t: number): PriceSpan | null {
  for (const s of spans) {
    if (monthStartMs(s.first) <= t && t < monthEndMs(s.last)) return s
  }
  const last = spans.at(-1)
  return last && monthEndMs(last.last) === t ? last : null
}

/**
 * The chart's data for a step-after line: one x at every period boundary of either series (UTC
 * month starts, the last period's end included so the last step has its width), each carrying the
 * price of the period delivering from there. A compared build aggregated into other periods (a
 * partial first quarter) lines up because both are sampled at every boundary.
 */
export function chartSeries(base: readonly PriceSpan[], compare: readonly PriceSpan[] | null = null): CurveChartPoint[] {
  const xs = new Set<number>()
  for (const s of [...base, ...(compare ?? [])]) {
    xs.add(monthStartMs(s.first))
    xs.add(monthEndMs(s.last))
  }
  return [...xs]
    .sort((a, b) => a - b)
    .map((t) => {
      const shown = spanAt(base, t)
      return { t, value: shown?.value ?? null, compare: compare ? (spanAt(compare, t)?.value ?? null) : null, period: shown?.period ?? null }
    })
}

/** A quote drawn on the chart: a horizontal segment at its price over its delivery months [x1, x2). */
export type QuoteSegment = { contract: string; price: number; repriced: number | null; x1: number; x2: number }

/** The quotes of the chosen block as segments, in delivery order (an ATC view shows only ATC quotes). */
export function quoteSegments(quotes: readonly CurveQuoteLike[], block: CurveBlockKey): QuoteSegment[] {
  return quotes
    .filter((q) => q.block === block)
    .map((q) => ({ contract: q.contract, price: q.price, repriced: q.repriced, x1: monthStartMs(q.first), x2: monthEndMs(q.last) }))
    .sort((a, b) => a.x1 - b.x1 || a.x2 - b.x2)
}

/**
 * January-1st ticks between two instants, every 1, 2, 5 or 10 years: the fewest-years step that
 * keeps at most `maxTicks` of them.
 */
export function yearTicks(from: number, to: number, maxTicks = 10): number[] {
  const firstYear = new Date(from).getUTCFullYear() + (Date.UTC(new Date(from).getUTCFullYear(), 0, 1) < from ? 1 : 0)
  const lastYear = new Date(to).getUTCFullYear()
  const years = Math.max(0, lastYear - firstYear + 1)
  const step = [1, 2, 5, 10, 20].find((s) => Math.ceil(years / s) <= Math.max(1, maxTicks)) ?? 50
  const ticks: number[] = []
  const start = Math.ceil(firstYear / step) * step
  for (let y = start; y <= lastYear; y += step) ticks.push(Date.UTC(y, 0, 1))
  return ticks
}

/** A row of the periods table: the view's prices and hours, with the change against the compared date. */
export type PeriodRow = CurvePointLike & { change: Prices | null }

/** A row of curves.compare: the same months on both sides, `change` = shown minus compared. */
export type CompareRowLike = { period: string; first: string; last: string; change: Prices | null }

/**
 * The periods table: each period of the view with the change against the compared date, taken
 * from the curves.compare row of the same period and months (that service compares a partial
 * first period as it is); a period the comparison aggregates differently gets no change.
 */
export function periodRows(points: readonly CurvePointLike[], compare: readonly CompareRowLike[] | null = null): PeriodRow[] {
  const byPeriod = new Map((compare ?? []).map((r) => [r.period, r]))
  return points.map((p) => {
    const other = byPeriod.get(p.period)
    const change = other && other.first === p.first && other.last === p.last ? other.change : null
    return { ...p, change }
  })
}

/** How long the build form waits for the solver before answering that the build is still queued. */
export const BUILD_WAIT_MS = 20_000

/** The first characters of an inputs hash, enough to tell builds apart at a glance. */
export function shortHash(hash: string, length = 12): string {
  return hash.slice(0, length)
}
