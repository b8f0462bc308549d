import { readFile } from 'node:fs/promises'
import { EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR, LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923, type SeriesSourceId } from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createInProcessBus, type Bus } from '../../adapters/bus/index.ts'
import { createDeadLetterStore } from '../dlq/index.ts'
import { ingestSeriesPayload, type SeriesIngestDeps } from '../series/ingest.ts'
import { openSeriesTestStores, type SeriesTestStores } from '../series/testing.ts'
import { startSeriesConsumer, type SeriesConsumer } from '../../workers/series-consumer.ts'
import { seriesHealth } from './series-health.ts'

/*
 * Series data health on real parts: files go through the series pipeline (raw archive, the
 * in-process bus with the PostgreSQL dead-letter store the platform wires, the series consumer,
 * chDB, ingest_runs) and the health summary reads them back: completeness and gap ranges of a
 * daily Henry Hub series with known missing weekdays, the late flag against the publishers'
 * schedules (EIA's weekly daily-price release, the Thursday LNG bullet), ingest runs, dead-letter
 * counts and their latest reason, and the scope (products, GRID markets) a viewer is entitled to.
 */

const log = pino({ level: 'silent' })
let stores: SeriesTestStores
let bus: Bus
let consumer: SeriesConsumer
let deps: SeriesIngestDeps

/**
 * Weekdays 2026-11-02 (Mon) .. 2026-11-27 (Fri) in datahub's layout, less 11-20 (Fri) and 11-23
 * (Mon); 11-10 and 11-11 are rows the reader refuses (a word and a negative price): 20 weekdays
 * expected, 16 stored, two gaps, two dead letters.
 */
const HH_DAILY = [
  'Date,Price',
  '2026-11-02,3.01',
  '2026-11-03,3.02',
  '2026-11-04,3.03',
  '2026-11-05,3.04',
  '2026-11-06,3.05',
  '2026-11-09,3.06',
  '2026-11-10,n/a',
  '2026-11-11,-1',
  '2026-11-12,3.09',
  '2026-11-13,3.10',
  '2026-11-16,3.11',
  '2026-11-17,3.12',
  '2026-11-18,3.13',
  '2026-11-19,3.14',
  '2026-11-24,3.17',
  '2026-11-25,3.18',
  '2026-11-26,3.19',
  '2026-11-27,3.20',
  '',
].join('\n')

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series-health')
  // As the platform wires it (server/platform.ts): every series.dlq message stored in dead_letters.
  bus = createInProcessBus({ log, deadLetters: createDeadLetterStore(stores.pg.db, log) })
  consumer = await startSeriesConsumer({ bus, ch: stores.ch, log })
  deps = { ...stores.deps, bus }
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await stores?.close()
})

