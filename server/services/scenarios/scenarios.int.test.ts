import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runBaseScenario } from '@carbon/scenario'
import { TOPICS } from '../../adapters/bus/index.ts'
import { scenarioRuns, scenarioVersions } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startScenarioWorker, type ScenarioWorker } from '../../workers/scenario-worker.ts'
import {
  computeRunRows,
  createRun,
  diffRuns,
  engineVersions,
  getRun,
  getRunResults,
  getScenario,
  listRuns,
  listScenarios,
  readRunMix,
  readRunPrices,
  relayRunsOnce,
  requestRun,
  saveScenario,
  seedHouseScenarios,
  storedAsTuples,
  validateScenario,
  waitForRun,
} from './index.ts'
import { identityOf } from './engine.ts'
import { HOUSE_ACCESS, HOUSE_BASE_ID, type ScenarioAccess } from './schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The scenario service against the real stores (a scratch PostgreSQL database, embedded chDB, the
 * in-process bus) with the scenario worker subscribed to scenarios.run as `carbon serve` runs it: the
 * model in its worker thread, results in ClickHouse, status and lineage in PostgreSQL.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let worker: ScenarioWorker
let orgA: ScenarioAccess
let orgB: ScenarioAccess
const db = () => platform.pg.db
const deps = () => ({ db: platform.pg.db, ch: platform.ch })
const runDeps = () => ({ db: platform.pg.db, bus: platform.bus, log })

const HIGH_GAS = `# gas up from 2027
scenario "High gas" extends "base"
set fuel.gas = 6.50 $/MMBtu from 2027-01 escalate 2 %/yr
build solar 5000 MW in MISO at 2028-09
`
/** The same assumptions written differently: a comment, order, number spelling. */
const HIGH_GAS_RESPELLED = `scenario "High gas" extends "base"
build solar 5000.0 MW in MISO at 2028-09
# the same gas path
set fuel.gas = 6.5 $/MMBtu from 2027-01 escalate 2.0 %/yr
`

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-scenarios-', log })
  platform = stores.platform
  const org = (slug: string) => createTestOrganization(platform.pg.db, slug)
  orgA = { organizationId: await org('scenario-org-a'), userId: null, label: 'ann@org-a.example' }
  orgB = { organizationId: await org('scenario-org-b'), userId: null, label: 'bob@org-b.example' }
  worker = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
})

afterAll(async () => {
  await worker?.stop()
  await stores?.close()
})

async function runToEnd(access: ScenarioAccess, request: Parameters<typeof requestRun>[2]) {
  const queued = await requestRun(runDeps(), access, request)
  return waitForRun(db(), access, queued.runId, 120_000)
}

