import type { MarketRun } from '@carbon/schemas'
import { addLocalDays, ceilToHour, DAY_MS, formatInZone } from './time.ts'

/**
 * The node page's view model, shared by the page (table, chart) and its CSV resource route so
 * the download holds exactly the rows and columns the table shows.
 */

export const RESOLUTIONS = ['raw', 'hourly', 'daily'] as const
export type ViewResolution = (typeof RESOLUTIONS)[number]

export const RANGES = {
  '24h': { label: '24h', days: 1 },
  '7d': { label: '7d', days: 7 },
  '30d': { label: '30d', days: 30 },
  '90d': { label: '90d', days: 90 },
} as const
export type RangeKey = keyof typeof RANGES
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[]

export const PAGE_SIZE = 200
/** Most points drawn per series; longer series are min/max-decimated for the chart only. */
export const CHART_MAX_POINTS = 1200

/** Query parameters of the node page and its CSV (parsed by NodeViewQuery in node-view.server.ts). */
export type NodeViewQuery = {
  resolution: ViewResolution
  range: RangeKey
  rt?: Exclude<MarketRun, 'DA'>
  page: number
  /** Where the window ends: the latest real-time interval (default) or the last published DA hour. */
  end: 'rt' | 'da'
}

/** The default real-time run drawn against DA: RT5 when the market has it. */
export function defaultRtRun(runs: readonly MarketRun[]): Exclude<MarketRun, 'DA'> | null {
  const rt = runs.filter((r): r is Exclude<MarketRun, 'DA'> => r !== 'DA')
  return rt.includes('RT5') ? 'RT5' : (rt[0] ?? null)
}

/**
 * The time window of a view, ending at the latest data: hour-aligned for raw/hourly, whole
 * market-time days for daily (so every daily bucket is complete).
 */
export function viewWindow(latestEnd: Date, range: RangeKey, resolution: ViewResolution, timeZone: string) {
  const days = RANGES[range].days
  if (resolution === 'daily') {
    const to = addLocalDays(new Date(latestEnd.getTime() - 1), 1, timeZone)
    const from = addLocalDays(new Date(to.getTime() - 1), 1 - days, timeZone)
    return { from, to }
  }
  const to = ceilToHour(latestEnd)
  return { from: new Date(to.getTime() - days * DAY_MS), to }
}

/** A history point as the view needs it (numbers only; the page formats them). */
export type PointValues = {
  start: number
  end: number
  lmp: number
  min: number
  max: number
  energy: number | null
  congestion: number | null
  loss: number | null
  onPeak: number | null
  offPeak: number | null
}

export type ViewRow = { t: number; da: PointValues | null; rt: PointValues | null }

type HistoryPointLike = {
  intervalStart: string
  intervalEnd: string
  lmp: number
  min: number
  max: number
  energy: number | null
  congestion: number | null
  loss: number | null
  onPeak: number | null
  offPeak: number | null
}

export function toPointValues(p: HistoryPointLike): PointValues {
  return {
    start: Date.parse(p.intervalStart),
    end: Date.parse(p.intervalEnd),
    lmp: p.lmp,
    min: p.min,
    max: p.max,
    energy: p.energy,
    congestion: p.congestion,
    loss: p.loss,
    onPeak: p.onPeak,
    offPeak: p.offPeak,
  }
}

/**
 * Joins DA and RT points into rows, newest first. A row exists for every interval start of
 * either series; its DA value is the DA interval containing it (so 5-minute RT rows carry the
 * hour's DA price, which is what settles against them).
 */
