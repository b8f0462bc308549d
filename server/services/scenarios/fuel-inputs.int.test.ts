import { readFile } from 'node:fs/promises'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import { BASE_DATA_VERSION, bundledFuelHistory, FUEL_HISTORY_ID, fuelHistoryId } from '@carbon/scenario'
import type { SeriesRecord } from '@carbon/schemas'
import { eq } from 'drizzle-orm'
import { scenarioRuns } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { startScenarioWorker, type ScenarioWorker } from '../../workers/scenario-worker.ts'
import { insertSeriesValues } from '../series/store.ts'
import { identityOf } from './engine.ts'
import {
  computeRunRows,
  createInlineModelRunner,
  createRun,
  executeRun,
  getRun,
  getScenario,
  readFuelSnapshot,
  readLoadShapesSnapshot,
  readRunMix,
  readRunPrices,
  requestHouseBaseRun,
  requestRun,
  seedHouseScenarios,
  storedAsTuples,
  storedHenryHubHistory,
  storedMeasuredLoad,
  waitForRun,
} from './index.ts'
import { HOUSE_ACCESS, HOUSE_BASE_ID, type RunStatus, type ScenarioAccess } from './schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The scenario engine's inputs from the stored datasets against the real stores: Henry Hub monthly
 * records (read from EIA's workbook by the real reader) and EIA-930 hourly demand written to
 * ClickHouse `series_values` by the series store, runs
 * requested through the scenario service and computed by the scenario worker (model thread), each
 * run's snapshot in its PostgreSQL row.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let worker: ScenarioWorker
let org: ScenarioAccess
const db = () => platform.pg.db
const runDeps = () => ({ db: platform.pg.db, bus: platform.bus, log, ch: platform.ch })

/** EIA's monthly Henry Hub workbook as the series ingest reads it: one GAS HENRY_HUB record per month. */
async function workbookRecords(): Promise<SeriesRecord[]> {
  const bytes = new Uint8Array(await readFile(new URL(HENRY_HUB_MONTHLY_FIXTURE, EIA_FIXTURE_DIR)))
  const parsed = SERIES_SOURCES['eia.ng.hh_spot_monthly'].parse(bytes, HENRY_HUB_MONTHLY_FIXTURE)
  expect(parsed.errors).toEqual([])
  return parsed.records
}

async function store(records: SeriesRecord[], ingestedAt: string) {
  await insertSeriesValues(platform.ch, records, { ingestedAt, rawKey: `raw/GAS/eia.ng.hh_spot_monthly/${ingestedAt}.xls` })
}

async function runBase(): Promise<RunStatus> {
  const queued = await requestRun(runDeps(), org, { scenarioId: HOUSE_BASE_ID, mode: 'deterministic' })
  const done = await waitForRun(db(), org, queued.runId, 120_000)
  expect(done.status, done.error ?? '').toBe('done')
  return done
}

async function price(runId: string, month: string): Promise<number> {
  const rows = await readRunPrices(platform.ch, runId, ['MISO'], { from: month, to: month })
  return rows.find((r) => r.hub === 'INDIANA.HUB' && r.block === 'onpeak')!.price
}

/** The run's rows as stored, and as the model computes them again from the run's own snapshots. */
async function storedAndRecomputed(run: RunStatus) {
  const snapshot = (await readFuelSnapshot(db(), run.fuelHistoryId))!
  const shapes = run.lineage.loadShapes ? (await readLoadShapesSnapshot(db(), run.lineage.loadShapes.id))!.loads : []
  const canonical = (await getScenario(db(), org, { id: HOUSE_BASE_ID })).canonical
  const recomputed = computeRunRows({ canonical, mode: 'deterministic', fuel: { release: snapshot.release, months: snapshot.months }, shapes })
  const markets = ['CAISO', 'MISO'] as const
  const { mix, system } = await readRunMix(platform.ch, run.runId, markets)
  return { stored: storedAsTuples(await readRunPrices(platform.ch, run.runId, markets), mix, system), recomputed }
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-fuel-inputs-', log })
  platform = stores.platform
  org = { organizationId: await createTestOrganization(platform.pg.db, 'fuel-inputs-org'), userId: null, label: 'fay@fuel.example' }
  await seedHouseScenarios(platform.pg.db)
  worker = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
})

