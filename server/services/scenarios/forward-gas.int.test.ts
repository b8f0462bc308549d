import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { BASE_DATA_VERSION, baseDataVersionOf, bundledFuelHistory, FUEL_HISTORY_ID, MODEL_MONTHS, modelContextFor, runScenarioWith } from '@carbon/scenario'
import { eq, sql } from 'drizzle-orm'
import { scenarioRuns } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { startScenarioWorker, type ScenarioWorker } from '../../workers/scenario-worker.ts'
import { readFuelCurvePoints, requestFuelBuild, waitForBuild, type BuildRow, type Requester } from '../curves/index.ts'
import { assumptionsOfCanonical, identityOf } from './engine.ts'
import {
  computeRunRows,
  createInlineModelRunner,
  createRun,
  currentRunInputs,
  executeRun,
  getRun,
  getScenario,
  inputsOfRun,
  readGasForwardSnapshot,
  readRunMix,
  readRunPrices,
  requestHouseBaseRun,
  requestRun,
  saveScenario,
  seedHouseScenarios,
  storedAsTuples,
  waitForRun,
} from './index.ts'
import { HOUSE_ACCESS, HOUSE_BASE_ID, type RunStatus, type ScenarioAccess } from './schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * `set fuel.gas = forward`: scenario runs that follow the Henry Hub forward curve, against the real
 * stores (scratch PostgreSQL, embedded chDB, the in-process bus): curves built from quotes by the
 * curve solver worker as any fuel build, runs requested through the scenario service and computed
 * by the scenario worker (model thread), each run's forward snapshot in its PostgreSQL row. No
 * series is stored, so the history is the bundled workbook's (to 2026-07). Only a scenario that
 * sets `forward` reads the curve; every other run keeps the id and lineage of before curves.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let solver: CurveSolver
let worker: ScenarioWorker
let org: ScenarioAccess
let forwardId: string
let priceId: string
const db = () => platform.pg.db
const runDeps = () => ({ db: platform.pg.db, bus: platform.bus, log, ch: platform.ch })
const HOUSE_CURVES: Requester = { userId: null, label: 'forward-int-test', organizationId: null }

const HISTORY_LAST = bundledFuelHistory().history.months.at(-1)!.month
/** Where the forward set begins (the month after the bundled history), and where the scenario's own price takes over from it. */
const FORWARD_FROM = '2026-08'
const SET_FROM = '2040-01'
const FORWARD_SCENARIO = `scenario "Gas on the curve" extends "base"
set fuel.gas = forward from ${FORWARD_FROM}
set fuel.gas = 3.40 $/MMBtu from ${SET_FROM} escalate 2.0 %/yr
`
/** A scenario that sets a price, not `forward`: the curve is none of its business. */
const PRICE_SCENARIO = `scenario "Gas at a price" extends "base"
set fuel.gas = 3.60 $/MMBtu from ${FORWARD_FROM} escalate 2.0 %/yr
`
const QUOTES_JULY = ['contract,price', '2026-08,3.05', '2026-09,2.95', '2026-10,3.10', '2026-11,3.60', '2026-12,4.40', 'Cal-2027,3.90', 'Cal-2028,3.75', 'Cal-2029,3.70'].join('\n')
const QUOTES_AUGUST = ['contract,price', '2026-09,3.25', '2026-10,3.30', '2026-11,3.85', '2026-12,4.60', 'Cal-2027,4.05', 'Cal-2028,3.95'].join('\n')
const REFUSAL = 'the scenario sets fuel.gas = forward, but no house Henry Hub forward curve is built; build one on /gas/curves/HENRY_HUB or set fuel.gas to a price'

async function buildHenryHub(asOf: string, quotesCsv: string, requester: Requester = HOUSE_CURVES): Promise<BuildRow> {
  const queued = await requestFuelBuild({ db: db(), bus: platform.bus }, { product: 'GAS', curve: 'HENRY_HUB', asOf, quotesCsv, source: 'api' }, requester)
  const done = await waitForBuild(db(), queued.id, 60_000)
  expect(done.status, done.error ?? '').toBe('done')
  return done
}

/** The build's months after the history, as the curve store holds them. */
async function curveAfterHistory(build: BuildRow): Promise<{ month: string; price: number }[]> {
  const points = (await readFuelCurvePoints(platform.ch, 'GAS:HENRY_HUB', [build.id])).get(build.id)!
  return points.filter((p) => p.month > HISTORY_LAST).map(({ month, price }) => ({ month, price }))
}

