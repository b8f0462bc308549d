/**
 * The scenario pages' view logic (browser-safe, no server import): hrefs, query parsing, and the
 * shapes the charts and tables draw from a run's results (server/services/scenarios
 * getRunResults, diffRuns). Prices are averaged per year as the plain mean of the monthly prices
 * of the block (each month counts once; the run does not report hours per month).
 */

export const SCENARIO_BLOCKS = ['onpeak', 'offpeak'] as const
export type ScenarioBlock = (typeof SCENARIO_BLOCKS)[number]
export const SCENARIO_BLOCK_LABELS: Record<ScenarioBlock, string> = { onpeak: 'On-peak', offpeak: 'Off-peak' }

/** Technologies in stack order (baseload at the bottom of the stacked charts), with their colours. */
export const TECHNOLOGY_ORDER = ['nuclear', 'coal', 'gas_cc', 'gas_ct', 'hydro', 'wind', 'solar', 'storage'] as const
export const TECHNOLOGY_LABELS: Record<string, string> = {
  nuclear: 'Nuclear',
  coal: 'Coal',
  gas_cc: 'Gas CC',
  gas_ct: 'Gas CT',
  hydro: 'Hydro',
  wind: 'Wind',
  solar: 'Solar',
  storage: 'Storage',
}
export const TECHNOLOGY_COLORS: Record<string, string> = {
  nuclear: '#7c3aed',
  coal: '#44403c',
  gas_cc: '#ea580c',
  gas_ct: '#fb923c',
  hydro: '#0891b2',
  wind: '#16a34a',
  solar: '#eab308',
  storage: '#db2777',
}

export type RunStatusName = 'queued' | 'running' | 'done' | 'failed'
export const RUN_STATUS_LABELS: Record<RunStatusName, string> = { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed' }

/** Whether a run is still moving (the run page polls while it is). */
export function isRunActive(status: string): boolean {
  return status === 'queued' || status === 'running'
}

/** How often the run page asks for the run's status while it is queued or running. */
export const RUN_POLL_MS = 500

/** The editor's text for a new scenario extending `parent`. */
export function starterText(parent: string | null, name = 'My scenario'): string {
  const head = parent ? `scenario "${name}" extends "${parent}"` : `scenario "${name}"`
  return `${head}\n# One assumption per line, for example:\n# set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr\n# build solar 5000 MW in MISO at 2028-06\n`
}

export const scenarioHref = (id: string, version?: number | null) => `/scenarios/${encodeURIComponent(id)}${version ? `?version=${version}` : ''}`
export const newScenarioHref = (parent?: string | null) => `/scenarios/new${parent ? `?extends=${encodeURIComponent(parent)}` : ''}`

export type RunQuery = { market: string | null; hub: string | null; block: ScenarioBlock }

export const runHref = (runId: string, query: Partial<RunQuery> = {}) => `/scenarios/runs/${encodeURIComponent(runId)}${runSearch(query)}`

/** `?market=&hub=&block=` with only what differs from the defaults (block on-peak). */
export function runSearch(query: Partial<RunQuery>): string {
  const params = new URLSearchParams()
  if (query.market) params.set('market', query.market)
  if (query.hub) params.set('hub', query.hub)
  if (query.block && query.block !== 'onpeak') params.set('block', query.block)
  const text = params.toString()
  return text ? `?${text}` : ''
}

export const compareHref = (a: string, b: string, query: Partial<RunQuery> = {}) => {
  const params = new URLSearchParams({ a, b })
  if (query.market) params.set('market', query.market)
  if (query.hub) params.set('hub', query.hub)
  if (query.block && query.block !== 'onpeak') params.set('block', query.block)
  return `/scenarios/compare?${params.toString()}`
}

/** A results page's view query; an unknown block is a problem naming the field and value. */
export function parseRunQuery(params: URLSearchParams): { ok: true; query: RunQuery } | { ok: false; message: string } {
  const block = params.get('block') ?? 'onpeak'
  if (!(SCENARIO_BLOCKS as readonly string[]).includes(block)) {
    return { ok: false, message: `block: '${block}' is not a block; use ${SCENARIO_BLOCKS.join(' or ')}` }
  }
  const market = params.get('market')?.trim().toUpperCase() || null
  const hub = params.get('hub')?.trim() || null
  return { ok: true, query: { market, hub, block: block as ScenarioBlock } }
}

export type ScenarioPriceRow = { market: string; hub: string; block: string; month: string; price: number; p10: number; p50: number; p90: number }
export type ScenarioMixRow = { market: string; technology: string; month: string; capacityMw: number; generationMwh: number }
export type PriceDiffRow = { market: string; hub: string; block: string; month: string; a: number; b: number; delta: number; deltaPct: number | null }

/** UTC epoch ms of a `YYYY-MM` month's first day. */
export function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number)
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000

