import { buildFuelCurve, CurveConflictError, CurveInputError, normalizeFuelQuotes, type FuelBuildParams, type FuelCommodity } from '@carbon/curves'
import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, type curves, type Database } from '../../adapters/postgres/schema/index.ts'
import { insertFuelCurvePoints } from './fuel-points.ts'
import type { FuelStoredQuote } from './fuel-schemas.ts'

type BuildRow = typeof curveBuilds.$inferSelect
type CurveRow = typeof curves.$inferSelect

/** The fuel quotes a build row stores, validated again (they were when stored; a stored row is input too). */
export function fuelQuotesOf(stored: readonly FuelStoredQuote[]) {
  return normalizeFuelQuotes(stored.map((q) => ({ contract: q.contract, price: q.price, bid: q.bid, ask: q.ask })))
}

async function finish(db: Database, buildId: string, values: Partial<typeof curveBuilds.$inferInsert>): Promise<BuildRow> {
  const [row] = await db.update(curveBuilds).set(values).where(eq(curveBuilds.id, buildId)).returning()
  return row!
}

/**
 * The solver's half of a fuel build (gas, LNG basis): packages/curves buildFuelCurve -> ClickHouse
 * `fuel_curve_points` -> the row 'done' with the repriced quotes and diagnostics. As for power
 * (builds.ts runBuild, which dispatches here on the curve's commodity), a refused or failing solve
 * marks the build failed with the reason and is never thrown; only a store outage throws.
 */
export async function solveFuelBuild(deps: { db: Database; ch: ClickHouseHandle; log: Logger }, row: BuildRow, curve: CurveRow): Promise<BuildRow> {
  const { db, ch, log } = deps
  const started = performance.now()
  const stored = row.quotes as FuelStoredQuote[]
  let result: ReturnType<typeof buildFuelCurve>
  try {
    result = buildFuelCurve({
      curve: curve.id,
      commodity: curve.commodity as FuelCommodity,
      quotes: fuelQuotesOf(stored),
      asOf: row.asOf,
      params: row.params as Partial<FuelBuildParams>,
    })
  } catch (error) {
    const known = error instanceof CurveInputError || error instanceof CurveConflictError
    if (known) log.info({ buildId: row.id, curve: curve.id, reason: error.message }, 'fuel curve build refused')
    else log.warn({ buildId: row.id, curve: curve.id, err: error }, 'fuel curve build failed in the solver')
    const reason = known ? error.message : `the solver failed: ${error instanceof Error ? error.message : String(error)}`
    return finish(db, row.id, { status: 'failed', error: reason, finishedAt: new Date() })
  }
  await insertFuelCurvePoints(ch, { curveId: curve.id, buildId: row.id, asOf: row.asOf }, result.months)
  // The build lists quotes in its canonical order; the row keeps the request's order.
  const keyOf = (code: string, q: { price: number; bid: number | null; ask: number | null }) => `${code}|${q.price}|${q.bid}|${q.ask}`
  const repriced = new Map(result.quotes.map((q) => [keyOf(q.code, q), q.repriced]))
  const ms = Math.round(performance.now() - started)
  log.info({ buildId: row.id, curve: curve.id, asOf: row.asOf, version: row.version, months: result.months.length, ms }, 'fuel curve built')
  return finish(db, row.id, {
    status: 'done',
    quotes: stored.map((q) => ({ ...q, repriced: repriced.get(keyOf(q.contract, q)) ?? null })),
    method: result.diagnostics.method,
    diagnostics: { ...result.diagnostics, solveMs: ms },
    firstMonth: result.firstMonth,
    lastMonth: result.lastMonth,
    finishedAt: new Date(),
  })
}