export function mergeRows(da: PointValues[], rt: PointValues[]): ViewRow[] {
  const daSorted = [...da].sort((a, b) => a.start - b.start)
  const rtByStart = new Map(rt.map((p) => [p.start, p]))
  const starts = new Set<number>([...daSorted.map((p) => p.start), ...rtByStart.keys()])
  const ordered = [...starts].sort((a, b) => a - b)
  const rows: ViewRow[] = []
  let i = 0
  for (const t of ordered) {
    while (i < daSorted.length && daSorted[i]!.end <= t) i++
    const candidate = daSorted[i]
    const daPoint = candidate && candidate.start <= t && t < candidate.end ? candidate : null
    rows.push({ t, da: daPoint, rt: rtByStart.get(t) ?? null })
  }
  return rows.reverse()
}

export type Column = {
  key: string
  label: string
  /** Column name in the CSV. */
  csv: string
  value: (row: ViewRow) => number | null
  /** Marks the DA−RT spread column (colored by sign). */
  signed?: boolean
}

const spread = (row: ViewRow) => (row.da && row.rt ? row.da.lmp - row.rt.lmp : null)

/** The table (and CSV) columns for a resolution; `rt` names the real-time run. */
export function viewColumns(resolution: ViewResolution, rt: string): Column[] {
  if (resolution === 'daily') {
    return [
      { key: 'da-atc', label: 'DA ATC', csv: 'da_atc', value: (r) => r.da?.lmp ?? null },
      { key: 'da-on', label: 'DA on-peak', csv: 'da_on_peak', value: (r) => r.da?.onPeak ?? null },
      { key: 'da-off', label: 'DA off-peak', csv: 'da_off_peak', value: (r) => r.da?.offPeak ?? null },
      { key: 'rt-atc', label: `${rt} ATC`, csv: `${rt.toLowerCase()}_atc`, value: (r) => r.rt?.lmp ?? null },
      { key: 'rt-on', label: `${rt} on-peak`, csv: `${rt.toLowerCase()}_on_peak`, value: (r) => r.rt?.onPeak ?? null },
      { key: 'rt-off', label: `${rt} off-peak`, csv: `${rt.toLowerCase()}_off_peak`, value: (r) => r.rt?.offPeak ?? null },
      { key: 'rt-min', label: `${rt} min`, csv: `${rt.toLowerCase()}_min`, value: (r) => r.rt?.min ?? null },
      { key: 'rt-max', label: `${rt} max`, csv: `${rt.toLowerCase()}_max`, value: (r) => r.rt?.max ?? null },
      { key: 'spread', label: 'DA−RT', csv: 'da_minus_rt', value: spread, signed: true },
    ]
  }
  if (resolution === 'hourly') {
    return [
      { key: 'da', label: 'DA LMP', csv: 'da_lmp', value: (r) => r.da?.lmp ?? null },
      { key: 'da-cong', label: 'DA cong.', csv: 'da_congestion', value: (r) => r.da?.congestion ?? null },
      { key: 'rt', label: `${rt} LMP`, csv: `${rt.toLowerCase()}_lmp`, value: (r) => r.rt?.lmp ?? null },
      { key: 'rt-min', label: `${rt} min`, csv: `${rt.toLowerCase()}_min`, value: (r) => r.rt?.min ?? null },
      { key: 'rt-max', label: `${rt} max`, csv: `${rt.toLowerCase()}_max`, value: (r) => r.rt?.max ?? null },
      { key: 'rt-cong', label: `${rt} cong.`, csv: `${rt.toLowerCase()}_congestion`, value: (r) => r.rt?.congestion ?? null },
      { key: 'spread', label: 'DA−RT', csv: 'da_minus_rt', value: spread, signed: true },
    ]
  }
  return [
    { key: 'da', label: 'DA LMP', csv: 'da_lmp', value: (r) => r.da?.lmp ?? null },
    { key: 'rt', label: `${rt} LMP`, csv: `${rt.toLowerCase()}_lmp`, value: (r) => r.rt?.lmp ?? null },
    { key: 'rt-energy', label: `${rt} energy`, csv: `${rt.toLowerCase()}_energy`, value: (r) => r.rt?.energy ?? null },
    { key: 'rt-cong', label: `${rt} cong.`, csv: `${rt.toLowerCase()}_congestion`, value: (r) => r.rt?.congestion ?? null },
    { key: 'rt-loss', label: `${rt} loss`, csv: `${rt.toLowerCase()}_loss`, value: (r) => r.rt?.loss ?? null },
    { key: 'spread', label: 'DA−RT', csv: 'da_minus_rt', value: spread, signed: true },
  ]
}

