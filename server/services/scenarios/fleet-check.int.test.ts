import { readFile } from 'node:fs/promises'
import { TRPCError } from '@trpc/server'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import { baseFleetAt, BASE_BUILDS } from '@carbon/scenario'
import type { SeriesRecord } from '@carbon/schemas'
import { and, eq } from 'drizzle-orm'
import { auditEvents } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { createCaller } from '../../trpc/root.ts'
import type { Context } from '../../trpc/trpc.ts'
import { DEMO_USERS } from '../auth/demo-identities.ts'
import type { Principal } from '../auth/types.ts'
import { insertSeriesValues } from '../series/store.ts'
import { fleetCheck, fleetSubject, fleetSubjectOfText, storedInventory, type FleetCheckMarket } from './fleet-check.ts'
import { saveScenario, seedHouseScenarios } from './scenarios.ts'
import type { ScenarioAccess } from './schemas.ts'
import { provisionDemoUser } from '../../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The fleet check against the real stores: the EIA-860M sample workbook read by the real reader
 * (packages/connectors eia.860m.generators, invented generators: MISO, CISO, the WEIM member PACW,
 * ERCOT and PJM) written to ClickHouse `series_values` by the series store, scenarios saved in the
 * scratch PostgreSQL database, and the procedure behind the access gate (entitlement per market,
 * audit row).
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let analyst: Principal
let quant: Principal
let none: Principal

const FILE = 'september_generator2026.xlsx'
const accessOf = (p: Principal): ScenarioAccess => ({ organizationId: p.organizationId, userId: p.userId, label: p.label })

/** The sample workbook's records, as the series ingest makes them from a file of that name. */
async function sampleRecords(): Promise<SeriesRecord[]> {
  const bytes = new Uint8Array(await readFile(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))
  const parsed = SERIES_SOURCES['eia.860m.generators'].parse(bytes, FILE)
  // SOCO (no market here) and a blank balancing authority are refused by the reader; the rest is read.
  expect(parsed.errors.map((e) => e.reason).join('\n')).toMatch(/balancing authority SOCO maps to no market/)
  expect(parsed.records.length).toBeGreaterThan(0)
  return parsed.records
}

async function store(records: readonly SeriesRecord[], ingestedAt: string) {
  await insertSeriesValues(platform.ch, records, { ingestedAt, rawKey: `raw/GRID/eia.860m.generators/${ingestedAt}/${FILE}` })
}

/** Rows as [technology, modelMw, summerMw, nameplateMw, gapMw, statement]. */
const table = (m: FleetCheckMarket) => m.check!.rows.map((r) => [r.technology, r.modelMw, r.summerMw, r.nameplateMw, r.gapMw, r.statement])

/** MW the base scenario builds in a market and technology up to and including `month`. */
function baseBuilt(market: 'MISO' | 'CAISO', technology: string, month: string): number {
  let mw = 0
  for (const b of BASE_BUILDS) {
    if (b.market !== market || b.technology !== technology) continue
    for (let y = b.fromYear; y <= b.toYear; y++) if (`${y}-06` <= month) mw += b.mwPerYear
  }
  return mw
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-fleet-check-', log })
  platform = stores.platform
  const user = (name: string) => provisionDemoUser(platform.pg.db, DEMO_USERS.find((u) => u.username === name)!).then((r) => r.principal)
  analyst = await user('analyst')
  quant = await user('quant')
  none = await user('none')
  await seedHouseScenarios(platform.pg.db)
}, 120_000)

afterAll(async () => {
  await stores?.close()
})

/** The built-in base scenario, as the procedure checks it without a scenario id. */
const base = () => fleetSubject(platform.pg.db, accessOf(analyst), {})