describe('scenarios: house base, save, versions, list', () => {
  it('seeds the house base under its fixed id once; seeding again makes no version', async () => {
    const first = await seedHouseScenarios(db())
    expect(first).toEqual({ id: HOUSE_BASE_ID, version: 1, created: true })
    expect(await seedHouseScenarios(db())).toEqual({ id: HOUSE_BASE_ID, version: 1, created: false })
    const base = await getScenario(db(), orgA, { id: HOUSE_BASE_ID })
    expect(base).toMatchObject({ name: 'base', owner: 'house', extends: null, version: 1 })
    expect(base.canonical).toMatch(/^scenario "base" chain "base"\n/)
    expect(base.versions[0]!.createdByLabel).toBe('254Carbon')
  })

  it('saves a version, recognises the same assumptions written differently, and versions a change', async () => {
    const saved = await saveScenario(db(), orgA, { text: HIGH_GAS })
    expect(saved).toMatchObject({ version: 1, created: true })
    expect(await saveScenario(db(), orgA, { text: HIGH_GAS_RESPELLED })).toEqual({ id: saved.id, version: 1, created: false })
    const changed = await saveScenario(db(), orgA, { id: saved.id, text: HIGH_GAS.replace('6.50', '7.25') })
    expect(changed).toEqual({ id: saved.id, version: 2, created: true })
    const detail = await getScenario(db(), orgA, { id: saved.id, version: 1 })
    expect(detail).toMatchObject({ name: 'High gas', owner: 'organization', extends: 'base', version: 1, text: HIGH_GAS })
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1])
    expect(detail.versions[0]!.createdByLabel).toBe('ann@org-a.example')
    expect(detail.canonical).toContain('set fuel.gas = 6.5 $/MMBtu from 2027-01 escalate 2 %/yr')
    const list = await listScenarios(db(), orgA)
    expect(list.map((s) => [s.name, s.owner, s.extends, s.latestVersion])).toEqual([
      ['base', 'house', null, 1],
      ['High gas', 'organization', 'base', 2],
    ])
  })

  it('validates with positions and suggestions, and gives the canonical hash a save stores', async () => {
    const bad = await validateScenario(db(), orgA, { text: 'scenario "Typo" extends "base"\nset fuel.gaz = 5 $/MMBtu\n' })
    expect(bad.ok).toBe(false)
    expect(bad.canonical).toBeNull()
    expect(bad.diagnostics[0]).toMatchObject({ line: 2, col: 5, token: 'fuel.gaz' })
    expect(bad.diagnostics[0]!.message).toContain('did you mean fuel.gas?')
    const good = await validateScenario(db(), orgA, { text: HIGH_GAS_RESPELLED })
    const stored = await getScenario(db(), orgA, { id: (await listScenarios(db(), orgA))[1]!.id, version: 1 })
    expect(good).toMatchObject({ ok: true, diagnostics: [], canonicalHash: stored.canonicalHash })
  })

  it('refuses an invalid save with the diagnostics, a save over the house base, and a house name', async () => {
    const invalid = await saveScenario(db(), orgA, { text: 'scenario "Bad" extends "base"\nset fuel.gas = 40 $/t\n' }).catch((e: unknown) => e)
    expect(isAppError(invalid) && invalid.code).toBe('BAD_REQUEST')
    expect((invalid as Error).message).toMatch(/^text: scenario:2:\d+: /)
    expect(((invalid as { details: { diagnostics: unknown[] } }).details.diagnostics).length).toBeGreaterThan(0)
    const house = await saveScenario(db(), orgA, { id: HOUSE_BASE_ID, text: 'scenario "base"\nset fuel.gas = 1 $/MMBtu\n' }).catch((e: unknown) => e)
    expect(isAppError(house) && house.code).toBe('FORBIDDEN')
    const named = await saveScenario(db(), orgA, { text: 'scenario "base"\nset fuel.gas = 1 $/MMBtu\n' }).catch((e: unknown) => e)
    expect(isAppError(named) && named.code).toBe('BAD_REQUEST')
    expect((named as Error).message).toContain('taken by a house scenario')
  })
})

