import { addMonths, monthHours, monthRange, type CurveMonth } from '@carbon/curves'
import { isOnPeak, type PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { insertCurvePoints } from '../curves/points.ts'
import { insertPrices } from '../prices/index.ts'
import { BacktestOutput, monthStartUtc, runBacktest } from './index.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'

/*
 * The backtest against the real stores (scratch PostgreSQL, embedded chDB) with hand-made curve
 * builds and day-ahead prices whose errors are known exactly: every on-peak hour of a month at one
 * price and every off-peak hour at another, so the realized averages are those prices.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let stores: TestPlatform
let orgA: string
let orgB: string
const CURVE = 'MISO:INDIANA.HUB'
const NOW = new Date('2026-12-06T12:00:00Z')

/** Realized DA prices per month: on-peak and off-peak hours each at one price; June only its first ten days. */
const REALIZED: Record<string, { onpeak: number; offpeak: number; days?: number }> = {
  '2026-04': { onpeak: 50, offpeak: 25 },
  '2026-05': { onpeak: 40, offpeak: 20 },
  '2026-06': { onpeak: 60, offpeak: 30, days: 10 },
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-backtest-', log })
  platform = stores.platform
  orgA = await createTestOrganization(platform.pg.db, 'backtest-a')
  orgB = await createTestOrganization(platform.pg.db, 'backtest-b')
  await insertPrices(platform.ch, Object.entries(REALIZED).flatMap(([month, p]) => dayAheadMonth(month, p.onpeak, p.offpeak, p.days)))
  // Organization A's own build as of 2026-03-31 (months 1..6 = 2026-04..09): errors 10 %, 4 %, 10 %, 30 % on the complete months.
  await handMadeBuild(orgA, '2026-03-31', { '2026-04': [55, 24], '2026-05': [44, 26], '2026-06': [66, 33] })
  // The house build of the same date is hidden from A by its own; B's build is never seen by A.
  await handMadeBuild(null, '2026-03-31', { '2026-04': [500, 500], '2026-05': [500, 500] })
  await handMadeBuild(orgB, '2026-03-31', { '2026-04': [1, 1], '2026-05': [1, 1] })
  // The house build as of 2026-04-30 (months 2026-05..10), seen by A: May errors 10 % and 10 %.
  await handMadeBuild(null, '2026-04-30', { '2026-05': [36, 22] })
}, 120_000)

afterAll(async () => {
  await stores?.close()
})

/** Hourly DA records of INDIANA.HUB over a month (local prevailing time), on-peak hours at `on`, off-peak at `off`. */
function dayAheadMonth(month: string, on: number, off: number, days?: number): PriceRecord[] {
  const start = monthStartUtc(month, 'America/New_York').getTime()
  const end = days ? start + days * 86_400_000 : monthStartUtc(addMonths(month, 1), 'America/New_York').getTime()
  const records: PriceRecord[] = []
  for (let t = start; t < end; t += 3_600_000) {
    const lmp = isOnPeak('MISO', new Date(t)) ? on : off
    records.push({
      market: 'MISO',
      node: 'INDIANA.HUB',
      run: 'DA',
      intervalStart: new Date(t).toISOString(),
      intervalEnd: new Date(t + 3_600_000).toISOString(),
      lmp,
      energy: lmp,
      congestion: 0,
      loss: 0,
      ghg: null,
      source: 'miso.da_expost_lmp',
      publishedAt: null,
    })
  }
  return records
}

/** A done build with curve points for months 1..6 after asOf: the given [onpeak, offpeak] per month, 70/35 elsewhere. */
async function handMadeBuild(organizationId: string | null, asOf: string, prices: Record<string, [number, number]>): Promise<string> {
  const first = addMonths(asOf.slice(0, 7), 1)
  const last = addMonths(first, 11)
  const [row] = await platform.pg.db
    .insert(curveBuilds)
    .values({
      curveId: CURVE,
      organizationId,
      asOf,
      version: 1,
      status: 'done',
      source: 'api',
      quotes: [],
      inputsHash: `hand-made-${asOf}`,
      params: {},
      firstMonth: first,
      lastMonth: last,
      requestedByLabel: 'backtest-test',
      finishedAt: new Date(),
    })
    .returning({ id: curveBuilds.id })
  const months: CurveMonth[] = monthRange(first, last).map((month) => {
    const [onpeak, offpeak] = prices[month] ?? [70, 35]
    const hours = monthHours('MISO', month)
    return { month, onpeak, offpeak, atc: (hours.onpeak * onpeak + hours.offpeak * offpeak) / hours.atc, hours }
  })
  await insertCurvePoints(platform.ch, { curveId: CURVE, buildId: row!.id, asOf }, months)
  return row!.id
}

