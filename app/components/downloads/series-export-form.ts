/**
 * The download center's series form as plain data (docs/decisions/023): the fields it posts and the
 * export request they make (server/services/exports/schemas.ts SeriesExport validates it and names
 * a wrong field). Pure: the view and the action share it.
 */

/** Form intents of the series form (the prices form's are `estimate` and `create`). */
export const SERIES_INTENTS = { estimate: 'series-estimate', create: 'series-create' } as const
export type SeriesIntent = (typeof SERIES_INTENTS)[keyof typeof SERIES_INTENTS]

export function isSeriesIntent(value: string): value is SeriesIntent {
  return value === SERIES_INTENTS.estimate || value === SERIES_INTENTS.create
}

/**
 * A scope the form offers: a product beside power (`GAS`), or a market's EIA-930 fundamentals
 * (`GRID:CAISO`): the value of the product picker.
 */
export type SeriesScopeValue = string

export function scopeValue(product: string, market: string | null): SeriesScopeValue {
  return market ? `${product}:${market}` : product
}

/** A scope value back to product and market (`GRID:CAISO` -> GRID, CAISO). */
export function parseScopeValue(value: string): { product: string; market: string | null } {
  const [product = '', market] = value.split(':', 2)
  return { product, market: market ?? null }
}

export type SeriesFormValues = { scope: string; measure: string; series: string[]; from: string; to: string; format: string }

export function readSeriesForm(form: FormData): SeriesFormValues {
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.trim() : ''
  }
  const series = form
    .getAll('series')
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map((v) => v.trim())
  return { scope: text('scope'), measure: text('measure'), series: [...new Set(series)], from: text('from'), to: text('to'), format: text('format') }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000

/** A YYYY-MM-DD date's UTC midnight as ISO, shifted by `days`; other text unchanged (the service names it). */
function utcDay(date: string, days = 0): string {
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(date))) return date
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString()
}

/**
 * The export request of the form: the picked series of one measure over period starts in [from,
 * the day after `to`) (both dates inclusive, as the form shows them), of a product or, for GRID,
 * of the market the scope names.
 */
export function seriesExportRequestOf(values: SeriesFormValues): Record<string, unknown> {
  const { product, market } = parseScopeValue(values.scope)
  return {
    dataset: 'series',
    product,
    ...(market ? { market } : {}),
    series: values.series,
    measure: values.measure || 'price',
    from: utcDay(values.from),
    to: utcDay(values.to, 1),
    format: values.format || 'csv',
  }
}

/** The default range of a scope's series: the year up to the newest period stored (dates, both inclusive). */
export function seriesDefaultRange(last: string | null, first: string | null, now: Date = new Date()): { from: string; to: string } {
  const to = last ? Date.parse(last) : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS
  const from = Math.max(first ? Date.parse(first) : -Infinity, to - 365 * DAY_MS)
  return { from: new Date(from).toISOString().slice(0, 10), to: new Date(to).toISOString().slice(0, 10) }
}
