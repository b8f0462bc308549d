import type { FuelCurveMonth } from '@carbon/curves'
import { encodeCompactRows, logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'

const COLUMNS = ['curve_id', 'build_id', 'as_of', 'month', 'price', 'days'] as const

/** Writes a fuel build's monthly points into `fuel_curve_points` (one insert; a repeated insert of a build is read once). */
export async function insertFuelCurvePoints(ch: ClickHouseHandle, build: { curveId: string; buildId: string; asOf: string }, months: readonly FuelCurveMonth[]) {
  const body = await encodeCompactRows(months, (m) => [build.curveId, build.buildId, build.asOf, `${m.month}-01`, m.price, m.days])
  const started = performance.now()
  await ch.insertEncoded('fuel_curve_points', COLUMNS, body)
  logIfSlow(ch, 'fuelCurves.points.insert', started, { rows: months.length })
}

type FuelPointRow = { build: string; month_key: string; price: number; days: number }

const POINTS_SQL = `
SELECT toString(build_id) AS build, formatDateTime(month, '%Y-%m') AS month_key, price, days
FROM fuel_curve_points
WHERE curve_id = {curveId:String} AND build_id IN {buildIds:Array(UUID)}
ORDER BY build, month_key
LIMIT 1 BY build, month_key`

/** The monthly points of each fuel build, by build id, in month order. */
export async function readFuelCurvePoints(ch: ClickHouseHandle, curveId: string, buildIds: string[]): Promise<Map<string, FuelCurveMonth[]>> {
  const byBuild = new Map<string, FuelCurveMonth[]>(buildIds.map((id) => [id, []]))
  if (buildIds.length === 0) return byBuild
  const rows = await queryRows<FuelPointRow>(ch, 'fuelCurves.points', POINTS_SQL, { curveId, buildIds })
  for (const row of rows) byBuild.get(row.build)?.push({ month: row.month_key, price: Number(row.price), days: Number(row.days) })
  return byBuild
}