describe('runs: identity, reproducibility, lineage, diff', () => {
  let highGasId: string

  beforeAll(async () => {
    highGasId = (await listScenarios(db(), orgA)).find((s) => s.name === 'High gas')!.id
  })

  it('runs a scenario: the same request twice is the same run id, done once, with a summary', async () => {
    const done = await runToEnd(orgA, { scenarioId: highGasId, mode: 'deterministic' })
    expect(done.status, done.error ?? '').toBe('done')
    expect(done).toMatchObject({ owner: 'organization', mode: 'deterministic', draws: null, seed: null, progress: 1, scenario: { name: 'High gas', version: 2 } })
    expect(done.runId).toMatch(/^[0-9a-f]{32}$/)
    expect(done.summary!.map((s) => `${s.market} ${s.hub} ${s.block}`)).toContain('MISO INDIANA.HUB onpeak')
    const again = await requestRun(runDeps(), orgA, { scenarioId: highGasId, mode: 'deterministic' })
    expect(again).toEqual(done)
    const rows = await db().select().from(scenarioRuns)
    expect(rows.filter((r) => r.runId === done.runId)).toHaveLength(1)
  })

  it('stores exactly the rows the model gives when run again (identical values), and reads the same bytes twice', async () => {
    const run = await getRun(db(), orgA, { runId: (await listRuns(db(), orgA))[0]!.runId })
    const version = await getScenario(db(), orgA, { id: highGasId })
    const recomputed = computeRunRows({ canonical: version.canonical, mode: 'deterministic' })
    const markets = ['CAISO', 'MISO'] as const
    const prices = await readRunPrices(platform.ch, run.runId, markets)
    const { mix, system } = await readRunMix(platform.ch, run.runId, markets)
    const stored = storedAsTuples(prices, mix, system)
    expect(stored.prices).toHaveLength(recomputed.prices.length)
    expect(stored.mix).toHaveLength(recomputed.mix.length)
    expect(stored.prices).toEqual(recomputed.prices)
    expect(stored.mix).toEqual(recomputed.mix)
    const first = JSON.stringify(await getRunResults(deps(), orgA, { runId: run.runId, markets: ['MISO'] }))
    const second = JSON.stringify(await getRunResults(deps(), orgA, { runId: run.runId, markets: ['MISO'] }))
    expect(second).toBe(first)
    const results = JSON.parse(first) as { prices: { month: string; p10: number; price: number; p90: number }[] }
    expect(results.prices[0]!.month).toBe('2025-01')
    expect(results.prices.at(-1)!.month).toBe('2050-12')
    expect(results.prices.every((p) => p.p10 === p.price && p.p90 === p.price)).toBe(true)
  })

  it('records the lineage chain of a scenario extending another, with versions, hashes and snapshot ids', async () => {
    const child = await saveScenario(db(), orgA, { text: 'scenario "Higher gas" extends "High gas"\nset policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr\n' })
    const run = await requestRun(runDeps(), orgA, { scenarioId: child.id, mode: 'deterministic' })
    const highGas = await getScenario(db(), orgA, { id: highGasId })
    const base = await getScenario(db(), orgA, { id: HOUSE_BASE_ID })
    const mine = await getScenario(db(), orgA, { id: child.id })
    expect(run.lineage.chain).toEqual([
      { name: 'Higher gas', scenarioId: child.id, versionId: expect.any(String), version: 1, canonicalHash: mine.canonicalHash },
      { name: 'High gas', scenarioId: highGasId, versionId: expect.any(String), version: 2, canonicalHash: highGas.canonicalHash },
      { name: 'base', scenarioId: HOUSE_BASE_ID, versionId: expect.any(String), version: 1, canonicalHash: base.canonicalHash },
    ])
    expect(run.lineage).toMatchObject({ ...engineVersions(), requestedByLabel: 'ann@org-a.example' })
    expect(run).toMatchObject(engineVersions())
    expect(run.inputsHash).toBe(mine.canonicalHash)
    expect((await waitForRun(db(), orgA, run.runId, 120_000)).status).toBe('done')
  })

  it('diffs two runs: the changed assumptions and monthly price changes', async () => {
    const base = await runToEnd(HOUSE_ACCESS, { scenarioId: HOUSE_BASE_ID, mode: 'deterministic' })
    expect(base.owner).toBe('house')
    // The stored base run is the run the curve solver takes its prior from (computed in-process there).
    expect(base.runId).toBe(runBaseScenario().runId)
    const high = (await listRuns(db(), orgA, { scenarioId: highGasId }))[0]!
    const diff = await diffRuns(deps(), orgA, { a: 'base', b: high.runId, markets: ['MISO'] })
    expect(diff.a).toBe(base.runId)
    const gas = diff.assumptions.find((c) => c.target === 'fuel.gas')!
    expect(gas.b).toBe('set fuel.gas = 7.25 $/MMBtu from 2027-01 escalate 2 %/yr')
    expect(gas.a).not.toBeNull()
    expect(diff.assumptions.find((c) => c.target === 'build solar in MISO at 2028-09')).toEqual({
      target: 'build solar in MISO at 2028-09',
      a: null,
      b: 'build solar 5000 MW in MISO at 2028-09',
    })
    expect(diff.prices).toHaveLength(2 * 2 * 312)
    const later = diff.prices.filter((p) => p.month >= '2030-01' && p.month <= '2035-12')
    const mean = later.reduce((s, p) => s + p.delta, 0) / later.length
    expect(mean).toBeGreaterThan(0)
    const row = diff.prices[100]!
    expect(row.delta).toBeCloseTo(row.b - row.a, 12)
  })
})

