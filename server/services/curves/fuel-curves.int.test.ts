import { parseFuelQuotesCsv, repriceFuelQuote } from '@carbon/curves'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { FUEL_CURVES, getFuelCurve, listFuelCurves, readFuelCurvePoints, requestFuelBuild, runBuild, waitForBuild, type FuelBuildRequest } from './index.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * Fuel curves against the real stores (scratch PostgreSQL, embedded chDB, the in-process bus) with
 * the solver worker subscribed to curves.build as `carbon serve` runs it: a request goes through the
 * same outbox and worker as a power build, its points land in fuel_curve_points, and the curve read
 * back reprices every input quote.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let solver: CurveSolver
const house = { userId: null, label: 'fuel-int-test', organizationId: null }
let viewer: { organizationId: string }
const deps = () => ({ db: platform.pg.db, ch: platform.ch })

const HENRY_CSV = ['contract,price,bid,ask', '2027-01,4.35,,', '2027-02,4.12,,', '2027-03,3.71,,', '2027-Q2,3.44,,', '2027-Q3,3.72,3.70,3.74', '2027-Q4,3.95,,', 'Cal-2028,3.88,,', 'Cal-2029,3.79,,'].join('\n')

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-fuel-curves-', log })
  platform = stores.platform
  viewer = { organizationId: await createTestOrganization(platform.pg.db, 'fuel-viewer-org') }
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
})

afterAll(async () => {
  await solver?.stop()
  await stores?.close()
})

async function build(request: Omit<FuelBuildRequest, 'source'>, requester: { userId: null; label: string; organizationId: string | null } = house) {
  const queued = await requestFuelBuild({ db: platform.pg.db, bus: platform.bus }, { ...request, source: 'api' }, requester)
  expect(queued.status).toBe('queued')
  return waitForBuild(platform.pg.db, queued.id, 60_000)
}

