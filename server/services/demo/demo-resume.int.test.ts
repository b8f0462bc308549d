import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { SERIES_SOURCES } from '@carbon/connectors'
import { DEMO_CURVE_HUBS, demoAsOfDates, generateDemoPrices, loadFixtureRecords } from '@carbon/demo-data'
import type { PriceRecord } from '@carbon/schemas'
import { and, eq, isNull } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startCarbon } from '../../../tests/support/carbon-process.ts'
import { openClickHouse, queryRows } from '../../adapters/clickhouse/client.ts'
import { openPostgres } from '../../adapters/postgres/client.ts'
import { curveBuilds, scenarioRuns } from '../../adapters/postgres/schema/index.ts'
import { parseEnv } from '../../env.ts'
import { repoRoot } from '../../paths.ts'
import { fuelCurveId } from '../curves/index.ts'
import { DEMO_FUEL_CURVES } from './fuel-curves.ts'
import { demoSeriesBytes, DEMO_SERIES_FILES } from './series.ts'
import { readDemoState } from './state.ts'

/*
 * A demo load killed (SIGKILL) halfway leaves a partial demo; the next start must notice, say so,
 * and load it again until it is complete: the same prices (count and keys) as an uninterrupted
 * load of the recorded window, the house base scenario run once, and every demo curve built once. Real processes: `carbon seed-demo`
 * killed after its first stored batch, then `carbon serve` on the same data directory.
 */
const DAYS = 20
let dataDir: string

beforeAll(() => {
  // `carbon serve` needs the hub's build (the e2e setup makes it the same way).
  if (!fs.existsSync(path.join(repoRoot, 'build/server/index.js'))) {
    const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-build.js')], { cwd: repoRoot, stdio: 'inherit' })
    if (build.status !== 0) throw new Error('building the hub failed')
  }
})

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function priceKey(r: PriceRecord): string {
  return `${r.market}|${r.node}|${r.run}|${Date.parse(r.intervalStart)}`
}

it('loads an interrupted demo again at the next start until it is complete', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-demo-resume-'))
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }

  // 1. The load, killed right after its first stored batch (the real files), before the history.
  const first = startCarbon(['seed-demo', '--days', String(DAYS)], env)
  await first.waitFor(/Loading demo data: \d+%/)
  first.child.kill('SIGKILL')
  expect((await first.exited).signal).toBe('SIGKILL')
  const interrupted = readDemoState(dataDir)
  expect(interrupted?.steps.prices).toBe('started')
  expect(interrupted?.days).toBe(DAYS)

  // 2. The next start notices, says so, and loads it again before serving.
  const serve = startCarbon(['serve', '--port', '0', '--no-ingest'], env)
  await serve.waitFor(/254Carbon hub: http/)
  expect(serve.output()).toContain('Demo data incomplete from an earlier start; loading again')
  serve.child.kill('SIGTERM')
  expect(await serve.exitWithin(10_000)).toEqual({ code: 0, signal: null })
  expect(readDemoState(dataDir)?.steps).toEqual({ prices: 'done', scenarios: 'done', curves: 'done', series: 'done', fuelCurves: 'done' })

  // 3. Complete: exactly the prices of an uninterrupted load of the recorded window, and the curves.
  const end = new Date(interrupted!.end)
  const keys = new Set(loadFixtureRecords().records.map(priceKey))
  for (const batch of generateDemoPrices({ end, days: DAYS })) for (const record of batch) keys.add(priceKey(record))
  const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
  try {
    const [row] = await queryRows<{ rows: string; keys: string }>(
      ch,
      'demo_resume_count',
      'SELECT count() AS rows, uniqExact(market, node, run, interval_start) AS keys FROM prices FINAL',
    )
    expect(Number(row!.rows)).toBe(keys.size)
    expect(Number(row!.keys)).toBe(keys.size)
    // The series of every demo file, once each (Henry Hub monthly among them, 355 months; the
    // generated EIA-860M inventories of August and September: MISO's 14 technologies and CAISO's
    // 16, PACW's among them, three measures each, two months).
    let expected = 0
    for (const f of DEMO_SERIES_FILES) expected += SERIES_SOURCES[f.source].parse(await demoSeriesBytes(f), f.file).records.length
    const [series] = await queryRows<{ rows: string; hh: string; miso: string; caiso: string }>(
      ch,
      'demo_resume_series',
      `SELECT count() AS rows, countIf(series = 'HENRY_HUB' AND frequency = 'month') AS hh,
        countIf(product = 'GRID' AND market = 'MISO' AND startsWith(series, 'MISO.CAPACITY.')) AS miso,
        countIf(product = 'GRID' AND market = 'CAISO' AND series LIKE '%.CAPACITY.%') AS caiso
      FROM series_values FINAL`,
    )
    expect(Number(series!.rows)).toBe(expected)
    expect(Number(series!.hh)).toBe(355)
    expect(Number(series!.miso)).toBe(14 * 3 * 2)
    expect(Number(series!.caiso)).toBe(16 * 3 * 2)
  } finally {
    await ch.close()
  }
  const pg = await openPostgres({ dataDir, DATABASE_URL: undefined })
  try {
    const builds = await pg.db
      .select({ curveId: curveBuilds.curveId, asOf: curveBuilds.asOf })
      .from(curveBuilds)
      .where(and(eq(curveBuilds.source, 'demo'), eq(curveBuilds.status, 'done')))
    const power = builds.filter((b) => !DEMO_FUEL_CURVES.some((f) => b.curveId === fuelCurveId(f.product, f.curve)))
    expect(power).toHaveLength(DEMO_CURVE_HUBS.length * demoAsOfDates(end).length)
    expect(new Set(builds.map((b) => `${b.curveId}|${b.asOf}`)).size).toBe(builds.length)
    // The fuel curves: Henry Hub and JKM-HH, once each, as of the latest demo trade date.
    expect(builds.filter((b) => !power.includes(b)).sort((a, b) => (a.curveId < b.curveId ? -1 : 1))).toEqual(
      DEMO_FUEL_CURVES.map((f) => ({ curveId: fuelCurveId(f.product, f.curve), asOf: demoAsOfDates(end).at(-1) })),
    )
    // The house base scenario, run once (deterministic) before the curves.
    const runs = await pg.db.select({ status: scenarioRuns.status, mode: scenarioRuns.mode }).from(scenarioRuns).where(isNull(scenarioRuns.organizationId))
    expect(runs).toEqual([{ status: 'done', mode: 'deterministic' }])
  } finally {
    await pg.close()
  }
})