/** One point of the price chart: the month, its price and, on a Monte Carlo run, the P10-P90 band. */
export type PricePoint = { t: number; month: string; price: number; p10: number; p90: number; band: [number, number] }

/** The monthly prices of one hub and block, in month order. */
export function priceSeries(rows: readonly ScenarioPriceRow[], hub: string, block: string): PricePoint[] {
  return rows
    .filter((r) => r.hub === hub && r.block === block)
    .sort((x, y) => x.month.localeCompare(y.month))
    .map((r) => ({ t: monthStart(r.month), month: r.month, price: r.price, p10: r.p10, p90: r.p90, band: [r.p10, r.p90] }))
}

/** Whether any row carries a band (P10 below P90): a Monte Carlo run. */
export function hasBands(rows: readonly Pick<ScenarioPriceRow, 'p10' | 'p90'>[]): boolean {
  return rows.some((r) => r.p90 - r.p10 > 1e-9)
}

/** The hubs of the price rows, in first-seen order. */
export function hubsOf(rows: readonly { hub: string }[]): string[] {
  return [...new Set(rows.map((r) => r.hub))]
}

export type AnnualPriceRow = { year: number; values: Record<string, number | null> }

/** Key of a hub and block column of the annual table. */
export const columnKey = (hub: string, block: string) => `${hub}|${block}`

/** Mean monthly price per year for every hub and block (columns keyed by columnKey). */
export function annualAverages(rows: readonly ScenarioPriceRow[]): { columns: { hub: string; block: string; key: string }[]; years: AnnualPriceRow[] } {
  const sums = new Map<number, Map<string, { sum: number; n: number }>>()
  const columns = new Map<string, { hub: string; block: string; key: string }>()
  for (const r of rows) {
    const key = columnKey(r.hub, r.block)
    if (!columns.has(key)) columns.set(key, { hub: r.hub, block: r.block, key })
    const year = Number(r.month.slice(0, 4))
    let perYear = sums.get(year)
    if (!perYear) sums.set(year, (perYear = new Map()))
    const cell = perYear.get(key) ?? { sum: 0, n: 0 }
    cell.sum += r.price
    cell.n += 1
    perYear.set(key, cell)
  }
  const ordered = [...columns.values()].sort((x, y) => x.hub.localeCompare(y.hub) || SCENARIO_BLOCKS.indexOf(x.block as ScenarioBlock) - SCENARIO_BLOCKS.indexOf(y.block as ScenarioBlock))
  const years = [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([year, perYear]) => ({
      year,
      values: Object.fromEntries(ordered.map((c) => {
        const cell = perYear.get(c.key)
        return [c.key, cell && cell.n > 0 ? round4(cell.sum / cell.n) : null]
      })),
    }))
  return { columns: ordered, years }
}

/** One year of a stacked technology chart: `t` (1 January, UTC) and one value per technology. */
export type AnnualStackPoint = { t: number; year: number } & Record<string, number>

