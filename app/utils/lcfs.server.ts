import { LCFS_CREDIT_SERIES, LCFS_CREDIT_ZERO_PRICE_SERIES } from '@carbon/connectors'
import type { AppLoadContext } from '@remix-run/node'
import type { ClickHouseHandle } from '#server/adapters/clickhouse/client.ts'
import { listSeries, MAX_SERIES_VALUES } from '#server/services/series/index.ts'
import type { SeriesSummary } from '#server/services/series/schemas.ts'
import { seriesHistory } from '#server/services/series/store.ts'
import { withChanges, type Period } from '#app/components/series/series-view.ts'
import { accessData } from './data-access.server.ts'
import { orRespond } from './http.server.ts'

/**
 * The `/lcfs` page's monthly half (issue 18): CARB's monthly LCFS credit transfer activity
 * (`carb.lcfs.monthly_transfers`): per month the number of transfers, the credits they moved and
 * their average price, zero-price transfers counted apart. Read through accessData with LCFS as
 * data key, like the weekly half (app/utils/hub-products.server.ts `loadLcfs`), which it stands
 * beside: each half writes its own audit row.
 */

type Purpose = { channel: 'hub' | 'downloads'; procedure: string }

export type LcfsMonthRow = Period & {
  month: string
  price: number | null
  change: number | null
  volume: number | null
  transfers: number | null
  zeroTransfers: number | null
  zeroVolume: number | null
}

export type LcfsMonthlyView = { priceUnit: string; volumeUnit: string; rows: LcfsMonthRow[] }

type Wanted = { series: string; measure: 'price' | 'volume' | 'transfers'; field: 'price' | 'volume' | 'transfers' | 'zeroTransfers' | 'zeroVolume' }

/** The monthly series the page shows and the row field each fills. */
const WANTED: readonly Wanted[] = [
  { series: LCFS_CREDIT_SERIES, measure: 'price', field: 'price' },
  { series: LCFS_CREDIT_SERIES, measure: 'volume', field: 'volume' },
  { series: LCFS_CREDIT_SERIES, measure: 'transfers', field: 'transfers' },
  { series: LCFS_CREDIT_ZERO_PRICE_SERIES, measure: 'transfers', field: 'zeroTransfers' },
  { series: LCFS_CREDIT_ZERO_PRICE_SERIES, measure: 'volume', field: 'zeroVolume' },
]

/** The exclusive end of a monthly series' latest month. */
function afterLastMonth(summary: SeriesSummary): number {
  const last = new Date(summary.last)
  return Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1)
}

/** One monthly series' values in the window, oldest first. */
async function monthValues(ch: ClickHouseHandle, summary: SeriesSummary, window: { from: number; to: number }) {
  return seriesHistory(ch, {
    product: 'LCFS',
    market: null,
    series: summary.series,
    measure: summary.measure,
    frequency: 'month',
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    limit: MAX_SERIES_VALUES,
  })
}

/** An empty row of a month. */
function emptyRow(period: Period & { attributes: Record<string, string> }): LcfsMonthRow {
  const month = period.attributes.month ?? period.periodStart.slice(0, 7)
  return { periodStart: period.periodStart, periodEnd: period.periodEnd, month, price: null, change: null, volume: null, transfers: null, zeroTransfers: null, zeroVolume: null }
}

/** `/lcfs` (monthly part): every stored month of CARB's monthly transfer activity, newest first. */
export async function loadLcfsMonthly(request: Request, context: AppLoadContext, purpose: Purpose): Promise<LcfsMonthlyView> {
  const access = await accessData(request, context, { ...purpose, market: 'LCFS' })
  const { ch } = access.platform
  const { series: catalogue } = await orRespond(listSeries(ch, { product: 'LCFS' }))
  const found = WANTED.flatMap((wanted) => {
    const summary = catalogue.find((s) => s.series === wanted.series && s.measure === wanted.measure && s.frequency === 'month')
    return summary ? [{ wanted, summary }] : []
  })
  const window = found.length > 0 ? { from: Math.min(...found.map((f) => Date.parse(f.summary.first))), to: Math.max(...found.map((f) => afterLastMonth(f.summary))) } : null
  const read = await Promise.all(found.map(async (f) => ({ ...f, values: window ? await monthValues(ch, f.summary, window) : [] })))
  const rows = new Map<string, LcfsMonthRow>()
  const rowOf = (v: Period & { attributes: Record<string, string> }) => rows.get(v.periodStart) ?? rows.set(v.periodStart, emptyRow(v)).get(v.periodStart)!
  for (const { wanted, values } of read) {
    if (wanted.field === 'price') for (const v of withChanges(values)) Object.assign(rowOf(v), { price: v.value, change: v.change })
    else for (const v of values) rowOf(v)[wanted.field] = v.value
  }
  const sorted = [...rows.values()].sort((a, b) => b.periodStart.localeCompare(a.periodStart))
  const unitOf = (field: Wanted['field']) => found.find((f) => f.wanted.field === field)?.summary.unit
  await access.served({
    rangeFrom: window ? new Date(window.from).toISOString() : undefined,
    rangeTo: window ? new Date(window.to).toISOString() : undefined,
    details: { months: sorted.length },
  })
  return { priceUnit: unitOf('price') ?? '$/MT', volumeUnit: unitOf('volume') ?? 'MT', rows: sorted }
}