describe('organizations see only their own scenarios and runs (and the house ones)', () => {
  it("B never sees A's scenario, its runs or results, and cannot extend it", async () => {
    const a = (await listScenarios(db(), orgA)).find((s) => s.name === 'High gas')!
    const aRun = (await listRuns(db(), orgA, { scenarioId: a.id }))[0]!
    expect((await listScenarios(db(), orgB)).map((s) => s.name)).toEqual(['base'])
    expect((await listRuns(db(), orgB)).every((r) => r.owner === 'house')).toBe(true)
    const attempts = [
      () => getScenario(db(), orgB, { id: a.id }),
      () => getRun(db(), orgB, { runId: aRun.runId }),
      () => getRunResults(deps(), orgB, { runId: aRun.runId, markets: ['MISO'] }),
      () => diffRuns(deps(), orgB, { a: 'base', b: aRun.runId, markets: ['MISO'] }),
      () => requestRun(runDeps(), orgB, { scenarioId: a.id, mode: 'deterministic' }),
      () => listRuns(db(), orgB, { scenarioId: a.id }),
      () => saveScenario(db(), orgB, { id: a.id, text: HIGH_GAS }),
    ]
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e)
      expect(isAppError(error) && error.code, attempt.toString()).toBe('NOT_FOUND')
    }
    const extending = await validateScenario(db(), orgB, { text: 'scenario "Mine" extends "High gas"\n' })
    expect(extending.ok).toBe(false)
    expect(extending.diagnostics[0]!.message).toContain('unknown parent scenario "High gas"')
  })

  it('B saves a scenario of the same name and text: its own scenario and its own run of the same run id', async () => {
    const b = await saveScenario(db(), orgB, { text: HIGH_GAS.replace('6.50', '7.25') })
    const a = (await listScenarios(db(), orgA)).find((s) => s.name === 'High gas')!
    expect(b.id).not.toBe(a.id)
    const bRun = await runToEnd(orgB, { scenarioId: b.id, mode: 'deterministic' })
    const aRun = (await listRuns(db(), orgA, { scenarioId: a.id }))[0]!
    expect(bRun.runId).toBe(aRun.runId)
    expect(bRun.lineage.requestedByLabel).toBe('bob@org-b.example')
    expect((await getRun(db(), orgA, { runId: aRun.runId })).lineage.requestedByLabel).toBe('ann@org-a.example')
  })
})

