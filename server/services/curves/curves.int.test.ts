import { randomUUID } from 'node:crypto'
import { parseQuotesCsv, repriceQuote, type CurveBuild } from '@carbon/curves'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TOPICS } from '../../adapters/bus/index.ts'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { compareCurves, curveHistory, getCurve, listCurves, publishBuild, requestBuild, runBuild, waitForBuild } from './index.ts'
import { readCurvePoints } from './points.ts'
import { CurveBuildInput, CurveHistoryInput } from './schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The curve service against the real stores: a scratch PostgreSQL database, embedded chDB and the
 * in-process bus, with the solver worker subscribed to curves.build as `carbon serve` runs it.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let solver: CurveSolver
/** House builds (no organization), as the demo seeds them; `viewer` is an organization without builds of its own. */
const requester = { userId: null, label: 'curves-int-test', organizationId: null }
let viewer: { organizationId: string }
const deps = () => ({ db: platform.pg.db, ch: platform.ch })
const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-curves-', log })
  platform = stores.platform
  viewer = { organizationId: await createTestOrganization(platform.pg.db, 'viewer-org') }
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
})

afterAll(async () => {
  await solver?.stop()
  await stores?.close()
})

async function build(asOf: string, quotes = demoQuotes(indiana, asOf)) {
  const queued = await requestBuild({ db: platform.pg.db, bus: platform.bus }, { market: 'MISO', node: 'INDIANA.HUB', asOf, quotes, source: 'api' }, requester)
  expect(queued.status).toBe('queued')
  return waitForBuild(platform.pg.db, queued.id, 60_000)
}

describe('curve builds through the bus and the solver worker', () => {
  it('stores a queued version, solves it to 2050-12, and reprices every quote within 1e-9 from the stored points', async () => {
    const row = await build('2026-10-30')
    expect(row.status, row.error ?? '').toBe('done')
    expect(row).toMatchObject({ version: 1, source: 'api', firstMonth: '2026-11', lastMonth: '2050-12', method: 'kkt-banded-schur' })
    expect(row.inputsHash).toMatch(/^[0-9a-f]{64}$/)

    const points = (await readCurvePoints(platform.ch, 'MISO:INDIANA.HUB', [row.id])).get(row.id)!
    expect(points).toHaveLength((2050 - 2026) * 12 + 2)
    const stored: Pick<CurveBuild, 'firstMonth' | 'months'> = { firstMonth: row.firstMonth!, months: points }
    const quotes = parseQuotesCsv(['contract,block,price', ...demoQuotes(indiana, '2026-10-30').map((q) => `${q.contract},${q.block},${q.price}`)].join('\n'))
    for (const quote of quotes) expect(Math.abs(repriceQuote(stored, quote) - quote.price), quote.contract.code).toBeLessThan(1e-9)
    for (const q of row.quotes as { repriced: number; price: number }[]) expect(Math.abs(q.repriced - q.price)).toBeLessThan(1e-9)
  })

  it('versions a rebuild of the same as-of date, and the same inputs hash the same', async () => {
    const again = await build('2026-10-30')
    expect(again.version).toBe(2)
    const [first] = await platform.pg.db.select().from(curveBuilds).where(eq(curveBuilds.version, 1))
    expect(again.inputsHash).toBe(first!.inputsHash)
    const reversed = await build('2026-10-30', [...demoQuotes(indiana, '2026-10-30')].reverse())
    expect(reversed.inputsHash).toBe(first!.inputsHash)
  })

  it('marks an inconsistent set failed, naming the contracts and the size of the conflict', async () => {
    const quotes = [
      { contract: '2027-07', block: 'onpeak' as const, price: 80 },
      { contract: '2027-08', block: 'onpeak' as const, price: 78 },
      { contract: '2027-09', block: 'onpeak' as const, price: 60 },
      { contract: '2027-Q3', block: 'onpeak' as const, price: 90 },
    ]
    const row = await build('2026-11-20', quotes)
    expect(row.status).toBe('failed')
    expect(row.error).toMatch(/2027-Q3 onpeak/)
    expect(row.error).toMatch(/2027-07 onpeak/)
  })

  it('refuses a bad contract code or parameter before queueing, naming it', async () => {
    const error = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotes: [{ contract: '2027-13', block: 'onpeak', price: 50 }], source: 'api' },
      requester,
    ).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('BAD_REQUEST')
    expect((error as Error).message).toMatch(/2027-13/)
    const badParams = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', block: 'onpeak', price: 50 }], params: { annualEscalation: -2 }, source: 'api' },
      requester,
    ).catch((e: unknown) => e)
    expect(isAppError(badParams) && badParams.code).toBe('BAD_REQUEST')
    expect((badParams as Error).message).toMatch(/annualEscalation/)
  })

  it('solves a redelivered request once (idempotent) and dead-letters a message that is not a build request', async () => {
    const row = await build('2026-09-30')
    const again = await runBuild({ ...deps(), log }, row.id)
    expect(again?.finishedAt?.getTime()).toBe(row.finishedAt?.getTime())
    const dead: string[] = []
    const sub = await platform.bus.subscribe({
      topic: TOPICS.curvesDlq,
      groupId: 'curves-int-dlq',
      fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) dead.push(m.headers?.reason ?? '')
      },
    })
    await platform.bus.publish(TOPICS.curvesBuild, [{ key: 'x', value: '{"buildId":"not-a-uuid"}' }])
    const deadline = Date.now() + 30_000
    while (dead.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await sub.stop()
    expect(dead[0]).toMatch(/not a build request/)
  })
})

