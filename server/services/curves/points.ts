import type { CurveBuild, CurveMonth } from '@carbon/curves'
import { encodeCompactRows, logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'

const COLUMNS = ['curve_id', 'build_id', 'as_of', 'month', 'onpeak', 'offpeak', 'atc', 'hours_onpeak', 'hours_offpeak'] as const

/** Writes a build's monthly points (one insert; a repeated insert of the same build is read once). */
export async function insertCurvePoints(ch: ClickHouseHandle, build: { curveId: string; buildId: string; asOf: string }, months: CurveBuild['months']) {
  const body = await encodeCompactRows(months, (m) => [build.curveId, build.buildId, build.asOf, `${m.month}-01`, m.onpeak, m.offpeak, m.atc, m.hours.onpeak, m.hours.offpeak])
  const started = performance.now()
  await ch.insertEncoded('curve_points', COLUMNS, body)
  logIfSlow(ch, 'curves.points.insert', started, { rows: months.length })
}

type PointRow = { build: string; month_key: string; onpeak: number; offpeak: number; atc: number; hours_onpeak: number; hours_offpeak: number }

const POINTS_SQL = `
SELECT toString(build_id) AS build, formatDateTime(month, '%Y-%m') AS month_key, onpeak, offpeak, atc, hours_onpeak, hours_offpeak
FROM curve_points
WHERE curve_id = {curveId:String} AND build_id IN {buildIds:Array(UUID)}
ORDER BY build, month_key
LIMIT 1 BY build, month_key`

/** The monthly points of each build, by build id, in month order. */
export async function readCurvePoints(ch: ClickHouseHandle, curveId: string, buildIds: string[]): Promise<Map<string, CurveMonth[]>> {
  const byBuild = new Map<string, CurveMonth[]>(buildIds.map((id) => [id, []]))
  if (buildIds.length === 0) return byBuild
  const rows = await queryRows<PointRow>(ch, 'curves.points', POINTS_SQL, { curveId, buildIds })
  for (const row of rows) byBuild.get(row.build)?.push(toCurveMonth(row))
  return byBuild
}

const MONTH_SQL = `
SELECT toString(build_id) AS build, formatDateTime(month, '%Y-%m') AS month_key, onpeak, offpeak, atc, hours_onpeak, hours_offpeak
FROM curve_points
WHERE curve_id = {curveId:String} AND build_id IN {buildIds:Array(UUID)} AND month = {month:Date}
LIMIT 1 BY build`

/** One delivery month of each build (curves.history). */
export async function readCurveMonth(ch: ClickHouseHandle, curveId: string, buildIds: string[], month: string): Promise<Map<string, CurveMonth>> {
  if (buildIds.length === 0) return new Map()
  const rows = await queryRows<PointRow>(ch, 'curves.month', MONTH_SQL, { curveId, buildIds, month: `${month}-01` })
  return new Map(rows.map((row) => [row.build, toCurveMonth(row)]))
}

function toCurveMonth(row: PointRow): CurveMonth {
  const onpeak = Number(row.hours_onpeak)
  const offpeak = Number(row.hours_offpeak)
  return {
    month: row.month_key,
    onpeak: Number(row.onpeak),
    offpeak: Number(row.offpeak),
    atc: Number(row.atc),
    hours: { onpeak, offpeak, atc: onpeak + offpeak },
  }
}