async function runOf(scenarioId: string): Promise<RunStatus> {
  const queued = await requestRun(runDeps(), org, { scenarioId, mode: 'deterministic' })
  const done = await waitForRun(db(), org, queued.runId, 120_000)
  expect(done.status, done.error ?? '').toBe('done')
  return done
}

async function canonical(scenarioId: string): Promise<string> {
  return (await getScenario(db(), org, { id: scenarioId })).canonical
}

/** The run id a deterministic run of the scenario had before forward curves: the bundled workbook's base-data version. */
async function preCurveRunId(scenarioId: string): Promise<string> {
  return identityOf(await canonical(scenarioId), 'deterministic', null, null, BASE_DATA_VERSION).runId
}

async function storedRow(runId: string) {
  const [row] = await db().select().from(scenarioRuns).where(eq(scenarioRuns.runId, runId))
  return row!
}

async function runCount(): Promise<number> {
  const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(scenarioRuns)
  return row!.n
}

/** The run's stored rows, and the rows the model computes from the run's own row (its lineage snapshots) alone. */
async function storedAndRecomputed(run: RunStatus, scenarioId: string) {
  const inputs = inputsOfRun(await storedRow(run.runId))
  const recomputed = computeRunRows({ canonical: await canonical(scenarioId), mode: 'deterministic', ...inputs })
  const markets = ['CAISO', 'MISO'] as const
  const { mix, system } = await readRunMix(platform.ch, run.runId, markets)
  return { stored: storedAsTuples(await readRunPrices(platform.ch, run.runId, markets), mix, system), recomputed }
}

async function misoOnpeak(runId: string, month: string): Promise<number> {
  const rows = await readRunPrices(platform.ch, runId, ['MISO'], { from: month, to: month })
  return rows.find((r) => r.hub === 'INDIANA.HUB' && r.block === 'onpeak')!.price
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-forward-gas-', log })
  platform = stores.platform
  org = { organizationId: await createTestOrganization(platform.pg.db, 'forward-gas-org'), userId: null, label: 'gus@forward.example' }
  await seedHouseScenarios(platform.pg.db)
  forwardId = (await saveScenario(platform.pg.db, org, { text: FORWARD_SCENARIO })).id
  priceId = (await saveScenario(platform.pg.db, org, { text: PRICE_SCENARIO })).id
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
  worker = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
})

afterAll(async () => {
  await worker?.stop()
  await solver?.stop()
  await stores?.close()
})

