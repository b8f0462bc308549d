import { repriceQuote, normalizeQuotes } from '@carbon/curves'
import { resolveBase, runBaseScenario, runScenario, type Assumptions, type ScenarioResult } from '@carbon/scenario'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { curves, scenarioRuns, scenarios, scenarioVersions } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { createBuild, getCurve, runBuild, toBuildSummary, type Requester } from './index.ts'
import { readCurvePoints } from './points.ts'
import { baseRunId, scenarioHubOf } from './prior.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The curve prior from scenario runs against the real stores (scratch PostgreSQL, embedded chDB):
 * the base run by default, a stored run on request (its prices in ClickHouse scenario_prices), and
 * the refusals (another organization's run, a run not done).
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let orgA: string
let orgB: string
const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!
const AS_OF = '2026-10-30'
const HIGH_GAS_RUN = 'test-high-gas-run'
const OTHER_ORG_RUN = 'test-other-org-run'
const RUNNING_RUN = 'test-running-run'
const EMPTY_RUN = 'test-empty-run'

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-curve-prior-', log })
  platform = stores.platform
  orgA = await createTestOrganization(platform.pg.db, 'prior-org-a')
  orgB = await createTestOrganization(platform.pg.db, 'prior-org-b')
  const highGas = runScenario(highGasAssumptions())
  await storeRun(orgA, HIGH_GAS_RUN, 'done', highGas)
  await storeRun(orgB, OTHER_ORG_RUN, 'done', highGas)
  await storeRun(orgA, RUNNING_RUN, 'running', null)
  await storeRun(orgA, EMPTY_RUN, 'done', null)
}, 120_000)

afterAll(async () => {
  await stores?.close()
})

/** The base scenario with Henry Hub at 8 $/MMBtu from 2027-01, escalating 2 %/yr: a higher-gas run of the real model. */
function highGasAssumptions(): Assumptions {
  const base = resolveBase()
  return {
    ...base,
    name: 'High gas',
    chain: [...base.chain, 'High gas'],
    sets: [
      ...base.sets.filter((s) => s.target !== 'fuel.gas'),
      { target: 'fuel.gas', value: 8, unit: '$/MMBtu', from: '2027-01', escalate: 0.02, scenario: 'High gas' },
    ],
  }
}

/** A scenario run row of an organization, and (for a result) its prices in ClickHouse as the scenario worker writes them. */
async function storeRun(organizationId: string, runId: string, status: string, result: ScenarioResult | null): Promise<void> {
  const { db } = platform.pg
  const [scenario] = await db.insert(scenarios).values({ organizationId, name: runId, latestVersion: 1 }).returning({ id: scenarios.id })
  const [version] = await db
    .insert(scenarioVersions)
    .values({ scenarioId: scenario!.id, version: 1, text: `scenario "${runId}" extends "base"`, canonical: runId, canonicalHash: runId, createdByLabel: 'test' })
    .returning({ id: scenarioVersions.id })
  await db.insert(scenarioRuns).values({
    runId,
    organizationId,
    scenarioVersionId: version!.id,
    mode: 'deterministic',
    inputsHash: runId,
    engineVersion: 'test',
    baseDataVersion: 'test',
    fuelHistoryId: 'test',
    lineage: {},
    status,
    requestedByLabel: 'test',
  })
  if (!result) return
  const values = result.markets.flatMap((m) =>
    m.hubs.flatMap((h) =>
      (['onpeak', 'offpeak'] as const).flatMap((block) =>
        result.months.map((month, i) => [runId, m.market, h.hub, block, `${month}-01`, h[block][i]!, h[block][i]!, h[block][i]!, h[block][i]!]),
      ),
    ),
  )
  await platform.ch.client.insert({
    table: 'scenario_prices',
    columns: ['run_id', 'market', 'hub', 'block', 'month', 'price', 'p10', 'p50', 'p90'],
    values,
    format: 'JSONCompactEachRow',
  })
}

const requesterOf = (organizationId: string | null): Requester => ({ userId: null, label: 'prior-int-test', organizationId })

async function buildWith(organizationId: string | null, priorRunId?: string, node = 'INDIANA.HUB') {
  const row = await createBuild(
    platform.pg.db,
    { market: 'MISO', node, asOf: AS_OF, quotes: demoQuotes(indiana, AS_OF), source: 'api', ...(priorRunId ? { priorRunId } : {}) },
    requesterOf(organizationId),
  )
  return (await runBuild({ db: platform.pg.db, ch: platform.ch, log }, row.id))!
}

async function annual(buildId: string, node: string, year: number): Promise<{ onpeak: number; offpeak: number }> {
  const points = (await readCurvePoints(platform.ch, `MISO:${node}`, [buildId])).get(buildId)!
  const rows = points.filter((p) => p.month.startsWith(`${year}-`))
  const mean = (block: 'onpeak' | 'offpeak') => rows.reduce((s, p) => s + p.hours[block] * p[block], 0) / rows.reduce((s, p) => s + p.hours[block], 0)
  return { onpeak: mean('onpeak'), offpeak: mean('offpeak') }
}

