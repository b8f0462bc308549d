import { addDays } from '@carbon/schemas'
import { lineChart } from './chart.ts'
import { formatDay, formatNumber, formatUtc, MISSING } from './format.ts'
import { FUELS_CHART_DAYS, GAS_DECIMALS, OTHER_DECIMALS } from './fuels-calc.ts'
import type { FuelChange, FuelsReport } from './schemas.ts'
import type { ReportSection, ReportView, TableSection } from './view.ts'

/**
 * The fuels report as its printed form (the hub page, the API's HTML and the PDF print this one
 * view). Gas and LNG figures print with 3 decimals, LCFS and REC prices with 2, volumes whole.
 * Pure.
 */

const CHART = { width: 720, height: 260 }
const right = (label: string) => ({ label, align: 'right' as const })
const left = (label: string) => ({ label, align: 'left' as const })

const PRODUCT_NAMES: Record<FuelsReport['products'][number], string> = {
  GAS: 'natural gas (GAS)',
  LNG: 'LNG (LNG)',
  LCFS: 'LCFS credits (LCFS)',
  REC: 'renewable energy certificates (REC)',
}

/** A figure with a fixed number of decimals, or n/a. */
export const formatFixed = (value: number | null, decimals: number): string => formatNumber(value, decimals)

/** A signed figure (`+0.125`, `-1.500`, `0.000`), or n/a. */
export function formatSigned(value: number | null, decimals: number): string {
  if (value === null) return MISSING
  const text = formatNumber(value, decimals)
  return value > 0 ? `+${text}` : text
}

/** A change with the date it is against: `+0.125 (vs 2026-11-20)`, or n/a. */
export function formatFuelChange(change: FuelChange, decimals: number): string {
  return change.value === null ? MISSING : `${formatSigned(change.value, decimals)} (vs ${change.against})`
}

/** `week ending 2026-11-25` or `month 2026-10`. */
function lcfsPeriod(cadence: 'week' | 'month', period: string): string {
  return cadence === 'week' ? `week ending ${period}` : `month ${period}`
}

export function fuelsView(r: FuelsReport): ReportView {
  const sections: ReportSection[] = []
  if (r.henryHub) sections.push(henryHubTable(r), henryHubChart(r), hubsTable(r), forwardTable(r))
  if (r.lng) sections.push(lngTable(r))
  if (r.lcfs) sections.push(lcfsTable(r))
  if (r.recs) sections.push(recTable(r))
  if (r.leftOut.length > 0) {
    sections.push({
      kind: 'text',
      title: 'Not in this report',
      text: `Left out because your organization is not entitled to them on this channel: ${r.leftOut.map((p) => PRODUCT_NAMES[p]).join(', ')}. An administrator can grant them.`,
      mono: false,
    })
  }
  const hh = r.henryHub?.daily
  return {
    title: 'Gas, LNG and environmental',
    subtitle: `as of ${formatDay(r.date)}`,
    facts: [
      { label: 'As of', value: r.date },
      { label: 'Products', value: r.products.join(', ') || MISSING },
      ...(r.leftOut.length > 0 ? [{ label: 'Left out', value: r.leftOut.join(', ') }] : []),
      ...(hh ? [{ label: 'Henry Hub', value: `${formatFixed(hh.price, GAS_DECIMALS)} ${r.henryHub?.unit ?? ''} on ${hh.date}`.trim() }] : []),
    ],
    message: r.emptyMessage,
    sections: r.emptyMessage ? sections.filter((s) => s.kind === 'text') : sections,
    footer: `254Carbon, gas, LNG and environmental as of ${r.date}, generated ${formatUtc(r.generatedAt)}`,
  }
}

function henryHubTable(r: FuelsReport): TableSection {
  const hh = r.henryHub!
  const rows: string[][] = []
  if (hh.daily) {
    const d = hh.daily
    rows.push(['Daily', d.date, formatFixed(d.price, GAS_DECIMALS), formatFuelChange(d.day, GAS_DECIMALS), formatFuelChange(d.week, GAS_DECIMALS), formatFuelChange(d.month, GAS_DECIMALS)])
  }
  if (hh.monthly) {
    const m = hh.monthly
    rows.push(['Monthly average', m.month, formatFixed(m.price, GAS_DECIMALS), MISSING, MISSING, formatFuelChange(m.change, GAS_DECIMALS)])
  }
  return {
    kind: 'table',
    title: `Henry Hub (${hh.unit ?? '$/MMBtu'})`,
    note: 'daily: changes against the stored trading day before, the latest at least 7 days and one month before; monthly: the latest month ended by the date, against the month before',
    columns: [left('Series'), left('Period'), right('Price'), right('Day change'), right('Week change'), right('Month change')],
    rows,
    empty: `No Henry Hub price is stored on or before ${r.date}.`,
  }
}

