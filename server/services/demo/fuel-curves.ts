import { addMonths, GAS_SEASONAL_SHAPE, monthIndex, type FuelQuoteInput } from '@carbon/curves'
import { demoAsOfDates } from '@carbon/demo-data'
import { and, count, eq, ne } from 'drizzle-orm'
import { curveBuilds, curves } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { createFuelBuild, fuelCurveId, runBuild, type FuelProduct } from '../curves/index.ts'

/**
 * The demo's fuel curves: a house build of Henry Hub (GAS) and of the JKM - Henry Hub basis (LNG)
 * as of the latest demo trade date, from demo quotes, solved in this process like any build
 * (source 'demo') so /gas/curves and /lng/curves show a curve at first start.
 */

/** The demo curves and how their quotes are drawn. */
export const DEMO_FUEL_CURVES: readonly { product: FuelProduct; curve: string }[] = [
  { product: 'GAS', curve: 'HENRY_HUB' },
  { product: 'LNG', curve: 'JKM-HH' },
]

const round3 = (v: number) => Math.round(v * 1000) / 1000

/**
 * A demo quote set as of `asOf`: the twelve months after it, the four quarters of the year after
 * those, then two calendar years. Henry Hub: a level of 3.60 $/MMBtu x the gas seasonal shape,
 * in mild contango (1.5 %/yr). JKM - HH: a winter-peaking basis (about 9 $/MMBtu in January, 5 in
 * May), narrowing 0.25 $/MMBtu a year as new liquefaction arrives. Deterministic: same date, same quotes.
 */
export function demoFuelQuotes(curve: string, asOf: string): FuelQuoteInput[] {
  const first = addMonths(asOf.slice(0, 7), 1)
  const monthPrice = (month: string) => {
    const years = (monthIndex(month) - monthIndex(first)) / 12
    const shape = GAS_SEASONAL_SHAPE[monthIndex(month) % 12]!
    return curve === 'HENRY_HUB' ? 3.6 * shape * 1.015 ** years : 7 + 12 * (shape - 1) - 0.25 * years
  }
  const average = (months: string[]) => months.reduce((s, m) => s + monthPrice(m), 0) / months.length
  const quotes: FuelQuoteInput[] = []
  for (let k = 0; k < 12; k++) {
    const month = addMonths(first, k)
    quotes.push({ contract: month, price: round3(monthPrice(month)) })
  }
  const afterMonths = addMonths(first, 12)
  const nextYear = Number(afterMonths.slice(0, 4)) + (afterMonths.endsWith('-01') ? 0 : 1)
  for (let q = 1; q <= 4; q++) {
    const months = [0, 1, 2].map((i) => `${nextYear}-${String(q * 3 - 2 + i).padStart(2, '0')}`)
    quotes.push({ contract: `${nextYear}-Q${q}`, price: round3(average(months)) })
  }
  for (const year of [nextYear + 1, nextYear + 2]) {
    quotes.push({ contract: `Cal-${year}`, price: round3(average(Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`))) })
  }
  // The months between the twelve quoted ones and the quarters' year, when asOf is not in December.
  const gap = monthIndex(`${nextYear}-01`) - monthIndex(afterMonths)
  if (gap > 0) quotes.push({ contract: `${afterMonths}/${addMonths(`${nextYear}-01`, -1)}`, price: round3(average(Array.from({ length: gap }, (_, i) => addMonths(afterMonths, i)))) })
  return quotes
}

/** Whether any fuel curve build exists (demo or not). */
export async function hasFuelCurveBuilds(platform: Platform): Promise<boolean> {
  const [row] = await platform.pg.db.select({ n: count() }).from(curveBuilds).innerJoin(curves, eq(curves.id, curveBuilds.curveId)).where(ne(curves.commodity, 'power'))
  return Number(row?.n ?? 0) > 0
}

/** Builds the demo fuel curves as of the latest demo trade date before `end` (a curve already built as of it is skipped). */
export async function seedDemoFuelCurves(platform: Platform, options: { end?: Date } = {}): Promise<{ builds: number }> {
  const asOf = demoAsOfDates(options.end ?? new Date()).at(-1)!
  const { db } = platform.pg
  let builds = 0
  for (const { product, curve } of DEMO_FUEL_CURVES) {
    const [done] = await db
      .select({ n: count() })
      .from(curveBuilds)
      .where(and(eq(curveBuilds.curveId, fuelCurveId(product, curve)), eq(curveBuilds.asOf, asOf), eq(curveBuilds.source, 'demo'), eq(curveBuilds.status, 'done')))
    if (Number(done?.n ?? 0) > 0) continue
    const row = await createFuelBuild(db, { product, curve, asOf, quotes: demoFuelQuotes(curve, asOf), source: 'demo' }, { userId: null, label: 'demo', organizationId: null })
    const solved = await runBuild({ db, ch: platform.ch, log: platform.log }, row.id)
    if (solved?.status !== 'done') throw new Error(`demo fuel curve ${product} ${curve} as of ${asOf} did not build: ${solved?.error ?? 'unknown'}`)
    builds++
  }
  platform.log.info({ builds, asOf }, 'demo fuel curves built')
  return { builds }
}
