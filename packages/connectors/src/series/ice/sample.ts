/**
 * The documented sample of EIA's ICE next-day gas workbook kept in fixtures/ice/: the layout
 * ./next-day-gas.ts describes (header in row 1 with the "Delivery \nend date" line break, one row
 * per hub and trade date, dates as Excel dates), sheet named after the year as EIA names the
 * sheet of its ICE electricity workbook. The prices, volumes and counts are ILLUSTRATIVE, made up
 * for the test within the range of January 2017: no published figure of these files was found to
 * copy. fixtures/ice/write-sample.ts writes the file from here; the reader's test checks the
 * fixture is exactly what this builds, byte for byte.
 */
import { buildXlsx, type CellSpec } from '../../xlsx/build-xlsx.ts'

export type IceSampleRow = {
  hub: string
  tradeDate: string
  deliveryStart: string
  deliveryEnd: string
  high: number
  low: number
  average: number
  change: number
  volume: number
  trades: number
  counterparties: number
}

/** The headings as EIA's files write them (the line break in "Delivery \nend date" included). */
export const ICE_SAMPLE_HEADINGS = [
  'Price hub',
  'Trade date',
  'Delivery start date',
  'Delivery \nend date',
  'High price $/MMBtu',
  'Low price $/MMBtu',
  'Wtd avg price $/MMBtu',
  'Change',
  'Daily volume MMBtu',
  'Number of trades',
  'Number of counterparties',
] as const

const day = (hub: string, tradeDate: string, deliveryStart: string, deliveryEnd: string, values: [number, number, number, number, number, number, number]): IceSampleRow => {
  const [high, low, average, change, volume, trades, counterparties] = values
  return { hub, tradeDate, deliveryStart, deliveryEnd, high, low, average, change, volume, trades, counterparties }
}

/** Tuesday 2017-01-03 (delivery Wednesday) and Friday 2017-01-06 (delivery Saturday to Monday), by hub. Illustrative values. */
export const ICE_SAMPLE_ROWS: readonly IceSampleRow[] = [
  day('Algonquin Citygates', '2017-01-03', '2017-01-04', '2017-01-04', [7.75, 5.9, 6.6552, 1.4319, 85_300, 71, 22]),
  day('Algonquin Citygates', '2017-01-06', '2017-01-07', '2017-01-09', [9.5, 7.25, 8.3897, 0.6122, 61_000, 48, 17]),
  day('Henry', '2017-01-03', '2017-01-04', '2017-01-04', [3.6, 3.3, 3.4391, -0.2409, 651_200, 402, 68]),
  day('Henry', '2017-01-06', '2017-01-07', '2017-01-09', [3.35, 3.2, 3.2734, -0.0211, 382_500, 233, 52]),
  day('PG&E - Citygate', '2017-01-03', '2017-01-04', '2017-01-04', [3.95, 3.8, 3.8807, -0.0621, 98_400, 39, 15]),
  day('PG&E - Citygate', '2017-01-06', '2017-01-07', '2017-01-09', [3.75, 3.62, 3.6844, -0.0493, 70_200, 27, 12]),
  day('Socal-Citygate', '2017-01-03', '2017-01-04', '2017-01-04', [3.9, 3.7, 3.794, -0.038, 45_600, 22, 11]),
  day('TETCO-M3', '2017-01-03', '2017-01-04', '2017-01-04', [3.95, 3.5, 3.7268, 0.2846, 212_700, 118, 31]),
]

export const ICE_SAMPLE_SHEET = '2017'
export const ICE_SAMPLE_FIXTURE = 'eia_ice_natgas_2017_DOCUMENTED_LAYOUT.xlsx'

const COLUMNS = 'ABCDEFGHIJK'

/** The cells of a sheet holding these rows under the header (row 1). */
export function iceSampleCells(rows: readonly IceSampleRow[]): Record<string, CellSpec> {
  const cells: Record<string, CellSpec> = {}
  ICE_SAMPLE_HEADINGS.forEach((heading, i) => (cells[`${COLUMNS[i]}1`] = heading))
  rows.forEach((r, i) => {
    const values: CellSpec[] = [r.hub, { date: r.tradeDate }, { date: r.deliveryStart }, { date: r.deliveryEnd }, r.high, r.low, r.average, r.change, r.volume, r.trades, r.counterparties]
    values.forEach((value, column) => (cells[`${COLUMNS[column]}${i + 2}`] = value))
  })
  return cells
}

/** The sample workbook's bytes. */
export function iceNextDayGasSample(): Uint8Array {
  return buildXlsx([{ name: ICE_SAMPLE_SHEET, cells: iceSampleCells(ICE_SAMPLE_ROWS) }])
}