describe('set fuel.gas = forward in scenario runs', () => {
  let priced: RunStatus
  let july: { build: BuildRow; run: RunStatus }

  it('without a house build (an organization\'s own build does not count) a forward scenario is refused at request time, naming the remedy', async () => {
    await buildHenryHub('2026-07-31', QUOTES_AUGUST, { userId: null, label: 'gus@forward.example', organizationId: org.organizationId })
    const before = await runCount()
    const refusal = requestRun(runDeps(), org, { scenarioId: forwardId, mode: 'deterministic' })
    await expect(refusal).rejects.toBeInstanceOf(AppError)
    await expect(refusal).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 400, message: REFUSAL, details: { curveId: 'GAS:HENRY_HUB' } })
    // Monte Carlo alike, and without the stores at all (no ClickHouse handle): refused, nothing stored.
    await expect(requestRun(runDeps(), org, { scenarioId: forwardId, mode: 'montecarlo', draws: 10, seed: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: REFUSAL })
    await expect(requestRun({ db: db(), bus: platform.bus, log }, org, { scenarioId: forwardId, mode: 'deterministic' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: REFUSAL })
    await expect(createRun(db(), org, { scenarioId: forwardId, mode: 'deterministic' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: REFUSAL })
    expect(await runCount()).toBe(before)
  })

  it('a scenario that sets a price runs without a curve: the run id and lineage of before curves', async () => {
    priced = await runOf(priceId)
    expect(priced).toMatchObject({ fuelHistoryId: FUEL_HISTORY_ID, baseDataVersion: BASE_DATA_VERSION })
    expect(priced.runId).toBe(await preCurveRunId(priceId))
    expect(priced.lineage).not.toHaveProperty('gasForward')
    expect((await storedRow(priced.runId)).lineage).not.toHaveProperty('gasForwardSnapshot')
  })

  it('with a house build, the forward scenario takes the curve\'s months until its own price; the lineage names the build; a run id of its own', async () => {
    const build = await buildHenryHub('2026-07-31', QUOTES_JULY)
    const curve = await curveAfterHistory(build)
    expect(curve[0]!.month).toBe(FORWARD_FROM)
    expect(curve.at(-1)!.month).toBe('2050-12')

    const run = await runOf(forwardId)
    july = { build, run }
    expect(run.lineage.gasForward).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      curveId: 'GAS:HENRY_HUB',
      name: 'Henry Hub gas',
      buildId: build.id,
      version: 1,
      asOf: '2026-07-31',
      first: FORWARD_FROM,
      last: '2050-12',
      months: curve.length,
    })
    const snapshotId = run.lineage.gasForward!.id
    expect(run.fuelHistoryId).toBe(FUEL_HISTORY_ID)
    expect(run.baseDataVersion).toBe(baseDataVersionOf(FUEL_HISTORY_ID, null, snapshotId))
    expect(run.runId).toBe(identityOf(await canonical(forwardId), 'deterministic', null, null, run.baseDataVersion).runId)
    expect(run.runId).not.toBe(await preCurveRunId(forwardId))
    // The snapshot is kept in the row (never shown in the status), readable by its id.
    expect(run.lineage).not.toHaveProperty('gasForwardSnapshot')
    const snapshot = (await readGasForwardSnapshot(db(), snapshotId))!
    expect(snapshot).toMatchObject({ id: snapshotId, curveId: 'GAS:HENRY_HUB', buildId: build.id, version: 1, asOf: '2026-07-31' })
    expect(snapshot.months).toEqual(curve)

    // The gas path of the run, from its own row: history, then the curve (the forward set), then the scenario's price.
    const inputs = inputsOfRun(await storedRow(run.runId))
    expect(inputs.forward!.months).toEqual(curve)
    const result = runScenarioWith(modelContextFor(inputs.fuel, inputs.shapes, inputs.forward).ctx, assumptionsOfCanonical(await canonical(forwardId)))
    expect(result.baseData).toBe(run.baseDataVersion)
    const gas = result.markets[0]!.gasPrice
    const history = new Map(bundledFuelHistory().history.months.map((m) => [m.month, m.price]))
    const onCurve = new Map(curve.map((m) => [m.month, m.price]))
    MODEL_MONTHS.forEach((month, k) => {
      if (month <= HISTORY_LAST) expect(gas[k], month).toBe(history.get(month))
      else if (month < SET_FROM) expect(gas[k], month).toBe(onCurve.get(month))
      else expect(gas[k], month).toBeCloseTo(3.4 * 1.02 ** ((MODEL_MONTHS.indexOf(month) - MODEL_MONTHS.indexOf(SET_FROM)) / 12), 12)
    })

    // The stored power prices are the model's on the row's own snapshots.
    const { stored, recomputed } = await storedAndRecomputed(run, forwardId)
    expect(stored.prices).toEqual(recomputed.prices)
    expect(stored.mix).toEqual(recomputed.mix)
  })

  it('the price scenario keeps its pre-curve run id and lineage while a house curve exists, even when handed inputs with a curve', async () => {
    const again = await requestRun(runDeps(), org, { scenarioId: priceId, mode: 'deterministic' })
    expect(again.runId).toBe(priced.runId)
    expect(again.lineage).not.toHaveProperty('gasForward')
    // Inputs read for a forward run, given to a run of the price scenario: the curve is dropped, not identified.
    const withCurve = await currentRunInputs(platform.ch, db(), { gasForward: true })
    expect(withCurve.forward).not.toBeNull()
    const created = await createRun(db(), org, { scenarioId: priceId, mode: 'montecarlo', draws: 10, seed: 5 }, withCurve)
    expect(created.runId).toBe(identityOf(await canonical(priceId), 'montecarlo', 10, 5, BASE_DATA_VERSION).runId)
    const row = await storedRow(created.runId)
    expect(row.baseDataVersion).toBe(BASE_DATA_VERSION)
    expect(row.lineage).not.toHaveProperty('gasForward')
    expect(row.lineage).not.toHaveProperty('gasForwardSnapshot')
  })

  it('the forward and price runs differ where the curve prices gas, and agree on the history months', async () => {
    expect(await misoOnpeak(july.run.runId, '2026-12')).not.toBe(await misoOnpeak(priced.runId, '2026-12'))
    expect(await misoOnpeak(july.run.runId, '2031-01')).not.toBe(await misoOnpeak(priced.runId, '2031-01'))
    expect(await misoOnpeak(july.run.runId, '2026-07')).toBe(await misoOnpeak(priced.runId, '2026-07'))
  })

  it('a newer house build (the latest as-of, its highest version) is a new run id of the forward scenario only; the earlier run still recomputes from its row', async () => {
    await buildHenryHub('2026-08-31', QUOTES_AUGUST.replace('2026-09,3.25', '2026-09,3.15'))
    const latest = await buildHenryHub('2026-08-31', QUOTES_AUGUST)
    expect(latest.version).toBe(2)
    const run = await runOf(forwardId)
    expect(run.runId).not.toBe(july.run.runId)
    expect(run.lineage.gasForward).toMatchObject({ buildId: latest.id, version: 2, asOf: '2026-08-31', first: '2026-09', last: '2050-12' })
    expect((await readGasForwardSnapshot(db(), run.lineage.gasForward!.id))!.months).toEqual(await curveAfterHistory(latest))
    // The same request again is the same run; the price scenario's run did not move with the build.
    expect((await requestRun(runDeps(), org, { scenarioId: forwardId, mode: 'deterministic' })).runId).toBe(run.runId)
    expect((await requestRun(runDeps(), org, { scenarioId: priceId, mode: 'deterministic' })).runId).toBe(priced.runId)
    // A month between the history (to 2026-07) and the curve's first (2026-09) under the forward set takes the first month's price.
    const inputs = inputsOfRun(await storedRow(run.runId))
    const gas = runScenarioWith(modelContextFor(inputs.fuel, inputs.shapes, inputs.forward).ctx, assumptionsOfCanonical(await canonical(forwardId))).markets[0]!.gasPrice
    expect(gas[MODEL_MONTHS.indexOf('2026-08')]).toBe(inputs.forward!.months[0]!.price)

    // The earlier run is computed from what its row holds, not from the store's latest curve.
    const { stored, recomputed } = await storedAndRecomputed(july.run, forwardId)
    expect(stored.prices).toEqual(recomputed.prices)
    expect(stored.mix).toEqual(recomputed.mix)
    expect(inputsOfRun(await storedRow(july.run.runId)).forward!.asOf).toBe('2026-07-31')
  })

  it('the house base run (the base scenario sets a price) stays without a forward curve: the run the curves\' prior names', async () => {
    const { runId } = await requestHouseBaseRun(runDeps())
    const base = await waitForRun(db(), HOUSE_ACCESS, runId, 120_000)
    expect(base.status, base.error ?? '').toBe('done')
    expect(base.lineage).not.toHaveProperty('gasForward')
    const baseCanonical = (await getScenario(db(), org, { id: HOUSE_BASE_ID })).canonical
    expect(runId).toBe(identityOf(baseCanonical, 'deterministic', null, null).runId)
    expect((await getRun(db(), HOUSE_ACCESS, { runId: 'base' })).runId).toBe(runId)
  })

  it('a run whose forward snapshot was altered after it was recorded fails, naming the snapshot', async () => {
    const created = await createRun(db(), org, { scenarioId: forwardId, mode: 'montecarlo', draws: 10, seed: 3 }, (needs) => currentRunInputs(platform.ch, db(), needs))
    const [row] = await db().select().from(scenarioRuns).where(eq(scenarioRuns.id, created.id))
    const lineage = row!.lineage as { gasForwardSnapshot: { id: string; months: { month: string; price: number }[] } }
    const months = lineage.gasForwardSnapshot.months.map((m, i) => (i === 0 ? { ...m, price: m.price + 1 } : m))
    await db()
      .update(scenarioRuns)
      .set({ lineage: { ...lineage, gasForwardSnapshot: { ...lineage.gasForwardSnapshot, months } } })
      .where(eq(scenarioRuns.id, created.id))
    const failed = (await executeRun({ db: db(), ch: platform.ch, bus: platform.bus, log, model: createInlineModelRunner() }, created.id))!
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(
      new RegExp(`^the run's inputs cannot be used: run ${created.runId}: lineage\\.gasForwardSnapshot says id ${lineage.gasForwardSnapshot.id}, but its months are forward curve [0-9a-f]{16}$`),
    )
  })
})
