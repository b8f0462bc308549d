/**
 * EIA's Henry Hub natural gas spot price (series RNGWHHD), as the publisher serves it in its dnav
 * history workbooks (layout in ./dnav-series.ts): monthly averages in RNGWHHDm.xls
 * (https://www.eia.gov/dnav/ng/hist_xls/RNGWHHDm.xls, each month an Excel date on its 15th) and
 * daily prices in RNGWHHDd.xls (https://www.eia.gov/dnav/ng/hist_xls/RNGWHHDd.xls, one row per
 * trading day), both in $/MMBtu, nominal.
 */
import { DNAV_CONTENTS_SHEET, DNAV_DATA_SHEET, readDnavSeriesXls, type DnavLayout } from './dnav-series.ts'
import { XlsParseError } from './xls-error.ts'

export type HenryHubMonth = { month: string; price: number }

export type HenryHubMonthly = {
  /** Release date of the file (`YYYY-MM-DD`, the Contents sheet's "Release Date:"), null when absent. */
  release: string | null
  /** The next release announced there, null when absent. */
  nextRelease: string | null
  /** Every month of the series in order, `YYYY-MM`, $/MMBtu; consecutive, no gaps. */
  months: HenryHubMonth[]
}

export const HENRY_HUB_DATA_SHEET = DNAV_DATA_SHEET
export const HENRY_HUB_CONTENTS_SHEET = DNAV_CONTENTS_SHEET
export const HENRY_HUB_SOURCE_KEY = 'RNGWHHD'
/** The price column's header, the same in the daily and the monthly workbook. */
export const HENRY_HUB_PRICE_HEADER = 'Henry Hub Natural Gas Spot Price (Dollars per Million Btu)'

const HENRY_HUB_PRICE = { sourceKey: HENRY_HUB_SOURCE_KEY, valueHeader: HENRY_HUB_PRICE_HEADER, valueName: 'price', unit: '$/MMBtu' } as const

/** RNGWHHDm.xls: one row per month, consecutive. */
export const HENRY_HUB_MONTHLY_LAYOUT: DnavLayout = { ...HENRY_HUB_PRICE, frequency: 'month' }
/** RNGWHHDd.xls: one row per trading day, in date order. */
export const HENRY_HUB_DAILY_LAYOUT: DnavLayout = { ...HENRY_HUB_PRICE, frequency: 'day' }

/**
 * Reads EIA's monthly Henry Hub spot price workbook, all or nothing (the fundamentals model wants
 * the whole consecutive history or none of it). Throws {@link XlsParseError} (a ParseError naming
 * file, sheet, row, column and value) when the bytes are not a BIFF8 workbook, the "Data 1" sheet
 * is missing, its header rows changed, or a data row is not a date and a price, repeats a month
 * or leaves months out: the first such row in the sheet is the one named.
 */
export function parseHenryHubMonthlyXls(bytes: Uint8Array, file: string): HenryHubMonthly {
  const series = readDnavSeriesXls(bytes, file, HENRY_HUB_MONTHLY_LAYOUT)
  const [first] = series.issues
  if (first) throw new XlsParseError(first)
  return {
    release: series.release,
    nextRelease: series.nextRelease,
    months: series.observations.map(({ date, value }) => ({ month: date.slice(0, 7), price: value })),
  }
}
