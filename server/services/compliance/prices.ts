import { MAX_PRICE, type ProgramDefinition } from '@carbon/compliance'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { LCFS_PRICE_SERIES, recSeriesPrefix } from './programs.ts'

/**
 * The latest prices positions are valued at, read from ClickHouse `series_values` (the series
 * pipeline's table, docs/decisions/023). LCFS: the latest weekly credit price of the program's
 * series. RPS: per class, the REC quotes `REC.<STATE>.<CLASS>.<VINTAGE>`; a period takes the
 * latest quote of the vintage nearest it ({@link nearestVintage}).
 */

/** One stored price: its series, value ($/unit) and the date it is of (`YYYY-MM-DD`). */
export type Quote = { series: string; value: number; asOf: string }

/** A REC series' latest quote with the class and vintage its id encodes. */
export type RecQuote = Quote & { class: string; vintage: number }

/** Prices by program, class and period: null when nothing usable is stored. */
export type PriceBook = { quoteOf(program: ProgramDefinition, className: string, period: number): Quote | null }

const LCFS_SQL = `
SELECT series, value, formatDateTime(period_start, '%Y-%m-%d') AS asOf
FROM series_values FINAL
WHERE product = 'LCFS' AND market = '' AND series = {series:String} AND measure = 'price' AND frequency = 'week'
ORDER BY period_start DESC
LIMIT 1`

const REC_SQL = `
SELECT series, argMax(value, period_start) AS value, formatDateTime(max(period_start), '%Y-%m-%d') AS asOf
FROM series_values FINAL
WHERE product = 'REC' AND market = '' AND measure = 'price' AND startsWith(series, {prefix:String})
GROUP BY series`

const REC_ID = /^REC\.([A-Z]{2})\.([A-Z0-9_]+)\.(\d{4})$/

/** A price the package accepts (0..MAX_PRICE $/unit), else null: a stray value is not valued at. */
const usable = (quote: Quote): Quote | null => (Number.isFinite(quote.value) && quote.value >= 0 && quote.value <= MAX_PRICE ? quote : null)

async function latestLcfsQuote(ch: ClickHouseHandle, series: string): Promise<Quote | null> {
  const [row] = await queryRows<{ series: string; value: number | string; asOf: string }>(ch, 'compliance.lcfs_price', LCFS_SQL, { series })
  return row ? usable({ series: row.series, value: Number(row.value), asOf: row.asOf }) : null
}

/** The latest quote of every REC series of a state. */
export async function latestRecQuotes(ch: ClickHouseHandle, state: string): Promise<RecQuote[]> {
  const rows = await queryRows<{ series: string; value: number | string; asOf: string }>(ch, 'compliance.rec_quotes', REC_SQL, { prefix: `REC.${state}.` })
  const quotes: RecQuote[] = []
  for (const row of rows) {
    const id = REC_ID.exec(row.series)
    const quote = usable({ series: row.series, value: Number(row.value), asOf: row.asOf })
    if (id && quote) quotes.push({ ...quote, class: id[2]!, vintage: Number(id[3]) })
  }
  return quotes
}

/**
 * The quote of `className` whose vintage is nearest `period`: the period's own vintage when
 * quoted, else the nearest, the earlier of two equally near (a vintage later than the period
 * cannot be retired against it; an earlier one within the banking window can).
 */
export function nearestVintage(quotes: readonly RecQuote[], className: string, period: number): RecQuote | null {
  let best: RecQuote | null = null
  for (const quote of quotes) {
    if (quote.class !== className) continue
    const distance = Math.abs(quote.vintage - period)
    const bestDistance = best === null ? Number.POSITIVE_INFINITY : Math.abs(best.vintage - period)
    if (distance < bestDistance || (distance === bestDistance && best !== null && quote.vintage < best.vintage)) best = quote
  }
  return best
}

/** Reads what the programs' positions are valued at: one query per LCFS series and per RPS state. */
export async function readPriceBook(ch: ClickHouseHandle, programs: readonly ProgramDefinition[]): Promise<PriceBook> {
  const lcfs = new Map<string, Quote | null>()
  const rec = new Map<string, RecQuote[]>()
  for (const program of programs) {
    if (program.kind === 'LCFS') {
      const series = LCFS_PRICE_SERIES[program.id]
      lcfs.set(program.id, series ? await latestLcfsQuote(ch, series) : null)
    } else if (!rec.has(program.jurisdiction)) {
      rec.set(program.jurisdiction, await latestRecQuotes(ch, program.jurisdiction))
    }
  }
  return {
    quoteOf(program, className, period) {
      if (program.kind === 'LCFS') return lcfs.get(program.id) ?? null
      const quote = nearestVintage(rec.get(program.jurisdiction) ?? [], className, period)
      return quote && { series: quote.series, value: quote.value, asOf: quote.asOf }
    },
  }
}

/** Why a position has no value: what was looked for and not found. */
export function missingPriceNote(program: ProgramDefinition, className: string): string {
  if (program.kind === 'LCFS') {
    const series = LCFS_PRICE_SERIES[program.id]
    return series ? `no ${series} weekly price stored` : `no price series known for ${program.id}`
  }
  return `no ${recSeriesPrefix(program)}${className}.* quote stored`
}
