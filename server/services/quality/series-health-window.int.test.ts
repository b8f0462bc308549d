import { readFile } from 'node:fs/promises'
import { buildXlsx, eia860mOperatingCells, EIA860M_OPERATING_SHEET, EIA860M_SAMPLE_GENERATORS, REC_FIXTURE_DIR, REC_PRICES_SAMPLE_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import type { SeriesRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ingestSeriesPayload } from '../series/ingest.ts'
import { insertSeriesValues } from '../series/store.ts'
import { openSeriesTestStores, type SeriesTestStores } from '../series/testing.ts'
import { seriesHealth } from './series-health.ts'

/*
 * The window a series' completeness is measured over is read on its own (series-health.ts: the
 * newest period per series first, then only the rows of each window), on chDB through the
 * series store's own insert: history older than a window changes nothing but the first period,
 * a series that stopped long ago is measured over its own last periods, a long daily series is
 * whole over its 92 weekdays, a period delivered twice counts once with its newest delivery
 * deciding, and REC quotes entered on a few dates are not weekdays "missing".
 */

const HOUR = 3_600_000
const DAY = 24 * HOUR
let stores: SeriesTestStores

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series-health-window')
}, 60_000)

afterAll(async () => {
  await stores?.close()
})

const iso = (ms: number) => new Date(ms).toISOString()

/** Hourly EIA-930 demand of one respondent (mapped to CAISO), `hours` hours ending at `last`, less the hours in `missing`. */
function hourly(respondent: string, last: string, hours: number, missing: readonly string[] = []): SeriesRecord[] {
  const end = Date.parse(last)
  const skip = new Set(missing.map((m) => Date.parse(m)))
  const out: SeriesRecord[] = []
  for (let t = end - (hours - 1) * HOUR; t <= end; t += HOUR) {
    if (skip.has(t)) continue
    out.push({
      product: 'GRID',
      market: 'CAISO',
      series: `${respondent}.DEMAND`,
      measure: 'demand',
      frequency: 'hour',
      periodStart: iso(t),
      periodEnd: iso(t + HOUR),
      value: 1000 + (t / HOUR) % 97,
      unit: 'MWh',
      attributes: { respondent },
      source: 'eia.930.region_data',
      publishedAt: null,
    })
  }
  return out
}

/** Henry Hub daily on every weekday from `from` through `to`. */
function weekdays(from: string, to: string, source: string): SeriesRecord[] {
  const out: SeriesRecord[] = []
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY) {
    const day = new Date(t).getUTCDay()
    if (day === 0 || day === 6) continue
    out.push({
      product: 'GAS',
      market: null,
      series: 'HENRY_HUB',
      measure: 'price',
      frequency: 'day',
      periodStart: iso(t),
      periodEnd: iso(t + DAY),
      value: 3 + (t / DAY) % 7 / 10,
      unit: '$/MMBtu',
      attributes: {},
      source,
      publishedAt: null,
    })
  }
  return out
}

const store = (records: SeriesRecord[], ingestedAt: string) => insertSeriesValues(stores.ch, records, { ingestedAt, rawKey: `test/${ingestedAt}` })

const health = (products: ('GAS' | 'REC')[], markets: 'CAISO'[], now: string) => seriesHealth(stores.ch, stores.pg.db, { products, markets, now: new Date(now) })

async function gridSeries(series: string) {
  const h = await health([], ['CAISO'], '2026-12-01T12:00:00Z')
  return h.datasets.find((d) => d.dataset === 'eia.930.region_data')?.series.find((s) => s.series === series)
}