async function ingest(source: SeriesSourceId, key: DataKey, file: string, bytes: Uint8Array) {
  const now = Date.now()
  const result = await ingestSeriesPayload(
    deps,
    { source, key, bytes, file, url: `test:${file}`, window: { start: now - 86_400_000, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
    { trigger: 'schedule', startedAt: now },
  )
  expect(await consumer.drain(10_000)).toBe(true)
  return result
}

const health = (products: ('GAS' | 'LNG' | 'LCFS' | 'REC')[], markets: ('CAISO' | 'MISO')[], now: string | Date) =>
  seriesHealth(stores.ch, stores.pg.db, { products, markets, now: typeof now === 'string' ? new Date(now) : now })

const datasetOf = (h: Awaited<ReturnType<typeof health>>, id: string) => h.datasets.find((d) => d.dataset === id)

describe('series data health', () => {
  it('stores the files through the pipeline', async () => {
    expect(await ingest('datahub.ng.hh_spot_daily', 'GAS', 'hh_daily_2026-11.csv', new TextEncoder().encode(HH_DAILY))).toMatchObject({ status: 'partial', records: 16, issues: 2 })
    const lng = new Uint8Array(await readFile(new URL(WNGSR_LNG_FIXTURE_0923, LNG_FIXTURE_DIR)))
    expect(await ingest('eia.ng.wngsr_lng_prices', 'LNG', WNGSR_LNG_FIXTURE_0923, lng)).toMatchObject({ status: 'ok' })
    const grid = new Uint8Array(await readFile(new URL(EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR)))
    expect(await ingest('eia.930.region_data', 'CAISO', EIA930_REGION_DATA_FIXTURE, grid)).toMatchObject({ status: 'ok', records: 169 })
  })

  it('measures completeness over weekdays and names the missing dates as gap ranges', async () => {
    const h = await health(['GAS'], [], '2026-12-07T12:00:00Z')
    const gas = datasetOf(h, 'datahub.ng.hh_spot_daily')!
    expect(gas.series).toHaveLength(1)
    const hh = gas.series[0]!
    expect(hh).toMatchObject({ product: 'GAS', market: null, series: 'HENRY_HUB', frequency: 'day', unit: '$/MMBtu' })
    expect(hh).toMatchObject({ expectedPeriods: 20, receivedPeriods: 16, missingPeriods: 4, ratio: 0.8 })
    expect(hh.windowFrom).toBe('2026-11-02T00:00:00.000Z')
    expect(hh.gaps).toEqual([
      { from: '2026-11-20T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', periods: 2, dates: ['2026-11-20', '2026-11-23'] },
      { from: '2026-11-10T00:00:00.000Z', to: '2026-11-11T00:00:00.000Z', periods: 2, dates: ['2026-11-10', '2026-11-11'] },
    ])
    expect(hh.presence).toBe('11111' + '10011' + '11110' + '01111')
    expect(gas).toMatchObject({ product: 'GAS', expectedPeriods: 20, receivedPeriods: 16, ratio: 0.8 })
  })

  it('flags a dataset late once the publisher has released periods it does not hold', async () => {
    // Datahub's CSV copies EIA's daily workbook, released Wednesdays through the Friday before.
    // Monday 2026-12-07: the release of 12-02 holds days through 11-27, the file's last day: on time.
    const onTime = datasetOf(await health(['GAS'], [], '2026-12-07T12:00:00Z'), 'datahub.ng.hh_spot_daily')!
    expect(onTime.schedule).toMatchObject({ scheduleOf: 'eia.ng.hh_spot_daily', expectedThrough: '2026-11-28T00:00:00.000Z', late: false, lateSeries: 0 })
    expect(onTime.series[0]!.late).toBe(false)
    // 2026-12-17: the release of 12-16 holds days through 12-11; 11-27 is more than a long weekend before.
    const late = datasetOf(await health(['GAS'], [], '2026-12-17T12:00:00Z'), 'datahub.ng.hh_spot_daily')!
    expect(late.schedule).toMatchObject({ expectedThrough: '2026-12-12T00:00:00.000Z', late: true, lateSeries: 1 })
    expect(late.status).toBe('late')

    // The LNG week ending Wednesday 2026-09-23 is released Thursday 09-24: on time on the 25th, late a week later.
    const lngOnTime = datasetOf(await health(['LNG'], [], '2026-09-25T12:00:00Z'), 'eia.ng.wngsr_lng_prices')!
    expect(lngOnTime.schedule).toMatchObject({ late: false, expectedThrough: '2026-09-24T00:00:00.000Z' })
    expect(lngOnTime.series.map((s) => [s.series, s.frequency, s.lastPeriodStart, s.late])).toEqual([
      ['JKM', 'week', '2026-09-17T00:00:00.000Z', false],
      ['TTF', 'week', '2026-09-17T00:00:00.000Z', false],
    ])
    const lngLate = datasetOf(await health(['LNG'], [], '2026-10-02T12:00:00Z'), 'eia.ng.wngsr_lng_prices')!
    expect(lngLate.schedule).toMatchObject({ late: true, lateSeries: 2, expectedThrough: '2026-10-01T00:00:00.000Z' })
  })

  it('counts dead letters with their latest reason, and the ingest runs with the latest failure', async () => {
    const before = datasetOf(await health(['GAS'], [], new Date()), 'datahub.ng.hh_spot_daily')!
    expect(before.deadLetters).toMatchObject({ pending: 2, replayed: 0 })
    expect(before.deadLetters.latestReason).toMatch(/Price/)
    expect(before.ingest.runs).toEqual({ ok: 0, partial: 1, 'no-data': 0, failed: 0 })

    // A file that is not datahub's layout at all: archived, one dead letter naming it, its run failed.
    expect(await ingest('datahub.ng.hh_spot_daily', 'GAS', 'not_datahub.csv', new TextEncoder().encode('When,What\n2026-11-30,3\n'))).toMatchObject({ status: 'failed' })
    const after = datasetOf(await health(['GAS'], [], new Date()), 'datahub.ng.hh_spot_daily')!
    expect(after.deadLetters.pending).toBe(3)
    expect(after.deadLetters.latestReason).toContain('not_datahub.csv')
    expect(after.ingest.runs).toEqual({ ok: 0, partial: 1, 'no-data': 0, failed: 1 })
    expect(after.ingest.lastRun).toMatchObject({ key: 'GAS', status: 'failed', file: 'not_datahub.csv' })
    expect(after.ingest.lastFailure?.error).toContain('not_datahub.csv')
  })

  it('measures hourly fundamentals per respondent and keeps to the products and markets given', async () => {
    const withCaiso = await health([], ['CAISO'], '2023-01-09T06:00:00Z')
    expect(withCaiso.datasets.map((d) => d.dataset)).toEqual(['eia.930.region_data'])
    const grid = withCaiso.datasets[0]!
    expect(grid.product).toBe('GRID')
    const demand = grid.series.find((s) => s.series === 'PACW.DEMAND')!
    expect(demand).toMatchObject({ market: 'CAISO', frequency: 'hour', expectedPeriods: 168, receivedPeriods: 168, ratio: 1, gaps: [] })
    // Runs are counted over the 7 days before `now`: this one ran just now.
    expect(datasetOf(await health([], ['CAISO'], new Date()), 'eia.930.region_data')!.ingest.lastRun).toMatchObject({ key: 'CAISO', status: 'ok', records: 169 })

    // MISO's fundamentals, LNG only: neither the CAISO-mapped GRID series nor gas is shown.
    const lngAndMiso = await health(['LNG'], ['MISO'], new Date())
    expect(lngAndMiso.datasets.map((d) => d.dataset)).toEqual(['eia.ng.wngsr_lng_prices'])
    expect((await health([], [], new Date())).datasets).toEqual([])
  })
})