describe('backtest of the forward curves against realized day-ahead prices', () => {
  let result: BacktestOutput

  beforeAll(async () => {
    result = BacktestOutput.parse(await runBacktest({ db: platform.pg.db, ch: platform.ch }, { market: 'MISO' }, { organizationId: orgA }, NOW))
  })

  it('realizes the hand-made months exactly, with the NERC on/off-peak split', () => {
    const april = result.rows.filter((r) => r.month === '2026-04' && r.asOf === '2026-03-31')
    expect(april.map((r) => [r.block, r.realized, r.complete, r.samples, r.hours])).toEqual([
      ['onpeak', 50, true, 720, 720],
      ['offpeak', 25, true, 720, 720],
    ])
  })

  it('computes the MAPE of the builds the viewer sees: its own before the house, never another organization', () => {
    expect(result.overall.count).toBe(6)
    expect(result.overall.mape).toBeCloseTo((10 + 4 + 10 + 30 + 10 + 10) / 6, 10)
    expect(result.overall.passes).toBe(false)
    const own = result.asOfs.find((a) => a.asOf === '2026-03-31')!
    expect(own).toMatchObject({ node: 'INDIANA.HUB', count: 4, passes: false })
    expect(own.mape).toBeCloseTo((10 + 4 + 10 + 30) / 4, 10)
    expect(result.asOfs.find((a) => a.asOf === '2026-04-30')).toMatchObject({ count: 2, passes: true })
    expect(result.asOfs.find((a) => a.asOf === '2026-04-30')!.mape).toBeCloseTo(10, 10)
    expect(result.rows.some((r) => r.forecast === 500 || r.forecast === 1)).toBe(false)
  })

  it('reports the MAPE per hub and block', () => {
    const indiana = result.hubs.filter((h) => h.node === 'INDIANA.HUB')
    expect(indiana.map((h) => [h.block, h.count])).toEqual([
      [null, 6],
      ['onpeak', 3],
      ['offpeak', 3],
    ])
    expect(indiana[1]!.mape).toBeCloseTo(10, 10)
    expect(indiana[2]!.mape).toBeCloseTo((4 + 30 + 10) / 3, 10)
    // Hubs without builds have no row: the curves of the market that were never built are left out.
    expect(result.hubs.every((h) => h.node === 'INDIANA.HUB')).toBe(true)
  })

  it('flags a partial month and months without prices, and leaves them out of the MAPE', () => {
    const june = result.rows.filter((r) => r.month === '2026-06' && r.asOf === '2026-03-31')
    expect(june.map((r) => [r.block, r.complete, r.samples, r.ape])).toEqual([
      ['onpeak', false, 240, null],
      ['offpeak', false, 240, null],
    ])
    const september = result.rows.find((r) => r.month === '2026-09' && r.asOf === '2026-03-31')!
    expect(september).toMatchObject({ realized: null, samples: 0, complete: false, ape: null, horizon: 6 })
    expect(result.realizedThrough).toBe('2026-05')
    expect(result.rows.filter((r) => r.asOf === '2026-03-31').map((r) => r.horizon)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
  })

  it('answers an empty backtest for as-of dates without builds, and 404 for an unknown hub', async () => {
    const empty = await runBacktest({ db: platform.pg.db, ch: platform.ch }, { market: 'MISO', from: '2025-01-01', to: '2025-12-31' }, { organizationId: orgA }, NOW)
    expect(empty).toMatchObject({ rows: [], asOfs: [], overall: { mape: null, count: 0, passes: null }, realizedThrough: null })
    const error = await runBacktest({ db: platform.pg.db, ch: platform.ch }, { market: 'MISO', node: 'NOWHERE.HUB' }, { organizationId: orgA }, NOW).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('NOT_FOUND')
    const backwards = await runBacktest({ db: platform.pg.db, ch: platform.ch }, { market: 'MISO', from: '2026-05-01', to: '2026-04-01' }, { organizationId: orgA }, NOW).catch((e: unknown) => e)
    expect(isAppError(backwards) && backwards.code).toBe('BAD_REQUEST')
  })
})