describe('fuel curve builds through the bus and the solver worker', () => {
  it('seeds one gas curve per hub (Henry Hub first) and the two LNG basis curves', async () => {
    const gas = await listFuelCurves(platform.pg.db, 'GAS', viewer)
    expect(gas.curves[0]).toMatchObject({ curve: 'HENRY_HUB', commodity: 'gas', unit: 'USD/MMBtu', latest: null })
    expect(gas.curves).toHaveLength(FUEL_CURVES.filter((c) => c.product === 'GAS').length)
    expect(gas.curves.find((c) => c.curve === 'AECO')?.unit).toBe('CAD/GJ')
    const lng = await listFuelCurves(platform.pg.db, 'LNG', viewer)
    expect(lng.curves.map((c) => [c.curve, c.commodity])).toEqual([
      ['JKM-HH', 'lng_basis'],
      ['TTF-HH', 'lng_basis'],
    ])
  })

  it('Henry Hub: request -> solver worker -> points in chDB -> every quote repriced (days-weighted) from the stored points', async () => {
    const row = await build({ product: 'GAS', curve: 'HENRY_HUB', asOf: '2026-12-04', quotesCsv: HENRY_CSV })
    expect(row.status, row.error ?? '').toBe('done')
    expect(row).toMatchObject({ version: 1, firstMonth: '2027-01', lastMonth: '2050-12', method: 'kkt-banded-schur' })

    const points = (await readFuelCurvePoints(platform.ch, 'GAS:HENRY_HUB', [row.id])).get(row.id)!
    expect(points).toHaveLength(24 * 12)
    expect(points.find((p) => p.month === '2028-02')?.days).toBe(29)
    for (const quote of parseFuelQuotesCsv(HENRY_CSV)) {
      const repriced = repriceFuelQuote({ firstMonth: row.firstMonth!, months: points }, quote)
      if (quote.bid !== null) expect(repriced, quote.contract.code).toBeGreaterThanOrEqual(quote.bid - 1e-9)
      else expect(Math.abs(repriced - quote.price), quote.contract.code).toBeLessThan(1e-9)
    }

    const got = await getFuelCurve(deps(), { product: 'GAS', curve: 'HENRY_HUB', granularity: 'quarterly' }, viewer)
    expect(got.build).toMatchObject({ id: row.id, owner: 'house', requestedBy: '254Carbon', status: 'done' })
    expect(got.curve).toMatchObject({ product: 'GAS', curve: 'HENRY_HUB', unit: 'USD/MMBtu' })
    for (const q of got.quotes) expect(Math.abs(q.repriced! - q.price), q.contract).toBeLessThan(q.bid === null ? 1e-9 : 0.021)
    expect(got.points.find((p) => p.period === '2027-Q2')?.price).toBeCloseTo(3.44, 9)
    expect(got.points.find((p) => p.period === '2027-Q1')).toMatchObject({ days: 90, months: 3 })
  })

  it('JKM-HH basis from JSON quotes, negative months accepted; an organization build is its own and versions apart', async () => {
    const quotes = [
      { contract: '2027-01', price: 9.8 },
      { contract: '2027-Q2', price: 6.1 },
      { contract: '2027-Q3', price: -0.4 },
      { contract: 'Cal-2028', price: 5.2 },
    ]
    const houseRow = await build({ product: 'LNG', curve: 'JKM-HH', asOf: '2026-12-04', quotes })
    expect(houseRow.status, houseRow.error ?? '').toBe('done')
    const own = await build({ product: 'LNG', curve: 'JKM-HH', asOf: '2026-12-04', quotes: [{ contract: 'Cal-2027', price: 6 }] }, { userId: null, label: 'analyst@viewer', organizationId: viewer.organizationId })
    expect(own).toMatchObject({ status: 'done', version: 1 })

    const seen = await getFuelCurve(deps(), { product: 'LNG', curve: 'JKM-HH', granularity: 'monthly' }, viewer)
    expect(seen.build).toMatchObject({ id: own.id, owner: 'organization', requestedBy: 'analyst@viewer' })
    const other = await getFuelCurve(deps(), { product: 'LNG', curve: 'JKM-HH', granularity: 'quarterly' }, { organizationId: await createTestOrganization(platform.pg.db, 'fuel-other-org') })
    expect(other.build.id).toBe(houseRow.id)
    expect(other.points.find((p) => p.period === '2027-Q3')?.price).toBeCloseTo(-0.4, 9)
  })

  it('marks a quarter that disagrees with its months failed, naming the contracts', async () => {
    const row = await build({ product: 'GAS', curve: 'WAHA', asOf: '2026-12-04', quotes: [{ contract: '2027-01', price: 2.1 }, { contract: '2027-02', price: 2.0 }, { contract: '2027-03', price: 1.8 }, { contract: '2027-Q1', price: 3 }] })
    expect(row.status).toBe('failed')
    expect(row.error).toMatch(/2027-Q1/)
    expect(row.error).toMatch(/2027-03/)
    // A redelivered request leaves the finished build alone.
    const again = await runBuild({ ...deps(), log }, row.id)
    expect(again?.finishedAt?.getTime()).toBe(row.finishedAt?.getTime())
  })

  it('refuses bad CSV before queueing, naming line, field and value; and an unknown curve', async () => {
    const error = await requestFuelBuild(
      { db: platform.pg.db, bus: platform.bus },
      { product: 'GAS', curve: 'HENRY_HUB', asOf: '2026-12-04', quotesCsv: 'contract,price\n2027-01,4.1\n2027-13,abc', source: 'csv' },
      house,
    ).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('BAD_REQUEST')
    expect((error as Error).message).toContain('line 3, field contract, contract 2027-13, value "2027-13"')
    expect((error as Error).message).toContain('line 3, field price')
    const unknown = await requestFuelBuild({ db: platform.pg.db, bus: platform.bus }, { product: 'LNG', curve: 'HENRY_HUB', asOf: '2026-12-04', quotes: [{ contract: 'Cal-2027', price: 4 }], source: 'api' }, house).catch(
      (e: unknown) => e,
    )
    expect(isAppError(unknown) && unknown.code).toBe('NOT_FOUND')
    expect((unknown as Error).message).toMatch(/JKM-HH, TTF-HH/)
  })

  it('a fuel curve answers NOT_FOUND before any build the viewer can see', async () => {
    const error = await getFuelCurve(deps(), { product: 'LNG', curve: 'TTF-HH' }, viewer).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('NOT_FOUND')
  })
})