/** How the interval column labels a row: a date for daily, date and time otherwise. */
export function intervalLabel(t: number, resolution: ViewResolution, timeZone: string): string {
  return formatInZone(t, timeZone, resolution === 'daily' ? 'date' : 'datetime')
}

export type ChartPoint = { t: number; da: number | null; rt: number | null }

/**
 * Chart series from the rows (oldest first). Past CHART_MAX_POINTS the rows are bucketed and
 * each bucket keeps its lowest and highest RT row, so spikes survive the decimation.
 */
export function chartPoints(rowsNewestFirst: ViewRow[], maxPoints = CHART_MAX_POINTS): ChartPoint[] {
  const rows = [...rowsNewestFirst].reverse()
  const toPoint = (r: ViewRow): ChartPoint => ({ t: r.t, da: r.da?.lmp ?? null, rt: r.rt?.lmp ?? null })
  if (rows.length <= maxPoints) return rows.map(toPoint)
  const buckets = Math.floor(maxPoints / 2)
  const size = rows.length / buckets
  const out: ChartPoint[] = []
  for (let b = 0; b < buckets; b++) {
    const slice = rows.slice(Math.floor(b * size), Math.floor((b + 1) * size))
    if (slice.length === 0) continue
    let lo = slice[0]!
    let hi = slice[0]!
    for (const r of slice) {
      const v = r.rt?.lmp ?? r.da?.lmp ?? 0
      if (v < (lo.rt?.lmp ?? lo.da?.lmp ?? 0)) lo = r
      if (v > (hi.rt?.lmp ?? hi.da?.lmp ?? 0)) hi = r
    }
    const pair = lo === hi ? [lo] : lo.t < hi.t ? [lo, hi] : [hi, lo]
    out.push(...pair.map(toPoint))
  }
  return out
}

/** Search string for a node view, dropping defaults so links stay short. */
export function viewSearch(q: Partial<NodeViewQuery>, base: Partial<NodeViewQuery> = {}): string {
  const merged = { ...base, ...q }
  const sp = new URLSearchParams()
  if (merged.range && merged.range !== '7d') sp.set('range', merged.range)
  if (merged.resolution && merged.resolution !== 'hourly') sp.set('resolution', merged.resolution)
  if (merged.rt) sp.set('rt', merged.rt)
  if (merged.end && merged.end !== 'rt') sp.set('end', merged.end)
  if (merged.page && merged.page > 1) sp.set('page', String(merged.page))
  const s = sp.toString()
  return s ? `?${s}` : ''
}

export function nodeHref(market: string, node: string, search = ''): string {
  return `/markets/${encodeURIComponent(market)}/nodes/${encodeURIComponent(node)}${search}`
}

export function csvHref(market: string, node: string, search = ''): string {
  return `${nodeHref(market, node)}/csv${search}`
}

/**
 * The CSV text of rows under the given columns (RFC 4180, CRLF line ends). The local interval
 * start is written as the table shows it (market clock); the UTC one disambiguates DST.
 */
export function toCsv(
  rows: ViewRow[],
  columns: Column[],
  meta: { resolution: ViewResolution; timeZone: string },
  format: (v: number | null) => string,
): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  const header = ['interval_start_local', 'interval_start_utc', ...columns.map((c) => c.csv)]
  const lines = [header.map(quote).join(',')]
  for (const row of rows) {
    const cells = [
      intervalLabel(row.t, meta.resolution, meta.timeZone),
      new Date(row.t).toISOString(),
      ...columns.map((c) => format(c.value(row))),
    ]
    lines.push(cells.map(quote).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}
