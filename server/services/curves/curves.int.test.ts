import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseQuotesCsv, repriceQuote, type CurveBuild } from '@carbon/curves'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TOPICS } from '../../adapters/bus/index.ts'
import { migratePostgres } from '../../adapters/postgres/client.ts'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../../adapters/postgres/testing.ts'
import { parseEnv } from '../../env.ts'
import { isAppError } from '../../errors.ts'
import { openPlatform, seedReferenceData, type Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { compareCurves, curveHistory, getCurve, listCurves, requestBuild, runBuild, waitForBuild } from './index.ts'
import { readCurvePoints } from './points.ts'

/*
 * The curve service against the real stores: a scratch PostgreSQL database, embedded chDB and the
 * in-process bus, with the solver worker subscribed to curves.build as `carbon serve` runs it.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let dataDir: string
let solver: CurveSolver
const requester = { userId: null, label: 'curves-int-test' }
const deps = () => ({ db: platform.pg.db, ch: platform.ch })
const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-curves-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url })
  platform = await openPlatform(env, log)
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
})

afterAll(async () => {
  await solver?.stop()
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
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
    const { curves } = await listCurves(platform.pg.db, ['MISO'])
    const curve = curves.find((c) => c.node === 'INDIANA.HUB')!
    expect(curve.asOfDates).toEqual(['2026-10-30', '2026-09-30'])
    expect(curve.latest).toMatchObject({ asOf: '2026-10-30', version: 3, status: 'done' })
    expect(curves.find((c) => c.node === 'ILLINOIS.HUB')?.latest).toBeNull()
  })

  it('gets a curve in the standard view: quarters for ten years, then calendar years to Cal-2050, hours-weighted', async () => {
    const monthly = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', granularity: 'monthly' })
    const standard = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB' })
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
    const history = await curveHistory(deps(), { market: 'MISO', node: 'INDIANA.HUB', month: '2027-07' })
    expect(history.points.map((p) => p.asOf)).toEqual(['2026-09-30', '2026-10-30'])
    const compared = await compareCurves(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30', against: '2026-09-30', granularity: 'annual' })
    const cal27 = compared.rows.find((r) => r.period === 'Cal-2027')!
    expect(cal27.change!.onpeak).toBeCloseTo(cal27.base!.onpeak - cal27.other!.onpeak, 12)
    expect(compared.rows.at(-1)!.period).toBe('Cal-2050')
  })

  it('answers NOT_FOUND for a curve without builds and for an as-of date without one', async () => {
    const none = await getCurve(deps(), { market: 'MISO', node: 'ILLINOIS.HUB' }).catch((e: unknown) => e)
    expect(isAppError(none) && none.code).toBe('NOT_FOUND')
    const missing = await getCurve(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2020-01-02' }).catch((e: unknown) => e)
    expect(isAppError(missing) && missing.code).toBe('NOT_FOUND')
  })
})