afterAll(async () => {
  await worker?.stop()
  await stores?.close()
})

describe('the Henry Hub history a run is computed from', () => {
  let workbookRun: RunStatus
  let seriesRun: RunStatus
  const REVISED_MONTH = '2025-03'

  it('with no stored series: the bundled workbook, named in the lineage and readable by its id', async () => {
    expect((await storedHenryHubHistory(platform.ch)).months).toEqual([])
    workbookRun = await runBase()
    expect(workbookRun).toMatchObject({ fuelHistoryId: FUEL_HISTORY_ID, baseDataVersion: BASE_DATA_VERSION })
    expect(workbookRun.lineage).toMatchObject({ fuelHistoryId: FUEL_HISTORY_ID, fuelHistory: { source: 'workbook', release: '2026-08-19', first: '1997-01', workbookMonths: 0 } })
    expect(workbookRun.lineage).not.toHaveProperty('fuelSnapshot')
    const snapshot = await readFuelSnapshot(db(), FUEL_HISTORY_ID)
    expect(snapshot).toMatchObject({ id: FUEL_HISTORY_ID, source: 'workbook', release: '2026-08-19' })
    expect(snapshot!.months).toEqual(bundledFuelHistory().history.months)
    const canonical = (await getScenario(db(), org, { id: HOUSE_BASE_ID })).canonical
    expect(workbookRun.runId).toBe(identityOf(canonical, 'deterministic', null, null).runId)
  })

  it('with the series stored from 2024 on (a month revised): those months, the workbook before, a new run id; the snapshot equals the stored history', async () => {
    const records = (await workbookRecords())
      .filter((r) => r.periodStart >= '2024-01-01')
      .map((r) => ({ ...r, value: r.periodStart.startsWith(REVISED_MONTH) ? 6.5 : r.value, publishedAt: '2026-08-19T15:02:11.000Z' }))
    await store(records, '2026-08-20T06:00:00.000Z')
    const stored = await storedHenryHubHistory(platform.ch)
    expect(stored.release).toBe('2026-08-19')
    expect(stored.months).toEqual(records.map((r) => ({ month: r.periodStart.slice(0, 7), price: r.value })))

    seriesRun = await runBase()
    expect(seriesRun.runId).not.toBe(workbookRun.runId)
    expect(seriesRun.fuelHistoryId).not.toBe(FUEL_HISTORY_ID)
    expect(seriesRun.baseDataVersion).not.toBe(BASE_DATA_VERSION)
    const earlier = bundledFuelHistory().history.months.filter((m) => m.month < '2024-01')
    expect(seriesRun.lineage).toMatchObject({
      fuelHistoryId: seriesRun.fuelHistoryId,
      baseDataVersion: seriesRun.baseDataVersion,
      fuelHistory: { source: 'series', release: '2026-08-19', first: '1997-01', last: records.at(-1)!.periodStart.slice(0, 7), workbookMonths: earlier.length },
    })

    const snapshot = (await readFuelSnapshot(db(), seriesRun.fuelHistoryId))!
    expect(snapshot.months.slice(earlier.length)).toEqual(stored.months)
    expect(snapshot.months.slice(0, earlier.length)).toEqual(earlier)
    expect(fuelHistoryId({ release: snapshot.release, months: snapshot.months })).toBe(seriesRun.fuelHistoryId)

    // The revised month's gas price raises that month's power price, and only the history differs.
    expect(await price(seriesRun.runId, REVISED_MONTH)).toBeGreaterThan(await price(workbookRun.runId, REVISED_MONTH))
    expect(await price(seriesRun.runId, '2031-07')).toBe(await price(workbookRun.runId, '2031-07'))
    const canonical = (await getScenario(db(), org, { id: HOUSE_BASE_ID })).canonical
    expect(seriesRun.runId).toBe(identityOf(canonical, 'deterministic', null, null, seriesRun.baseDataVersion).runId)
  })

  it('a newly stored month gives a new run id, and the earlier run id still recomputes to its stored numbers', async () => {
    const next = await workbookRecords()
    const last = next.at(-1)!
    const newMonth: SeriesRecord = { ...last, periodStart: '2026-08-01T00:00:00.000Z', periodEnd: '2026-09-01T00:00:00.000Z', value: 2.31, publishedAt: '2026-09-17T15:00:00.000Z' }
    await store([newMonth], '2026-09-18T06:00:00.000Z')
    const later = await runBase()
    expect(later.runId).not.toBe(seriesRun.runId)
    expect(later.lineage.fuelHistory).toMatchObject({ release: '2026-09-17', last: '2026-08' })
    expect(await price(later.runId, '2026-08')).not.toBe(await price(seriesRun.runId, '2026-08'))

    // The same request again is the same run; the earlier run's snapshot is unchanged by the new month.
    expect((await requestRun(runDeps(), org, { scenarioId: HOUSE_BASE_ID, mode: 'deterministic' })).runId).toBe(later.runId)
    const { stored, recomputed } = await storedAndRecomputed(seriesRun)
    expect(stored.prices).toEqual(recomputed.prices)
    expect(stored.mix).toEqual(recomputed.mix)
    expect((await readFuelSnapshot(db(), seriesRun.fuelHistoryId))!.months.at(-1)!.month).toBe(bundledFuelHistory().history.months.at(-1)!.month)
  })

  it('the house base run follows the stored history: `base` names it once it is done', async () => {
    const { runId, created } = await requestHouseBaseRun(runDeps())
    expect(created).toBe(true)
    expect((await waitForRun(db(), HOUSE_ACCESS, runId, 120_000)).status).toBe('done')
    // The same inputs as the organization's run above: the same run id (each owner has its row).
    expect(runId).toBe((await requestRun(runDeps(), org, { scenarioId: HOUSE_BASE_ID, mode: 'deterministic' })).runId)
    const base = await getRun(db(), HOUSE_ACCESS, { runId: 'base' })
    expect(base).toMatchObject({ runId, owner: 'house' })
    expect(base.lineage.fuelHistory).toMatchObject({ source: 'series', last: '2026-08' })
    // Without the ClickHouse handle a request is on the bundled workbook: its own run id.
    const { runId: workbookBase } = await requestHouseBaseRun({ db: db(), bus: platform.bus, log })
    expect(workbookBase).not.toBe(runId)
  })
})

