import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { compareFuelCurves, fuelCurveHistory } from './fuel-history.ts'
import { getFuelCurve, requestFuelBuild, waitForBuild, type FuelBuildRequest } from './index.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * A fuel curve's as-of dates, versions and comparisons against the real stores (scratch
 * PostgreSQL, embedded chDB, the in-process bus and the solver worker as `carbon serve` runs them):
 * house builds of Katy gas on two as-of dates (the later one twice), the view the curve pages load
 * with `asOf`, `version`, `compare` and `compareVersion`, and an organization's own build.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let solver: CurveSolver
const house = { userId: null, label: 'fuel-history-int-test', organizationId: null }
let viewer: { organizationId: string }
const deps = () => ({ db: platform.pg.db, ch: platform.ch })
const katy = { product: 'GAS', curve: 'KATY' } as const

/** Single-month quotes reprice exactly, so the stored curve holds these prices in these months. */
const quotes = (jan: number, feb: number, q2: number) => [
  { contract: '2027-01', price: jan },
  { contract: '2027-02', price: feb },
  { contract: '2027-Q2', price: q2 },
  { contract: 'Cal-2028', price: 3.9 },
]

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-fuel-history-', log })
  platform = stores.platform
  viewer = { organizationId: await createTestOrganization(platform.pg.db, 'fuel-history-viewer') }
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
  // October's build, then two versions of November's (the second corrects January).
  await build({ ...katy, asOf: '2026-10-15', quotes: quotes(4.1, 3.95, 3.3) })
  await build({ ...katy, asOf: '2026-11-16', quotes: quotes(4.4, 4.05, 3.4) })
  await build({ ...katy, asOf: '2026-11-16', quotes: quotes(4.55, 4.05, 3.4) })
})

afterAll(async () => {
  await solver?.stop()
  await stores?.close()
})

async function build(request: Omit<FuelBuildRequest, 'source'>, requester: { userId: null; label: string; organizationId: string | null } = house) {
  const queued = await requestFuelBuild({ db: platform.pg.db, bus: platform.bus }, { ...request, source: 'api' }, requester)
  const row = await waitForBuild(platform.pg.db, queued.id, 60_000)
  expect(row.status, row.error ?? '').toBe('done')
  return row
}

const period = <T extends { period: string }>(rows: T[], name: string) => rows.find((r) => r.period === name)!

async function failure(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isAppError(error)) throw new Error(`expected an application error, got ${String(error)}`)
  return error
}

describe('the as-of and version view', () => {
  it('defaults to the newest version of the newest as-of date, listing the dates and that date\'s versions', async () => {
    const view = await fuelCurveHistory(deps(), { ...katy, granularity: 'monthly' }, viewer)
    expect(view.asOfDates).toEqual(['2026-11-16', '2026-10-15'])
    expect(view.got?.build).toMatchObject({ asOf: '2026-11-16', version: 2, owner: 'house' })
    expect(view.versions).toEqual([2, 1])
    expect(period(view.got!.points, '2027-01').price).toBeCloseTo(4.55, 9)
    expect(view.compare).toBeNull()
    expect(view.rows.every((r) => r.compared === null && r.change === null)).toBe(true)
  })

  it('shows an earlier version and an earlier as-of date when asked', async () => {
    const v1 = await fuelCurveHistory(deps(), { ...katy, asOf: '2026-11-16', version: 1, granularity: 'monthly' }, viewer)
    expect(v1.got?.build).toMatchObject({ asOf: '2026-11-16', version: 1 })
    expect(period(v1.got!.points, '2027-01').price).toBeCloseTo(4.4, 9)
    const october = await fuelCurveHistory(deps(), { ...katy, asOf: '2026-10-15', granularity: 'monthly' }, viewer)
    expect(october.got?.build).toMatchObject({ asOf: '2026-10-15', version: 1 })
    expect(october.versions).toEqual([1])
  })
})