function henryHubChart(r: FuelsReport): ReportSection {
  // The 90 days to the latest daily price on or before the report's date (the data's chart).
  const end = r.chart.at(-1)?.date ?? r.date
  const last = FUELS_CHART_DAYS - 1
  const from = addDays(end, -last)
  const dayIndex = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
  const xTicks = [0, 15, 30, 45, 60, 75, last].map((i) => ({ value: i, label: addDays(from, i).slice(5) }))
  return {
    kind: 'chart',
    title: `Henry Hub daily price, ${FUELS_CHART_DAYS} days to ${end} (${r.henryHub?.unit ?? '$/MMBtu'})`,
    note: `${from} to ${end}; gaps are days without a price (weekends, holidays)`,
    chart: lineChart({ ...CHART, series: [{ name: 'Henry Hub', points: r.chart.map((p) => ({ x: dayIndex(p.date), y: p.price })) }], xDomain: [0, last], xTicks, yLabel: r.henryHub?.unit ?? '$/MMBtu' }),
    empty: `No Henry Hub daily price is stored on or before ${r.date}.`,
  }
}

function hubsTable(r: FuelsReport): TableSection {
  return {
    kind: 'table',
    title: 'Gas hubs: latest price and basis to Henry Hub',
    note: 'basis: the hub minus Henry Hub on the same day',
    columns: [left('Hub'), left('Date'), right('Price'), left('Unit'), right('Henry Hub'), right('Basis')],
    rows: (r.hubs ?? []).map((h) => [h.name, h.date, formatFixed(h.price, GAS_DECIMALS), h.unit, formatFixed(h.henryHub, GAS_DECIMALS), h.note ?? formatSigned(h.basis, GAS_DECIMALS)]),
    empty: `No gas hub price is stored on or before ${r.date}.`,
  }
}

function forwardTable(r: FuelsReport): TableSection {
  const f = r.forward
  return {
    kind: 'table',
    title: f ? `Henry Hub forward curve (${f.unit})` : 'Henry Hub forward curve',
    ...(f ? { note: `as of ${f.asOf}, version ${f.version}, ${f.owner === 'house' ? '254Carbon' : 'your organization'}; 12 months, then calendar years (calendar-days-weighted)` } : {}),
    columns: [left('Period'), left('Months'), right('Price')],
    rows: (f?.rows ?? []).map((row) => [row.period, row.first === row.last ? row.first : `${row.first}..${row.last}`, formatFixed(row.price, GAS_DECIMALS)]),
    empty: r.forwardMessage ?? 'The build has no points.',
  }
}

function lngTable(r: FuelsReport): TableSection {
  return {
    kind: 'table',
    title: 'LNG: weekly benchmarks and basis to Henry Hub',
    note: 'weeks ending Wednesday; basis: the benchmark minus the Henry Hub daily average of the same week',
    columns: [left('Benchmark'), left('Week ending'), right('Price'), left('Unit'), right('Henry Hub week avg'), right('HH days'), right('Basis')],
    rows: (r.lng ?? []).map((l) => [
      l.series,
      l.weekEnding,
      formatFixed(l.price, GAS_DECIMALS),
      l.unit,
      formatFixed(l.henryHubAverage, GAS_DECIMALS),
      l.henryHubDays === null ? MISSING : String(l.henryHubDays),
      formatSigned(l.basis, GAS_DECIMALS),
    ]),
    empty: `No JKM or TTF week has ended by ${r.date}.`,
  }
}

function lcfsTable(r: FuelsReport): TableSection {
  return {
    kind: 'table',
    title: 'LCFS credits',
    note: 'weekly: CARB\'s weekly credit trades; monthly: CARB\'s monthly credit transfer activity (priced transfers)',
    columns: [left('Cadence'), left('Period'), right('Price'), right('Price change'), right('Volume'), right('Transfers')],
    rows: (r.lcfs ?? []).map((l) => [
      l.cadence === 'week' ? 'Weekly' : 'Monthly',
      lcfsPeriod(l.cadence, l.period),
      l.price === null ? MISSING : `${formatFixed(l.price, OTHER_DECIMALS)} ${l.priceUnit ?? ''}`.trim(),
      formatFuelChange(l.priceChange, OTHER_DECIMALS),
      l.volume === null ? MISSING : `${formatFixed(l.volume, 0)} ${l.volumeUnit ?? ''}`.trim(),
      formatFixed(l.transfers, 0),
    ]),
    empty: `No LCFS credit price or volume is stored for a period ended by ${r.date}.`,
  }
}

function recTable(r: FuelsReport): TableSection {
  return {
    kind: 'table',
    title: 'REC quotes (latest per series)',
    columns: [left('Series'), left('State'), left('Class'), left('Vintage'), left('Date'), right('Price'), left('Unit')],
    rows: (r.recs ?? []).map((q) => [q.series, q.state ?? MISSING, q.class ?? MISSING, q.vintage ?? MISSING, q.date, formatFixed(q.price, OTHER_DECIMALS), q.unit]),
    empty: `No REC quote is stored on or before ${r.date}.`,
  }
}