describe('fleet check service', () => {
  it('is null for every market while no EIA-860M inventory is stored', async () => {
    expect(await storedInventory(platform.ch, 'MISO')).toBeNull()
    const subject = await fleetSubject(platform.pg.db, accessOf(analyst), {})
    expect(subject.scenario).toEqual({ id: null, name: 'base', extends: null, version: null })
    expect(await fleetCheck(platform.ch, ['MISO', 'CAISO'], subject)).toEqual({
      scenario: { id: null, name: 'base', extends: null, version: null },
      markets: [
        { market: 'MISO', respondent: 'MISO', check: null },
        { market: 'CAISO', respondent: 'CISO', check: null },
      ],
    })
  })

  it("reads the market's own balancing authority's latest month: MISO, and CISO without the WEIM member PACW", async () => {
    await store(await sampleRecords(), '2026-10-20T06:00:00.000Z')
    expect(await storedInventory(platform.ch, 'MISO')).toEqual({
      respondent: 'MISO',
      month: '2026-09',
      technologies: [
        { technology: 'Conventional Steam Coal', summerMw: 610, nameplateMw: 650 },
        { technology: 'Natural Gas Fired Combined Cycle', summerMw: 735, nameplateMw: 780 },
        { technology: 'Nuclear', summerMw: 1080, nameplateMw: 1100 },
        { technology: 'Onshore Wind Turbine', summerMw: 298, nameplateMw: 300 },
        { technology: 'Solar Photovoltaic', summerMw: 119, nameplateMw: 120 },
      ],
    })
    expect(await storedInventory(platform.ch, 'CAISO')).toEqual({
      respondent: 'CISO',
      month: '2026-09',
      technologies: [
        { technology: 'Batteries', summerMw: 200, nameplateMw: 200 },
        { technology: 'Natural Gas Fired Combined Cycle', summerMw: 520, nameplateMw: 550.5 },
        { technology: 'Solar Photovoltaic', summerMw: 147.5, nameplateMw: 150 },
      ],
    })
  })

  it("compares the base scenario's fleet in 2026-10 (base data, announced retirements, base builds) with net summer MW", async () => {
    const subject = await fleetSubject(platform.pg.db, accessOf(analyst), {})
    const { markets } = await fleetCheck(platform.ch, ['CAISO', 'MISO'], subject)
    expect(markets.map((m) => m.market)).toEqual(['CAISO', 'MISO'])
    const caiso = markets[0]!
    const start = baseFleetAt('CAISO', '2026-10')
    const solar = start.solar + baseBuilt('CAISO', 'solar', '2026-10')
    const storage = start.storage + baseBuilt('CAISO', 'storage', '2026-10')
    const wind = start.wind + baseBuilt('CAISO', 'wind', '2026-10')
    expect(caiso.check).toMatchObject({ month: '2026-09', at: '2026-10', notModelled: [] })
    expect(table(caiso)).toEqual([
      ['solar', solar, 147.5, 150, 147.5 - solar, `retire solar ${Math.round(solar - 147.5)} MW in CAISO at 2026-10`],
      ['wind', wind, 0, 0, -wind, `retire wind ${wind} MW in CAISO at 2026-10`],
      ['storage', storage, 200, 200, 200 - storage, `retire storage ${storage - 200} MW in CAISO at 2026-10`],
      ['gas_cc', start.gas_cc, 520, 550.5, 520 - start.gas_cc, `retire gas_cc ${start.gas_cc - 520} MW in CAISO at 2026-10`],
      ['gas_ct', start.gas_ct, 0, 0, -start.gas_ct, `retire gas_ct ${start.gas_ct} MW in CAISO at 2026-10`],
      ['coal', 0, 0, 0, 0, null],
      ['nuclear', start.nuclear, 0, 0, -start.nuclear, `retire nuclear ${start.nuclear} MW in CAISO at 2026-10`],
      ['hydro', start.hydro, 0, 0, -start.hydro, `retire hydro ${start.hydro} MW in CAISO at 2026-10`],
    ])
    expect(caiso.check!.statements).toEqual(caiso.check!.rows.flatMap((r) => (r.statement ? [r.statement] : [])))
    expect(markets[1]!.check!.rows.find((r) => r.technology === 'coal')).toMatchObject({ summerMw: 610, nameplateMw: 650, modelMw: 45_000 - 1_800 - 2_500 })
  })

  it("takes the latest month stored; a technology missing from it is 0 MW; other technologies are listed as not in the model", async () => {
    const misoSeptember = (await sampleRecords()).filter((r) => r.attributes.respondent === 'MISO')
    const october = misoSeptember
      .filter((r) => r.attributes.technology !== 'Nuclear')
      .map((r) => ({ ...r, periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-11-01T00:00:00.000Z' }))
    const oil = (measure: SeriesRecord['measure'], value: number, unit: SeriesRecord['unit']): SeriesRecord => ({
      ...october[0]!,
      series: 'MISO.CAPACITY.PETROLEUM_LIQUIDS',
      attributes: { respondent: 'MISO', technology: 'Petroleum Liquids', fuel: 'oil' },
      measure,
      value,
      unit,
    })
    await store([...october, oil('summer_capacity', 48.5, 'MW'), oil('nameplate_capacity', 52, 'MW'), oil('generators', 2, 'count')], '2026-11-20T06:00:00.000Z')
    const [miso] = (await fleetCheck(platform.ch, ['MISO'], await base())).markets
    expect(miso!.check).toMatchObject({ month: '2026-10', at: '2026-11', notModelled: [{ technology: 'Petroleum Liquids', summerMw: 48.5, nameplateMw: 52 }] })
    expect(miso!.check!.rows.find((r) => r.technology === 'nuclear')).toEqual({
      technology: 'nuclear',
      modelMw: 12_000,
      summerMw: 0,
      nameplateMw: 0,
      gapMw: -12_000,
      statement: 'retire nuclear 12000 MW in MISO at 2026-11',
    })
  })

  it("checks a saved scenario's version: with the statements added, the gap is closed; another organization's scenario is a 404", async () => {
    const before = (await fleetCheck(platform.ch, ['MISO'], await fleetSubject(platform.pg.db, accessOf(analyst), {}))).markets[0]!.check!
    const text = ['scenario "Fleet checked" extends "base"', ...before.statements, ''].join('\n')
    const saved = await saveScenario(platform.pg.db, accessOf(analyst), { text })
    const subject = await fleetSubject(platform.pg.db, accessOf(analyst), { scenarioId: saved.id })
    expect(subject.scenario).toEqual({ id: saved.id, name: 'Fleet checked', extends: 'base', version: 1 })
    const after = (await fleetCheck(platform.ch, ['MISO', 'CAISO'], subject)).markets
    expect(after[0]!.check!.statements).toEqual([])
    expect(after[0]!.check!.rows.every((r) => Math.abs(r.gapMw) <= 0.5)).toBe(true)
    // Only MISO's statements were added: CAISO's check is the base scenario's.
    const caisoBase = (await fleetCheck(platform.ch, ['CAISO'], await base())).markets[0]
    expect(after[1]).toEqual(caisoBase)

    const other = await fleetSubject(platform.pg.db, accessOf(quant), { scenarioId: saved.id }).catch((e: unknown) => e)
    expect(other).toMatchObject({ status: 404 })
  })

  it('checks an editor text against the parents it may extend, and refuses one that does not resolve, naming where', () => {
    const parents = [{ name: 'Solar push', text: 'scenario "Solar push" extends "base"\nbuild solar 5000 MW in CAISO at 2026-01\n' }]
    const subject = fleetSubjectOfText('scenario "Draft" extends "Solar push"\n', parents)
    expect(subject.scenario).toEqual({ id: null, name: 'Draft', extends: 'Solar push', version: null })
    expect(subject.assumptions.changes.filter((c) => c.scenario === 'Solar push')).toHaveLength(1)
    expect(() => fleetSubjectOfText('scenario "x" extends "nowhere"\n', [])).toThrow(/^the scenario's fleet cannot be checked: scenario:1:\d+: /)
  })
})

describe('scenarios.fleetCheck: entitled per market, audited', () => {
  let requests = 0
  const caller = (principal: Principal, channel: 'hub' | 'api') => {
    const ctx: Context = {
      platform,
      log,
      requestId: `fleet-check-int-${++requests}`,
      auth: { principal, channel, failure: null },
      client: { address: '127.0.0.1', userAgent: 'vitest' },
      responseHeaders: new Headers(),
    }
    return { requestId: ctx.requestId, call: createCaller(ctx) }
  }
  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => new Error('expected the call to be refused, it succeeded'),
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TRPCError)
    return error as TRPCError
  }

  it('answers an entitled caller one market and writes its audit row with the market', async () => {
    const { requestId, call } = caller(analyst, 'hub')
    const answer = await call.scenarios.fleetCheck({ market: 'CAISO' })
    expect(answer.markets.map((m) => [m.market, m.respondent, m.check?.month])).toEqual([['CAISO', 'CISO', '2026-09']])
    const [row] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId))
    expect(row).toMatchObject({ procedure: 'scenarios.fleetCheck', outcome: 'allowed', market: 'CAISO', status: 200 })
  })

  it('refuses an unentitled organization, CAISO through the API, and a market the caller is not entitled to', async () => {
    const unentitled = caller(none, 'hub')
    expect((await refusal(unentitled.call.scenarios.fleetCheck({ market: 'MISO' }))).code).toBe('FORBIDDEN')
    const denied = await platform.pg.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.requestId, unentitled.requestId), eq(auditEvents.outcome, 'denied')))
    expect(denied).toHaveLength(1)
    expect((await refusal(caller(quant, 'api').call.scenarios.fleetCheck({ market: 'CAISO' }))).code).toBe('FORBIDDEN')
    expect((await caller(quant, 'api').call.scenarios.fleetCheck({ market: 'MISO' })).markets[0]!.check!.month).toBe('2026-10')
    const pjm = await refusal(caller(analyst, 'hub').call.scenarios.fleetCheck({ market: 'PJM' as 'MISO' }))
    expect(pjm.code).toBe('FORBIDDEN')
  })
})