describe('curve queries', () => {
  it('lists curves with their as-of dates, newest first', async () => {
    const { curves } = await listCurves(platform.pg.db, ['MISO'], viewer)
    const curve = curves.find((c) => c.node === 'INDIANA.HUB')!
    expect(curve.asOfDates).toEqual(['2026-10-30', '2026-09-30'])
    expect(curve.latest).toMatchObject({ asOf: '2026-10-30', version: 3, status: 'done' })
    expect(curves.find((c) => c.node === 'ILLINOIS.HUB')?.latest).toBeNull()
  })

  it('gets a curve in the standard view: quarters for ten years, then calendar years to Cal-2050, hours-weighted', async () => {
    const monthly = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', granularity: 'monthly' }, viewer)
    const standard = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB' }, viewer)
    expect(standard.build).toMatchObject({ asOf: '2026-10-30', version: 3 })
    expect(standard.points[0]!.period).toBe('2026-Q4')
    expect(standard.points.at(-1)!.period).toBe('Cal-2050')
    expect(standard.points.some((p) => p.period === '2035-Q4')).toBe(true)
    expect(standard.points.some((p) => p.period === 'Cal-2036')).toBe(true)
    const q1 = standard.points.find((p) => p.period === '2027-Q1')!
    const months = monthly.points.filter((p) => p.first >= '2027-01' && p.first <= '2027-03')
    const weighted = months.reduce((s, p) => s + p.onpeak * p.hours.onpeak, 0) / months.reduce((s, p) => s + p.hours.onpeak, 0)
    expect(q1.onpeak).toBeCloseTo(weighted, 9)
    expect(standard.quotes.length).toBeGreaterThan(30)
  })

  it('follows one delivery month across as-of dates, and compares two as-of dates', async () => {
    const history = await curveHistory(deps(), { market: 'MISO', node: 'INDIANA.HUB', month: '2027-07' }, viewer)
    expect(history.points.map((p) => p.asOf)).toEqual(['2026-09-30', '2026-10-30'])
    const compared = await compareCurves(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30', against: '2026-09-30', granularity: 'annual' }, viewer)
    const cal27 = compared.rows.find((r) => r.period === 'Cal-2027')!
    expect(cal27.change!.onpeak).toBeCloseTo(cal27.base!.onpeak - cal27.other!.onpeak, 12)
    expect(compared.rows.at(-1)!.period).toBe('Cal-2050')
  })

  it('answers NOT_FOUND for a curve without builds and for an as-of date without one', async () => {
    const none = await getCurve(deps(), { market: 'MISO', node: 'ILLINOIS.HUB' }, viewer).catch((e: unknown) => e)
    expect(isAppError(none) && none.code).toBe('NOT_FOUND')
    const missing = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2020-01-02' }, viewer).catch((e: unknown) => e)
    expect(isAppError(missing) && missing.code).toBe('NOT_FOUND')
  })
})

describe('one poison build cannot stop curve building (issue 11, item 9)', () => {
  const poison = { contract: '2027-01', block: 'onpeak' as const, price: -1e308 }

  it('refuses a -1e308 quote at the edge (JSON and CSV), naming the field, line and value', async () => {
    const parsed = CurveBuildInput.safeParse({ market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', block: 'onpeak', price: 50 }, poison] })
    expect(parsed.success).toBe(false)
    expect(parsed.error!.issues).toEqual([expect.objectContaining({ path: ['quotes', 1, 'price'], message: 'price -1e+308 $/MWh is outside -100000..100000 $/MWh' })])
    const csv = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotesCsv: 'contract,block,price\n2027-01,onpeak,-1e308\n', source: 'csv' },
      requester,
    ).catch((e: unknown) => e)
    expect(isAppError(csv) && csv.code).toBe('BAD_REQUEST')
    expect((csv as Error).message).toContain('line 2, field price, contract 2027-01, value "-1e308"')
  })

  it('fails a build that reaches the solver and cannot be solved, with its reason, and solves the next build', async () => {
    // Below the edge: rows stored directly, as a bug or an older version of the edge could have stored them.
    const insertBad = async (asOf: string, quotes: unknown[], params: Record<string, number>) => {
      const [row] = await platform.pg.db
        .insert(curveBuilds)
        .values({ curveId: 'MISO:INDIANA.HUB', asOf, version: 1, status: 'queued', source: 'api', quotes, inputsHash: 'x', params, requestedByLabel: 'poison' })
        .returning()
      await publishBuild({ db: platform.pg.db, bus: platform.bus, log }, row!.id)
      return row!
    }
    const stored = { ...poison, bid: null, ask: null, first: '2027-01', last: '2027-01', repriced: null }
    const badQuote = await insertBad('2026-08-03', [stored], {})
    const badPrior = await insertBad('2026-08-04', [{ ...stored, price: 50 }], { annualEscalation: 1e308 })
    const failedQuote = await waitForBuild(platform.pg.db, badQuote.id, 60_000)
    expect(failedQuote.status).toBe('failed')
    expect(failedQuote.error).toMatch(/price -1e\+308 \$\/MWh is outside/)
    const failedPrior = await waitForBuild(platform.pg.db, badPrior.id, 60_000)
    expect(failedPrior.status).toBe('failed')
    expect(failedPrior.error).toMatch(/^the solver failed: .*prior.*finite/)
    // The solver moved on: the next build of the same curve is solved.
    const next = await build('2026-08-05')
    expect(next.status, next.error ?? '').toBe('done')
  })
})

describe('dead letters (issue 11, item 4)', () => {
  it('dead-letters a request for an unknown build with the reason', async () => {
    const dead: { reason: string; value: string }[] = []
    const sub = await platform.bus.subscribe({
      topic: TOPICS.curvesDlq,
      groupId: 'curves-int-dlq-unknown',
      fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) dead.push({ reason: m.headers.reason ?? '', value: m.value.toString('utf8') })
      },
    })
    const unknown = randomUUID()
    await platform.bus.publish(TOPICS.curvesBuild, [{ key: 'MISO:INDIANA.HUB', value: JSON.stringify({ buildId: unknown }) }])
    const deadline = Date.now() + 30_000
    while (!dead.some((d) => d.value.includes(unknown)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await sub.stop()
    expect(dead.find((d) => d.value.includes(unknown))?.reason).toBe(`unknown build ${unknown}: no curve build has this id`)
  })
})

describe('curves belong to an organization (issue 11, item 10)', () => {
  let orgA: string
  let orgB: string
  const today = new Date().toISOString().slice(0, 10)
  const privateQuotes = [{ contract: 'Cal-2031', block: 'onpeak' as const, price: 71.234 }]

  beforeAll(async () => {
    orgA = await createTestOrganization(platform.pg.db, 'curves-org-a')
    orgB = await createTestOrganization(platform.pg.db, 'curves-org-b')
    // A house build older than A's private one: B's latest must stay this one.
    expect((await build('2026-10-01')).status).toBe('done')
    const queued = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: today, quotes: privateQuotes, source: 'api' },
      { userId: null, label: 'alice@org-a.example', organizationId: orgA },
    )
    expect((await waitForBuild(platform.pg.db, queued.id, 60_000)).status).toBe('done')
  })

  it("shows an organization its own build, with its quotes and builder, as its latest curve", async () => {
    const own = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB' }, { organizationId: orgA })
    expect(own.build).toMatchObject({ asOf: today, version: 1, owner: 'organization', requestedBy: 'alice@org-a.example' })
    expect(own.quotes.map((q) => q.price)).toEqual([71.234])
    const { curves } = await listCurves(platform.pg.db, ['MISO'], { organizationId: orgA })
    expect(curves.find((c) => c.node === 'INDIANA.HUB')!.asOfDates[0]).toBe(today)
  })

  it("never shows another organization's build, quotes or people: B reads the house curve", async () => {
    const b = { organizationId: orgB }
    const latest = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB' }, b)
    expect(latest.build.asOf).not.toBe(today)
    expect(latest.build).toMatchObject({ owner: 'house', requestedBy: '254Carbon' })
    expect(latest.quotes.some((q) => q.price === 71.234)).toBe(false)
    const asOfA = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: today }, b).catch((e: unknown) => e)
    expect(isAppError(asOfA) && asOfA.code).toBe('NOT_FOUND')
    const versionA = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: today, version: 1 }, b).catch((e: unknown) => e)
    expect(isAppError(versionA) && versionA.code).toBe('NOT_FOUND')
    const { curves } = await listCurves(platform.pg.db, ['MISO'], b)
    const indianaB = curves.find((c) => c.node === 'INDIANA.HUB')!
    expect(indianaB.asOfDates).not.toContain(today)
    expect(JSON.stringify(curves)).not.toContain('alice@org-a.example')
    const history = await curveHistory(deps(), { market: 'MISO', node: 'INDIANA.HUB', month: '2031-07' }, b)
    expect(history.points.map((p) => p.asOf)).not.toContain(today)
    const compared = await compareCurves(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: today }, b).catch((e: unknown) => e)
    expect(isAppError(compared) && compared.code).toBe('NOT_FOUND')
  })

  it('numbers versions per owner, and refuses an as-of date in the future naming asOf', async () => {
    const houseV = (await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30' }, { organizationId: orgB })).build.version
    expect(houseV).toBeGreaterThan(1)
    const queued = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30', quotes: privateQuotes, source: 'api' },
      { userId: null, label: 'bob@org-b.example', organizationId: orgB },
    )
    expect(queued.version).toBe(1)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const future = await requestBuild(
      { db: platform.pg.db, bus: platform.bus },
      { market: 'MISO', node: 'INDIANA.HUB', asOf: tomorrow, quotes: privateQuotes, source: 'api' },
      { userId: null, label: 'bob@org-b.example', organizationId: orgB },
    ).catch((e: unknown) => e)
    expect(isAppError(future) && future.code).toBe('BAD_REQUEST')
    expect((future as Error).message).toContain(`asOf ${tomorrow} is in the future`)
    const parsed = CurveBuildInput.safeParse({ market: 'MISO', node: 'INDIANA.HUB', asOf: '2040-01-02', quotes: privateQuotes })
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['asOf'], message: expect.stringContaining('asOf 2040-01-02 is in the future') })])
  })
})

describe('curve history range (issue 11, item 14)', () => {
  it('refuses from after to, naming from', async () => {
    const input = { market: 'MISO', node: 'INDIANA.HUB', month: '2027-07', from: '2026-10-30', to: '2026-09-30' } as const
    const parsed = CurveHistoryInput.safeParse(input)
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['from'], message: 'from 2026-10-30 is after to 2026-09-30' })])
    const error = await curveHistory(deps(), input, viewer).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('BAD_REQUEST')
    expect((error as Error).message).toBe('from 2026-10-30 is after to 2026-09-30')
  })
})