describe('Monte Carlo runs', () => {
  it('reports progress on jobs.progress and stores P10 <= P50 <= P90 bands; the same seed is the same run', async () => {
    const scenarioId = (await listScenarios(db(), orgA)).find((s) => s.name === 'High gas')!.id
    const events: { kind: string; runId: string; progress: number; status: string }[] = []
    const sub = await platform.bus.subscribe({
      topic: TOPICS.jobsProgress,
      groupId: 'scenarios-int-progress',
      handler: async (batch) => {
        for (const m of batch.messages) events.push(JSON.parse(m.value.toString('utf8')))
      },
    })
    const done = await runToEnd(orgA, { scenarioId, mode: 'montecarlo', draws: 40, seed: 7 })
    await new Promise((r) => setTimeout(r, 200))
    await sub.stop()
    expect(done.status, done.error ?? '').toBe('done')
    expect(done).toMatchObject({ mode: 'montecarlo', draws: 40, seed: 7 })
    const mine = events.filter((e) => e.runId === done.runId)
    expect(mine[0]).toMatchObject({ kind: 'scenario', status: 'running', progress: 0 })
    expect(mine.at(-1)).toMatchObject({ status: 'done', progress: 1 })
    const progress = mine.map((e) => e.progress)
    expect([...progress].sort((x, y) => x - y)).toEqual(progress)

    const { prices } = await getRunResults(deps(), orgA, { runId: done.runId, markets: ['MISO', 'CAISO'], from: '2030-01', to: '2040-12' })
    expect(prices).toHaveLength(2 * 2 * 2 * 132)
    for (const p of prices) {
      expect(p.p10).toBeLessThanOrEqual(p.p50)
      expect(p.p50).toBeLessThanOrEqual(p.p90)
    }
    expect(prices.some((p) => p.p90 - p.p10 > 1)).toBe(true)

    const again = await requestRun(runDeps(), orgA, { scenarioId, mode: 'montecarlo', draws: 40, seed: 7 })
    expect(again.runId).toBe(done.runId)
    expect(again.status).toBe('done')
    const canonical = (await getScenario(db(), orgA, { id: scenarioId })).canonical
    expect(identityOf(canonical, 'montecarlo', 40, 7).runId).toBe(done.runId)
    expect(identityOf(canonical, 'montecarlo', 40, 8).runId).not.toBe(done.runId)
    expect(identityOf(canonical, 'montecarlo', 41, 7).runId).not.toBe(done.runId)
  })
})

describe('failures and the outbox', () => {
  it('fails a run the model cannot run, final, with the reason; the relay publishes a run never published', async () => {
    const scenarioId = (await listScenarios(db(), orgA)).find((s) => s.name === 'High gas')!.id
    // Below the edge: a version whose canonical form does not parse, as a bug could have stored it.
    const [broken] = await db()
      .insert(scenarioVersions)
      .values({ scenarioId, version: 99, text: 'x', canonical: 'scenario "High gas" chain "base" "High gas"\nset fuel.gaz = 1 $/MMBtu\n', canonicalHash: 'x', createdByLabel: 'test' })
      .returning()
    const failed = await runToEnd(orgA, { scenarioId, version: broken!.version, mode: 'deterministic' })
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(/^the model failed: .*fuel\.gaz/)
    expect(await requestRun(runDeps(), orgA, { scenarioId, version: 99, mode: 'deterministic' })).toEqual(failed)
    const results = await getRunResults(deps(), orgA, { runId: failed.runId, markets: ['MISO'] }).catch((e: unknown) => e)
    expect(isAppError(results) && results.code).toBe('CONFLICT')

    // Stored but never published (the process died between the insert and the publish): the relay delivers it.
    const stored = await createRun(db(), orgA, { scenarioId, mode: 'montecarlo', draws: 10, seed: 3 })
    expect(stored.created).toBe(true)
    expect((await getRun(db(), orgA, { runId: stored.runId })).status).toBe('queued')
    expect((await relayRunsOnce(runDeps())).published).toBe(1)
    expect((await waitForRun(db(), orgA, stored.runId, 120_000)).status).toBe('done')
  })
})

describe('dead letters', () => {
  it('dead-letters a message that is not a run request and one for an unknown run, with the reason', async () => {
    const dead: { reason: string; value: string }[] = []
    const sub = await platform.bus.subscribe({
      topic: TOPICS.scenariosDlq,
      groupId: 'scenarios-int-dlq',
      fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) dead.push({ reason: m.headers.reason ?? '', value: m.value.toString('utf8') })
      },
    })
    const unknown = randomUUID()
    await platform.bus.publish(TOPICS.scenariosRun, [
      { key: 'x', value: '{"id":"not-a-uuid"}' },
      { key: 'y', value: JSON.stringify({ id: unknown }) },
    ])
    const deadline = Date.now() + 30_000
    while (dead.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await sub.stop()
    expect(dead[0]!.reason).toMatch(/^not a scenario run request: /)
    expect(dead[1]).toEqual({ reason: `unknown scenario run ${unknown}: no scenario run has this id`, value: JSON.stringify({ id: unknown }) })
  })
})
