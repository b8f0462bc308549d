/**
 * The documented sample of CARB's weekly LCFS workbook kept in fixtures/environmental/: the
 * "Weekly Average Credit Price" sheet laid out as ./weekly.ts describes, holding only weeks whose
 * figures were published (CARB's numbers as quoted by the trade press; the README cites each).
 * fixtures/environmental/write-sample.ts writes the file from here; the reader's test checks the
 * fixture is exactly what this builds, byte for byte.
 */
import { buildXlsx, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { CARB_LCFS_WEEKLY_HEADINGS, CARB_LCFS_WEEKLY_SHEET } from './weekly.ts'

export type LcfsSampleWeek = {
  /** CARB's "Week Of": the Monday of the week (Monday to Sunday). */
  weekOf: string
  /** Volume-weighted average price of the week's transfers, $/MT. */
  price: number
  /** The same over Type 1 transfers; null where the quote gives none (left blank). */
  type1Price: number | null
  /** Credits transferred, MT. */
  volume: number
}

/** Weeks as published (see fixtures/environmental/README.md for where each was quoted). */
export const CARB_LCFS_SAMPLE_WEEKS: readonly LcfsSampleWeek[] = [
  { weekOf: '2019-04-08', price: 191.67, type1Price: null, volume: 124_111 },
  { weekOf: '2019-04-15', price: 188.41, type1Price: null, volume: 48_718 },
  { weekOf: '2019-06-10', price: 189.12, type1Price: null, volume: 86_403 },
  { weekOf: '2019-06-17', price: 191.87, type1Price: null, volume: 39_827 },
  { weekOf: '2019-06-24', price: 190.61, type1Price: null, volume: 401_628 },
  { weekOf: '2019-07-01', price: 191.67, type1Price: null, volume: 319_948 },
  { weekOf: '2020-05-18', price: 197.48, type1Price: 198.29, volume: 197_476 },
]

export const CARB_LCFS_SAMPLE_FIXTURE = 'carb_lcfs_weekly_credit_price_2019-2020_DOCUMENTED_LAYOUT.xlsx'

/** The cells of the weekly sheet holding these weeks (header in row 1, weeks from row 2). */
export function carbLcfsWeeklyCells(weeks: readonly LcfsSampleWeek[]): Record<string, CellSpec> {
  const cells: Record<string, CellSpec> = {
    A1: CARB_LCFS_WEEKLY_HEADINGS.week,
    B1: CARB_LCFS_WEEKLY_HEADINGS.price,
    C1: CARB_LCFS_WEEKLY_HEADINGS.type1Price,
    D1: CARB_LCFS_WEEKLY_HEADINGS.volume,
  }
  weeks.forEach((week, i) => {
    const row = i + 2
    cells[`A${row}`] = { date: week.weekOf }
    cells[`B${row}`] = week.price
    if (week.type1Price !== null) cells[`C${row}`] = week.type1Price
    cells[`D${row}`] = week.volume
  })
  return cells
}

/** The sample workbook's bytes. */
export function carbLcfsWeeklySample(): Uint8Array {
  return buildXlsx([{ name: CARB_LCFS_WEEKLY_SHEET, cells: carbLcfsWeeklyCells(CARB_LCFS_SAMPLE_WEEKS) }])
}
