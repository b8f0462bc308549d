/**
 * The documented sample of CARB's monthly LCFS credit transfer activity kept in
 * fixtures/environmental/: the "Monthly Credit Transfer Activity" sheet laid out as ./monthly.ts
 * describes, holding only months whose figures were published (CARB's numbers as the trade press
 * quoted them; the README cites each and says which are derived). The zero-price columns are
 * headed but left blank: no quote gave them. fixtures/environmental/write-sample.ts writes the
 * file from here; the reader's test checks the fixture is exactly what this builds.
 */
import { buildXlsx, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { CARB_LCFS_MONTHLY_HEADINGS, CARB_LCFS_MONTHLY_SHEET } from './monthly.ts'

export type LcfsSampleMonth = {
  /** The month, `YYYY-MM` (written as an Excel date on its first day). */
  month: string
  /** Completed transfers with a price, zero-price ones excluded. */
  transfers: number
  /** Credits those transfers moved, MT. */
  volume: number
  /** Their volume-weighted average price, $/MT. */
  price: number
  /** Transfers at or near zero price and their credits; null leaves the cell blank. */
  zeroTransfers: number | null
  zeroVolume: number | null
}

/**
 * Months as published. November 2015 is quoted (rounded by the press); October 2015 is derived from
 * the month-on-month changes the same report quoted, so approximate (README, "Check values").
 */
export const CARB_LCFS_SAMPLE_MONTHS: readonly LcfsSampleMonth[] = [
  { month: '2015-10', transfers: 36, volume: 129_000, price: 60.01, zeroTransfers: null, zeroVolume: null },
  { month: '2015-11', transfers: 97, volume: 435_000, price: 86, zeroTransfers: null, zeroVolume: null },
]

export const CARB_LCFS_MONTHLY_SAMPLE_FIXTURE = 'carb_lcfs_monthly_credit_transfers_2015_DOCUMENTED_LAYOUT.xlsx'

/** The cells of the monthly sheet holding these months (header in row 1, months from row 2). */
export function carbLcfsMonthlyCells(months: readonly LcfsSampleMonth[]): Record<string, CellSpec> {
  const h = CARB_LCFS_MONTHLY_HEADINGS
  const cells: Record<string, CellSpec> = { A1: h.month, B1: h.transfers, C1: h.volume, D1: h.price, E1: h.zeroTransfers, F1: h.zeroVolume }
  months.forEach((m, i) => {
    const row = i + 2
    cells[`A${row}`] = { date: `${m.month}-01` }
    cells[`B${row}`] = m.transfers
    cells[`C${row}`] = m.volume
    cells[`D${row}`] = m.price
    if (m.zeroTransfers !== null) cells[`E${row}`] = m.zeroTransfers
    if (m.zeroVolume !== null) cells[`F${row}`] = m.zeroVolume
  })
  return cells
}

/** The sample workbook's bytes. */
export function carbLcfsMonthlySample(): Uint8Array {
  return buildXlsx([{ name: CARB_LCFS_MONTHLY_SHEET, cells: carbLcfsMonthlyCells(CARB_LCFS_SAMPLE_MONTHS) }])
}