describe('compare with another as-of date or version', () => {
  it('gives the change per period against an earlier as-of date (shown minus compared), in the table rows and the comparison', async () => {
    const view = await fuelCurveHistory(deps(), { ...katy, compare: '2026-10-15', granularity: 'monthly' }, viewer)
    expect(view.compare?.base).toMatchObject({ asOf: '2026-11-16', version: 2 })
    expect(view.compare?.other).toMatchObject({ asOf: '2026-10-15', version: 1 })
    expect(view.compareVersions).toEqual([1])
    const january = period(view.rows, '2027-01')
    expect(january.price).toBeCloseTo(4.55, 9)
    expect(january.compared).toBeCloseTo(4.1, 9)
    expect(january.change).toBeCloseTo(0.45, 9)
    expect(period(view.rows, '2027-02').change).toBeCloseTo(0.1, 9)
    // Every period's change is the difference of the two builds as getFuelCurve reads them.
    const october = await getFuelCurve(deps(), { ...katy, asOf: '2026-10-15', granularity: 'monthly' }, viewer)
    for (const row of view.rows) expect(row.change!, row.period).toBeCloseTo(row.price - period(october.points, row.period).price, 9)
  })

  it('views both builds from the later as-of month; a quarter they hold different months of is compared as it is (as power)', async () => {
    // November's build starts in December, October's in November: their 2026-Q4 differ in months.
    const view = await fuelCurveHistory(deps(), { ...katy, compare: '2026-10-15', granularity: 'quarterly' }, viewer)
    const october = await getFuelCurve(deps(), { ...katy, asOf: '2026-10-15', granularity: 'quarterly' }, viewer)
    expect(period(october.points, '2026-Q4')).toMatchObject({ first: '2026-11', last: '2026-12' })
    expect(view.rows[0]).toMatchObject({ period: '2026-Q4', first: '2026-12', last: '2026-12' })
    expect(view.rows[0]!.compared).toBeCloseTo(period(october.points, '2026-Q4').price, 9)
    expect(period(view.rows, '2027-Q2').change).toBeCloseTo(0.1, 9)
    expect(view.rows.at(-1)).toMatchObject({ period: '2050-Q4' })
    // With no `against`, the as-of date before the shown one.
    const previous = await compareFuelCurves(deps(), { ...katy }, viewer)
    expect(previous.other.asOf).toBe('2026-10-15')
  })

  it('compares versions of the same as-of date: by default the newest other version, or the one named', async () => {
    const view = await fuelCurveHistory(deps(), { ...katy, compare: '2026-11-16', granularity: 'monthly' }, viewer)
    expect(view.compare?.other).toMatchObject({ asOf: '2026-11-16', version: 1 })
    expect(view.compareVersions).toEqual([2, 1])
    expect(period(view.rows, '2027-01').change).toBeCloseTo(0.15, 9)
    expect(period(view.rows, '2027-02').change).toBeCloseTo(0, 9)
    const reverse = await fuelCurveHistory(deps(), { ...katy, asOf: '2026-11-16', version: 1, compare: '2026-11-16', granularity: 'monthly' }, viewer)
    expect(reverse.compare?.other.version).toBe(2)
    expect(period(reverse.rows, '2027-01').change).toBeCloseTo(-0.15, 9)
    const named = await fuelCurveHistory(deps(), { ...katy, compare: '2026-11-16', compareVersion: 1, granularity: 'monthly' }, viewer)
    expect(named.compare?.other.id).toBe(view.compare?.other.id)
  })

  it('drops a comparison with the shown build itself, or with its date when that has no other version', async () => {
    const view = await fuelCurveHistory(deps(), { ...katy, compare: '2026-11-16', compareVersion: 2 }, viewer)
    expect(view.got?.build.version).toBe(2)
    expect(view.compare).toBeNull()
    expect(view.compareVersions).toEqual([])
    const october = await fuelCurveHistory(deps(), { ...katy, asOf: '2026-10-15', compare: '2026-10-15' }, viewer)
    expect(october.got?.build.asOf).toBe('2026-10-15')
    expect(october.compare).toBeNull()
  })

  it('answers NOT_FOUND for a date or version without a build, and BAD_REQUEST for a version without its date', async () => {
    const noDate = await failure(fuelCurveHistory(deps(), { ...katy, compare: '2026-09-01' }, viewer))
    expect(noDate.code).toBe('NOT_FOUND')
    expect(noDate.message).toContain('2026-09-01')
    const noVersion = await failure(fuelCurveHistory(deps(), { ...katy, asOf: '2026-11-16', version: 7 }, viewer))
    expect(noVersion.code).toBe('NOT_FOUND')
    expect(noVersion.message).toContain('Build 7 of the Katy gas curve as of 2026-11-16')
    const alone = await failure(compareFuelCurves(deps(), { ...katy, asOf: '2026-10-15', against: '2026-10-15' }, viewer))
    expect(alone.code).toBe('NOT_FOUND')
    expect(alone.message).toContain('there is only version 1')
    const earliest = await failure(compareFuelCurves(deps(), { ...katy, asOf: '2026-10-15' }, viewer))
    expect(earliest.message).toContain('built before 2026-10-15')
    const loose = await failure(compareFuelCurves(deps(), { ...katy, againstVersion: 1 }, viewer))
    expect(loose.code).toBe('BAD_REQUEST')
  })
})

describe('ownership', () => {
  it("an organization's own build of a date is what it sees and compares: its versions, not the house's", async () => {
    const own = await build({ ...katy, asOf: '2026-11-16', quotes: quotes(5, 4.05, 3.4) }, { userId: null, label: 'analyst@history', organizationId: viewer.organizationId })
    const view = await fuelCurveHistory(deps(), { ...katy, compare: '2026-10-15', granularity: 'monthly' }, viewer)
    expect(view.got?.build).toMatchObject({ id: own.id, owner: 'organization', version: 1 })
    expect(view.versions).toEqual([1])
    expect(period(view.rows, '2027-01').change).toBeCloseTo(0.9, 9)
    const stranger = { organizationId: await createTestOrganization(platform.pg.db, 'fuel-history-stranger') }
    const theirs = await fuelCurveHistory(deps(), { ...katy }, stranger)
    expect(theirs.got?.build).toMatchObject({ owner: 'house', version: 2 })
    expect(theirs.versions).toEqual([2, 1])
  })

  it('a curve nobody built is an empty view; an as-of date asked of it is NOT_FOUND', async () => {
    const empty = await fuelCurveHistory(deps(), { product: 'LNG', curve: 'TTF-HH' }, viewer)
    expect(empty).toMatchObject({ got: null, asOfDates: [], versions: [], compare: null, compareVersions: [], rows: [] })
    expect(empty.curve).toMatchObject({ product: 'LNG', curve: 'TTF-HH', commodity: 'lng_basis', unit: 'USD/MMBtu' })
    expect((await failure(fuelCurveHistory(deps(), { product: 'LNG', curve: 'TTF-HH', asOf: '2026-11-16' }, viewer))).code).toBe('NOT_FOUND')
  })
})