/** Hourly MISO demand (EIA-930 MISO.DEMAND, labelled by hour end) from `from` for `hours` hours: a daily swing by UTC hour. */
function misoDemand(from: string, hours: number): SeriesRecord[] {
  return Array.from({ length: hours }, (_, i) => {
    const start = Date.parse(from) + i * 3_600_000
    const hour = new Date(start).getUTCHours()
    return {
      product: 'GRID',
      market: 'MISO',
      series: 'MISO.DEMAND',
      measure: 'demand',
      frequency: 'hour',
      periodStart: new Date(start).toISOString(),
      periodEnd: new Date(start + 3_600_000).toISOString(),
      value: 60_000 + 9_000 * Math.sin(((hour - 11) * Math.PI) / 12),
      unit: 'MWh',
      attributes: { respondent: 'MISO', type: 'D' },
      source: 'eia.930.region_data',
      publishedAt: null,
    } satisfies SeriesRecord
  })
}

describe('EIA-930 load shapes', () => {
  it('stored MISO demand shapes MISO\'s months it covers well: a new run id, MISO\'s prices move, CAISO\'s do not; the snapshot recomputes the run', async () => {
    const before = await runBase()
    expect(before.lineage.loadShapes).toBeNull()
    // January and February 2026, and the first hours of March: the whole months before March are measured.
    await insertSeriesValues(platform.ch, misoDemand('2026-01-01T00:00:00.000Z', (31 + 28) * 24 + 6), { ingestedAt: '2026-03-01T08:00:00.000Z', rawKey: 'raw/MISO/eia.930.region_data/test.json' })
    const measured = (await storedMeasuredLoad(platform.ch, 'MISO'))!
    expect(measured.months.map((m) => m.month)).toEqual([1, 2])
    expect(measured).toMatchObject({ market: 'MISO', series: 'MISO.DEMAND', first: '2026-01-01T01:00:00.000Z', last: '2026-03-01T00:00:00.000Z' })
    expect(await storedMeasuredLoad(platform.ch, 'CAISO')).toBeNull()

    const after = await runBase()
    expect(after.runId).not.toBe(before.runId)
    expect(after.fuelHistoryId).toBe(before.fuelHistoryId)
    expect(after.baseDataVersion).not.toBe(before.baseDataVersion)
    expect(after.lineage.loadShapes).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), markets: [{ market: 'MISO', series: 'MISO.DEMAND', first: measured.first, last: measured.last, months: [1, 2] }] })
    const snapshot = (await readLoadShapesSnapshot(db(), after.lineage.loadShapes!.id))!
    expect(snapshot.loads).toEqual([measured])

    const prices = async (runId: string, market: string, month: string) =>
      (await readRunPrices(platform.ch, runId, [market], { from: month, to: month })).map((r) => r.price)
    expect(await prices(after.runId, 'MISO', '2027-01')).not.toEqual(await prices(before.runId, 'MISO', '2027-01'))
    expect(await prices(after.runId, 'MISO', '2027-06')).toEqual(await prices(before.runId, 'MISO', '2027-06'))
    expect(await prices(after.runId, 'CAISO', '2027-01')).toEqual(await prices(before.runId, 'CAISO', '2027-01'))
    const { stored, recomputed } = await storedAndRecomputed(after)
    expect(stored.prices).toEqual(recomputed.prices)
    expect(stored.mix).toEqual(recomputed.mix)
  })
})