/** The technologies present in mix rows, in stack order (unknown ones after, alphabetically). */
export function technologiesOf(rows: readonly { technology: string }[]): string[] {
  const present = new Set(rows.map((r) => r.technology).filter((t) => !t.startsWith('_')))
  const known = TECHNOLOGY_ORDER.filter((t) => present.has(t))
  const other = [...present].filter((t) => !(TECHNOLOGY_ORDER as readonly string[]).includes(t)).sort()
  return [...known, ...other]
}

/**
 * The generation mix per year (TWh: the sum of the months' MWh / 10^6) or the installed capacity
 * per year (GW at the year's last reported month), one point per year with every technology.
 */
export function annualStack(rows: readonly ScenarioMixRow[], measure: 'generation' | 'capacity'): AnnualStackPoint[] {
  const techs = technologiesOf(rows)
  const byYear = new Map<number, { lastMonth: Record<string, string>; values: Record<string, number> }>()
  for (const r of rows) {
    if (r.technology.startsWith('_')) continue
    const year = Number(r.month.slice(0, 4))
    let entry = byYear.get(year)
    if (!entry) byYear.set(year, (entry = { lastMonth: {}, values: Object.fromEntries(techs.map((t) => [t, 0])) }))
    if (measure === 'generation') {
      entry.values[r.technology] = (entry.values[r.technology] ?? 0) + r.generationMwh / 1e6
    } else if ((entry.lastMonth[r.technology] ?? '') < r.month) {
      entry.lastMonth[r.technology] = r.month
      entry.values[r.technology] = r.capacityMw / 1000
    }
  }
  return [...byYear.entries()]
    .sort(([a], [b]) => a - b)
    .map(([year, entry]) => {
      const point: Record<string, number> = { t: Date.UTC(year, 0, 1), year }
      for (const tech of techs) point[tech] = round4(entry.values[tech] ?? 0)
      return point as AnnualStackPoint
    })
}

export type AnnualDiffRow = { year: number; a: number; b: number; delta: number; deltaPct: number | null }

/** The price difference of two runs per year for one hub and block (means of the monthly prices; delta = b - a). */
export function annualDiff(rows: readonly PriceDiffRow[], hub: string, block: string): AnnualDiffRow[] {
  const perYear = new Map<number, { a: number; b: number; n: number }>()
  for (const r of rows) {
    if (r.hub !== hub || r.block !== block) continue
    const year = Number(r.month.slice(0, 4))
    const cell = perYear.get(year) ?? { a: 0, b: 0, n: 0 }
    cell.a += r.a
    cell.b += r.b
    cell.n += 1
    perYear.set(year, cell)
  }
  return [...perYear.entries()]
    .sort(([x], [y]) => x - y)
    .map(([year, c]) => {
      const a = round4(c.a / c.n)
      const b = round4(c.b / c.n)
      return { year, a, b, delta: round4(b - a), deltaPct: a !== 0 ? round4(((b - a) / Math.abs(a)) * 100) : null }
    })
}

/** The largest absolute yearly price change across every hub and block of a diff (0 when the runs agree). */
export function largestDelta(rows: readonly PriceDiffRow[]): number {
  return rows.reduce((max, r) => Math.max(max, Math.abs(r.delta)), 0)
}

/** A diagnostic as the list below the editor shows it: `line:col message`. */
export type DiagnosticLike = { line: number; col: number; message: string; from: number; to: number; token?: string; suggestion?: string }

/** The text of a diagnostic's message, with its suggestion when the message does not already carry it. */
export function diagnosticText(d: Pick<DiagnosticLike, 'message' | 'suggestion'>): string {
  if (!d.suggestion || d.message.includes(d.suggestion)) return d.message
  return `${d.message} (did you mean ${d.suggestion}?)`
}

/** An ISO timestamp to the minute, in UTC ("2026-12-06 10:02 UTC"); '—' when there is none. */
export function utcMinute(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—'
}

/** The first 12 characters of a hash, for labels (the full hash goes in a title). */
export function shortId(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : '—'
}
