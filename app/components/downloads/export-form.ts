/**
 * The download center's export form as plain data: the fields the form posts and the export
 * request they make (server/services/exports/schemas.ts ExportRequestInput validates it; a wrong
 * value is refused there, naming the field). Pure: the page and its action share it.
 */

export const DATASETS = [
  { value: 'prices', label: 'Prices' },
  { value: 'curves', label: 'Forward curves' },
  { value: 'scenario', label: 'Scenario results' },
] as const
export type Dataset = (typeof DATASETS)[number]['value']

export const RESOLUTIONS = [
  { value: 'raw', label: 'As published' },
  { value: 'hourly', label: 'Hourly' },
  { value: 'daily', label: 'Daily' },
] as const

export const FORMATS = [
  { value: 'csv', label: 'CSV' },
  { value: 'parquet', label: 'Parquet' },
] as const

const DAY_MS = 86_400_000
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** The default range: the 7 UTC days before today (from inclusive, to inclusive). */
export function defaultRange(now: Date = new Date()): { from: string; to: string } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  return { from: new Date(today - 7 * DAY_MS).toISOString().slice(0, 10), to: new Date(today - DAY_MS).toISOString().slice(0, 10) }
}

/** The fields the form posts, read as strings and lists. */
export type ExportFormValues = {
  dataset: string
  market: string
  nodes: string[]
  extraNodes: string
  runs: string[]
  from: string
  to: string
  resolution: string
  format: string
  asOf: string
  runId: string
  table: string
}

export function readExportForm(form: FormData): ExportFormValues {
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.trim() : ''
  }
  const list = (name: string) => form.getAll(name).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim())
  return {
    dataset: text('dataset'),
    market: text('market'),
    nodes: list('nodes'),
    extraNodes: text('extraNodes'),
    runs: list('runs'),
    from: text('from'),
    to: text('to'),
    resolution: text('resolution'),
    format: text('format'),
    asOf: text('asOf'),
    runId: text('runId'),
    table: text('table'),
  }
}

/** The nodes picked and typed (commas or new lines), trimmed, deduplicated, in order. */
export function nodesOf(values: Pick<ExportFormValues, 'nodes' | 'extraNodes'>): string[] {
  const typed = values.extraNodes.split(/[,\n]/).map((n) => n.trim())
  return [...new Set([...values.nodes, ...typed].filter(Boolean))]
}

/** The day after a YYYY-MM-DD date, or the text unchanged when it is not one (the service names it then). */
function dayAfter(date: string): string {
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(date))) return date
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
}

/** A UTC day start, or the text as given (so the service's error names the value the user typed). */
function utcStart(date: string): string {
  return ISO_DATE.test(date) ? `${date}T00:00:00Z` : date
}

/**
 * The export request of the form: prices over [from 00:00 UTC, the day after `to` 00:00 UTC) (both
 * dates inclusive, as the form shows them), curves of the picked hubs (as of a date when given),
 * or one scenario run's results (of the chosen market when one is).
 */
export function exportRequestOf(values: ExportFormValues): Record<string, unknown> {
  const format = values.format || 'csv'
  if (values.dataset === 'curves') {
    return { dataset: 'curves', market: values.market, nodes: nodesOf(values), ...(values.asOf ? { asOf: values.asOf } : {}), format }
  }
  if (values.dataset === 'scenario') {
    return { dataset: 'scenario', runId: values.runId, table: values.table || 'prices', ...(values.market ? { markets: [values.market] } : {}), format }
  }
  return {
    dataset: values.dataset || 'prices',
    market: values.market,
    nodes: nodesOf(values),
    run: values.runs.length > 0 ? values.runs : ['DA'],
    from: utcStart(values.from),
    to: utcStart(dayAfter(values.to)),
    resolution: values.resolution || 'raw',
    format,
  }
}

/** The market an export request names (the gate's market), if any. */
export function marketOfRequest(request: Record<string, unknown>): string | null {
  if (typeof request.market === 'string' && request.market) return request.market
  const markets = request.markets
  return Array.isArray(markets) && markets.length === 1 && typeof markets[0] === 'string' ? markets[0] : null
}