describe('runs recorded before snapshots', () => {
  it('a run naming the bundled workbook by its file id is computed on it; one naming an unknown history fails, saying so', async () => {
    const model = createInlineModelRunner()
    const deps = { db: db(), ch: platform.ch, bus: platform.bus, log, model }
    const legacy = await createRun(db(), org, { scenarioId: HOUSE_BASE_ID, mode: 'montecarlo', draws: 10, seed: 4 })
    const [row] = await db().select().from(scenarioRuns).where(eq(scenarioRuns.id, legacy.id))
    const { fuelSnapshot: _dropped, fuelHistory: _summary, ...oldLineage } = row!.lineage as Record<string, unknown>
    await db()
      .update(scenarioRuns)
      .set({ fuelHistoryId: bundledFuelHistory().fileId, lineage: { ...oldLineage, fuelHistoryId: bundledFuelHistory().fileId } })
      .where(eq(scenarioRuns.id, legacy.id))
    expect((await executeRun(deps, legacy.id))!.status).toBe('done')

    const unknown = await createRun(db(), org, { scenarioId: HOUSE_BASE_ID, mode: 'montecarlo', draws: 10, seed: 5 })
    await db().update(scenarioRuns).set({ fuelHistoryId: '0123456789abcdef', lineage: oldLineage }).where(eq(scenarioRuns.id, unknown.id))
    const failed = (await executeRun(deps, unknown.id))!
    expect(failed.status).toBe('failed')
    expect(failed.error).toBe(
      `the run's inputs cannot be used: run ${unknown.runId} names fuel history 0123456789abcdef, which its lineage does not hold and the bundled workbook (${FUEL_HISTORY_ID}) is not`,
    )
  })
})