function quotesKeptExactly(row: { quotes: unknown }) {
  for (const q of row.quotes as { contract: string; repriced: number; price: number }[]) expect(Math.abs(q.repriced - q.price), q.contract).toBeLessThan(1e-9)
}

describe('curve prior from a scenario run', () => {
  it('takes the base run by default and records its id on the build', async () => {
    const row = await buildWith(orgA)
    expect(row.status, row.error ?? '').toBe('done')
    expect(row.priorRunId).toBe(runBaseScenario().runId)
    expect(row.diagnostics).toMatchObject({ prior: { kind: 'scenario', runId: baseRunId(), hub: 'INDIANA.HUB', fadeMonths: 36 } })
    quotesKeptExactly(row)
    expect(toBuildSummary(row, { market: 'MISO', node: 'INDIANA.HUB' }).prior).toEqual({ kind: 'scenario', runId: baseRunId(), base: true, hub: 'INDIANA.HUB' })
    const got = await getCurve({ db: platform.pg.db, ch: platform.ch }, { market: 'MISO', node: 'INDIANA.HUB', asOf: AS_OF }, { organizationId: orgA })
    expect(got.build.prior).toMatchObject({ kind: 'scenario', base: true })
  })

  it('follows a higher-gas run at the long end while every quote is kept exactly', async () => {
    const base = await buildWith(orgA)
    const high = await buildWith(orgA, HIGH_GAS_RUN)
    expect(high.status, high.error ?? '').toBe('done')
    expect(high.priorRunId).toBe(HIGH_GAS_RUN)
    expect(high.inputsHash).not.toBe(base.inputsHash)
    quotesKeptExactly(high)
    const quotes = normalizeQuotes(demoQuotes(indiana, AS_OF))
    const points = (await readCurvePoints(platform.ch, 'MISO:INDIANA.HUB', [high.id])).get(high.id)!
    for (const q of quotes) expect(Math.abs(repriceQuote({ firstMonth: high.firstMonth!, months: points }, q) - q.price), q.contract.code).toBeLessThan(1e-9)
    const baseAt2040 = await annual(base.id, 'INDIANA.HUB', 2040)
    const highAt2040 = await annual(high.id, 'INDIANA.HUB', 2040)
    expect(highAt2040.onpeak).toBeGreaterThan(baseAt2040.onpeak * 1.1)
    expect(highAt2040.offpeak).toBeGreaterThan(baseAt2040.offpeak * 1.1)
    expect(toBuildSummary(high, { market: 'MISO', node: 'INDIANA.HUB' }).prior).toMatchObject({ runId: HIGH_GAS_RUN, base: false })
  })

  it("refuses another organization's run as if it did not exist", async () => {
    const error = await buildWith(orgA, OTHER_ORG_RUN).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('NOT_FOUND')
    expect((error as Error).message).toMatch(OTHER_ORG_RUN)
    // A house build (no organization) sees house runs only.
    expect(await buildWith(null, HIGH_GAS_RUN).catch((e: unknown) => isAppError(e) && e.code)).toBe('NOT_FOUND')
    // Its owner may use it.
    expect((await buildWith(orgB, OTHER_ORG_RUN)).status).toBe('done')
  })

  it('refuses a run that is not done, naming its status, and an id that is not one', async () => {
    const error = await buildWith(orgA, RUNNING_RUN).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('BAD_REQUEST')
    expect((error as Error).message).toMatch(/is running, not done/)
    const bad = await buildWith(orgA, 'not a run id!').catch((e: unknown) => e)
    expect(isAppError(bad) && bad.code).toBe('BAD_REQUEST')
  })

  it('fails a build whose run has no prices for the hub, saying so', async () => {
    const row = await buildWith(orgA, EMPTY_RUN)
    expect(row.status).toBe('failed')
    expect(row.error).toMatch(/test-empty-run has no complete monthly on-peak and off-peak prices for MISO INDIANA.HUB/)
  })

  it('gives a hub the model does not price its nearest modelled hub', async () => {
    expect(scenarioHubOf('MISO', 'MINN.HUB')).toBe('ILLINOIS.HUB')
    expect(scenarioHubOf('MISO', 'MICHIGAN.HUB')).toBe('INDIANA.HUB')
    expect(scenarioHubOf('CAISO', 'TH_ZP26_GEN-APND')).toBe('TH_SP15_GEN-APND')
    expect(scenarioHubOf('CAISO', 'TH_NP15_GEN-APND')).toBe('TH_NP15_GEN-APND')
    await platform.pg.db.insert(curves).values({ id: 'MISO:MINN.HUB', market: 'MISO', node: 'MINN.HUB', name: 'MISO Minnesota Hub' })
    const row = await buildWith(orgA, undefined, 'MINN.HUB')
    expect(row.status, row.error ?? '').toBe('done')
    expect(row.diagnostics).toMatchObject({ prior: { kind: 'scenario', hub: 'ILLINOIS.HUB' } })
  })
})