describe('series health reads each series over its own window', () => {
  it('gives the same answer whatever history lies before the window, but the first period', async () => {
    await store(hourly('PACW', '2026-11-30T23:00:00Z', 200, ['2026-11-30T05:00:00Z', '2026-11-30T06:00:00Z']), '2026-12-01T01:00:00Z')
    const before = (await gridSeries('PACW.DEMAND'))!
    expect(before).toMatchObject({ expectedPeriods: 168, receivedPeriods: 166, missingPeriods: 2, lastPeriodStart: '2026-11-30T23:00:00.000Z' })
    expect(before.gaps).toEqual([{ from: '2026-11-30T05:00:00.000Z', to: '2026-11-30T06:00:00.000Z', periods: 2, dates: null }])
    expect(before.firstPeriodStart).toBe('2026-11-22T16:00:00.000Z')

    // Two years of history before the window, with a hole of a month, stored by an earlier ingest.
    const history = hourly('PACW', '2026-11-22T15:00:00Z', 2 * 8760).filter((r) => !r.periodStart.startsWith('2025-06'))
    await store(history, '2026-11-23T01:00:00Z')
    const after = (await gridSeries('PACW.DEMAND'))!
    expect(after.firstPeriodStart).toBe(history[0]!.periodStart)
    expect({ ...after, firstPeriodStart: before.firstPeriodStart }).toEqual(before)
  })

  it('measures a series that stopped long ago over its own last periods', async () => {
    // PACE stopped a year before PACW's newest hour; its window is its own last 168 hours.
    await store(hourly('PACE', '2025-11-30T23:00:00Z', 400, ['2025-11-29T12:00:00Z']), '2025-12-01T01:00:00Z')
    const stale = (await gridSeries('PACE.DEMAND'))!
    expect(stale).toMatchObject({ lastPeriodStart: '2025-11-30T23:00:00.000Z', windowFrom: '2025-11-24T00:00:00.000Z', expectedPeriods: 168, receivedPeriods: 167 })
    expect(stale.gaps).toEqual([{ from: '2025-11-29T12:00:00.000Z', to: '2025-11-29T12:00:00.000Z', periods: 1, dates: null }])
    expect(stale.late).toBe(true)
    // The current series beside it is unchanged.
    expect(await gridSeries('PACW.DEMAND')).toMatchObject({ expectedPeriods: 168, receivedPeriods: 166 })
  })

  it('finds a long daily series whole over its 92 weekdays', async () => {
    await store(weekdays('2025-11-03T00:00:00Z', '2026-11-27T00:00:00Z', 'eia.ng.hh_spot_daily'), '2026-12-02T20:00:00Z')
    const gas = (await health(['GAS'], [], '2026-12-03T12:00:00Z')).datasets.find((d) => d.dataset === 'eia.ng.hh_spot_daily')!
    const hh = gas.series.find((s) => s.series === 'HENRY_HUB')!
    // 92 weekdays back from Friday 2026-11-27 start on Thursday 2026-07-23, 127 days before: all stored.
    expect(hh).toMatchObject({ expectedPeriods: 92, receivedPeriods: 92, ratio: 1, missingPeriods: 0, gaps: [], windowFrom: '2026-07-23T00:00:00.000Z' })
    expect(hh.presence).toBe('1'.repeat(92))
  })

  it('counts a period delivered again once, its newest delivery deciding the dataset', async () => {
    // Datahub's copy delivers the last two days again later: they are one period each, now datahub's.
    await store(weekdays('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z', 'datahub.ng.hh_spot_daily'), '2026-12-03T20:00:00Z')
    const h = await health(['GAS'], [], '2026-12-04T12:00:00Z')
    expect(h.datasets.find((d) => d.dataset === 'eia.ng.hh_spot_daily')).toBeUndefined()
    const hh = h.datasets.find((d) => d.dataset === 'datahub.ng.hh_spot_daily')!.series[0]!
    expect(hh).toMatchObject({ series: 'HENRY_HUB', expectedPeriods: 92, receivedPeriods: 92, ratio: 1, lastIngestedAt: '2026-12-03T20:00:00.000Z' })
  })

  it('does not count the weekdays between entered REC quotes as missing', async () => {
    const bytes = new Uint8Array(await readFile(new URL(REC_PRICES_SAMPLE_FIXTURE, REC_FIXTURE_DIR)))
    const now = Date.now()
    const result = await ingestSeriesPayload(
      stores.deps,
      { source: 'carbon.rec_prices_csv', key: 'REC', bytes, file: REC_PRICES_SAMPLE_FIXTURE, url: 'upload:test', window: { start: now - DAY, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
      { trigger: 'upload', startedAt: now },
    )
    expect(result).toMatchObject({ status: 'ok', records: 23 })
    expect(await stores.consumer.drain(10_000)).toBe(true)

    const rec = (await health(['REC'], [], '2026-10-02T12:00:00Z')).datasets.find((d) => d.dataset === 'carbon.rec_prices_csv')!
    // Quotes on 09-01, 09-15 and 10-01: three quote days, not 3 of 23 weekdays.
    const solar = rec.series.find((s) => s.series === 'REC.NJ.SOLAR.2027')!
    expect(solar).toMatchObject({ calendar: 'entered', expectedPeriods: 3, receivedPeriods: 3, ratio: 1, missingPeriods: 0, gaps: [], presence: '111', windowFrom: '2026-09-01T00:00:00.000Z', late: null })
    expect(rec.series.find((s) => s.series === 'REC.NJ.TREC.2027')).toMatchObject({ expectedPeriods: 1, receivedPeriods: 1, lastPeriodStart: '2026-09-01T00:00:00.000Z' })
    expect(rec).toMatchObject({ status: 'unscheduled', schedule: null, expectedPeriods: 23, receivedPeriods: 23, ratio: 1 })
  })

  it("calls an inventory's series absent from its newest month ended, not late (EIA-860M: every PACW hydro generator retired)", async () => {
    const read = (generators: typeof EIA860M_SAMPLE_GENERATORS, file: string) =>
      SERIES_SOURCES['eia.860m.generators'].parse(buildXlsx([{ name: EIA860M_OPERATING_SHEET, cells: eia860mOperatingCells(generators) }]), file).records
    const caiso = (generators: typeof EIA860M_SAMPLE_GENERATORS) => generators.filter((g) => g.ba === 'CISO' || g.ba === 'PACW')
    await insertSeriesValues(stores.ch, read(caiso(EIA860M_SAMPLE_GENERATORS), 'september_generator2026.xlsx'), { ingestedAt: '2026-10-28T18:00:00.000Z', rawKey: 'test/sep' })
    const october = caiso(EIA860M_SAMPLE_GENERATORS).filter((g) => g.ba !== 'PACW')
    await insertSeriesValues(stores.ch, read(october, 'october_generator2026.xlsx'), { ingestedAt: '2026-11-28T18:00:00.000Z', rawKey: 'test/oct' })

    const capacity = (await health([], ['CAISO'], '2026-11-30T12:00:00Z')).datasets.find((d) => d.dataset === 'eia.860m.generators')!
    const hydro = capacity.series.filter((s) => s.series === 'PACW.CAPACITY.CONVENTIONAL_HYDROELECTRIC')
    expect(hydro).toHaveLength(3)
    for (const s of hydro) expect(s).toMatchObject({ ended: true, late: false, lastPeriodStart: '2026-09-01T00:00:00.000Z', calendar: 'publisher' })
    expect(capacity.series.filter((s) => s.series.startsWith('CISO.')).every((s) => !s.ended && s.late === false)).toBe(true)
    expect(capacity.schedule).toMatchObject({ late: false, lateSeries: 0 })
    expect(capacity.status).not.toBe('late')
  })
})
