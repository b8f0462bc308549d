/**
 * The series publishers on the simulator, through the connectors' own datasets (plan,
 * publishedUntil, locate, nextPage, notPublished), the real HTTP client over real HTTP and the
 * registered readers: records come out of every fetched source, EIA's pages join into what one
 * page holds, a listing leads to CARB's workbook, EIA's HTML fragment is data, answers that do not
 * reach the window are "not published", and EIA's API needs its key, which never leaves the wire.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  FetchError,
  type FetchEvent,
  fetchSeriesWindow,
  SECRET_REDACTED,
  SERIES_DATASETS,
  SERIES_SOURCES,
  type SeriesDatasetId,
  type SeriesFetchedPayload,
  type SeriesFetchOutcome,
  type SeriesFetchRequest,
  type SeriesHttpClient,
  simulatorUrls,
  type Window,
} from '@carbon/connectors'
import { SeriesRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublisherSimulator, type PublisherSimulator, type RequestLogEntry } from '../server.ts'
import { createSeriesRoutes } from './index.ts'

const ms = (iso: string) => Date.parse(iso)
const KEY = 'simulated-eia-key-7f3a9c'
const NO_SPACING = { 'eia.api': 0, 'eia.www': 0, 'carb.www': 0 }

let sim: PublisherSimulator
let paged: PublisherSimulator
let config: ConnectorConfig
let pagedConfig: ConnectorConfig
const log: RequestLogEntry[] = []

beforeAll(async () => {
  sim = await createPublisherSimulator({ fixturesDir: null, nodes: { miso: 10, caiso: 10 }, marketRoutes: [], onRequest: (e) => log.push(e) })
  // EIA pages at 40 rows here, so a respondent's day takes several pages.
  paged = await createPublisherSimulator({
    fixturesDir: null,
    nodes: { miso: 10, caiso: 10 },
    marketRoutes: [],
    seriesRoutes: createSeriesRoutes({ eiaApi: { apiKey: KEY, maxRows: 40 } }),
  })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL', eiaKey: KEY }
  pagedConfig = { ...config, urls: simulatorUrls(paged.url) }
})
afterAll(async () => {
  await sim.close()
  await paged.close()
})

/** The client, its clock (fetchedAt) at the simulated instant when given. */
const client = (events: FetchEvent[] = [], maxAttempts = 3, at?: number): SeriesHttpClient =>
  createHttpClient({
    userAgent: '254Carbon-ingest/test (+ops@example.test)',
    maxAttempts,
    backoff: { initialMs: 5, maxMs: 10 },
    minSpacingMs: NO_SPACING,
    onEvent: (e) => events.push(e),
    ...(at === undefined ? {} : { now: () => at }),
  })

/** Every outcome of the dataset's window at `now` (the simulator set to the same instant unless told). */
async function fetchAll(id: SeriesDatasetId, window: Window, now: number, options: { on?: PublisherSimulator; config?: ConnectorConfig; events?: FetchEvent[] } = {}): Promise<SeriesFetchOutcome[]> {
  ;(options.on ?? sim).setNow(new Date(now))
  const outcomes: SeriesFetchOutcome[] = []
  for await (const outcome of fetchSeriesWindow(client(options.events, 3, now), SERIES_DATASETS[id], window, options.config ?? config, { now })) outcomes.push(outcome)
  return outcomes
}

function payloads(outcomes: SeriesFetchOutcome[]): SeriesFetchedPayload[] {
  return outcomes.map((o) => {
    if (o.kind !== 'payload') throw new Error(`${o.request.file}: not published: ${o.reason}`)
    return o.payload
  })
}

/** The records of a payload read by its source's reader: no issue, every one a valid SeriesRecord. */
function read(payload: SeriesFetchedPayload): SeriesRecord[] {
  const { records, errors } = SERIES_SOURCES[payload.request.dataset].parse(payload.bytes, payload.request.file)
  expect(errors).toEqual([])
  for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
  return records
}
const valueAt = (records: SeriesRecord[], series: string, periodStart: string, measure = 'price') =>
  records.find((r) => r.series === series && r.periodStart === periodStart && r.measure === measure)?.value

describe('EIA Henry Hub workbooks on the simulator', () => {
  it('monthly: one request for the window, the whole history read (served bytes: 2026-07 = 2.89)', async () => {
    const now = ms('2026-08-20T12:00:00Z')
    const dataset = SERIES_DATASETS['eia.ng.hh_spot_monthly']
    const [payload, ...rest] = payloads(await fetchAll('eia.ng.hh_spot_monthly', { start: now - dataset.lookbackMs, end: dataset.publishedUntil(now) }, now))
    expect(rest).toEqual([])
    expect(payload!.request).toMatchObject({ file: 'RNGWHHDm_2026-08-20.xls', url: `${sim.url}/eia/dnav/ng/hist_xls/RNGWHHDm.xls` })
    const records = read(payload!)
    expect(records).toHaveLength(355)
    expect(valueAt(records, 'HENRY_HUB', '2026-07-01T00:00:00.000Z')).toBe(2.89)
    expect(valueAt(records, 'HENRY_HUB', '2024-02-01T00:00:00.000Z')).toBe(1.72)
  })

  it('monthly: a window past the recorded release is "not published" (the file still runs to July)', async () => {
    const now = ms('2026-09-10T12:00:00Z')
    const [outcome] = await fetchAll('eia.ng.hh_spot_monthly', { start: ms('2026-07-01T00:00:00Z'), end: SERIES_DATASETS['eia.ng.hh_spot_monthly'].publishedUntil(now) }, now)
    expect(outcome).toMatchObject({ kind: 'not-published', status: 200, reason: expect.stringContaining('runs to 2026-08-01') })
  })

  it('daily: the documented workbook, read to its last trading day (2024-06-28 = 2.42)', async () => {
    const now = ms('2024-07-04T00:00:00Z')
    const [payload] = payloads(await fetchAll('eia.ng.hh_spot_daily', { start: ms('2024-06-01T00:00:00Z'), end: SERIES_DATASETS['eia.ng.hh_spot_daily'].publishedUntil(now) }, now))
    const records = read(payload!)
    expect(records).toHaveLength(124)
    expect(valueAt(records, 'HENRY_HUB', '2024-06-28T00:00:00.000Z')).toBe(2.42)
    expect(valueAt(records, 'HENRY_HUB', '2024-01-12T00:00:00.000Z')).toBe(13.2)
  })
})

describe('EIA LNG bullet on the simulator', () => {
  it('is data although HTML, named with the fetch date, and read with the year that date gives', async () => {
    const events: FetchEvent[] = []
    const now = ms('2026-09-24T16:00:00Z')
    const dataset = SERIES_DATASETS['eia.ng.wngsr_lng_prices']
    const [payload] = payloads(await fetchAll('eia.ng.wngsr_lng_prices', { start: now - dataset.lookbackMs, end: dataset.publishedUntil(now) }, now, { events }))
    expect(payload).toMatchObject({ attempts: 1, contentType: 'text/html; charset=UTF-8', lastModified: ms('2026-09-24T14:30:00Z') })
    expect(payload!.request.file).toBe('bullets_lng_2_2026-09-24.html')
    expect(events.filter((e) => e.type === 'throttled')).toEqual([])
    const records = read(payload!)
    expect(records.map((r) => [r.series, r.periodEnd, r.value])).toEqual([
      ['TTF', '2026-09-24T00:00:00.000Z', 25.15],
      ['JKM', '2026-09-24T00:00:00.000Z', 26.41],
    ])
  })

  it('without htmlExpected the same answer would be a throttle page, retried until the client gives up', async () => {
    const now = ms('2026-09-24T16:00:00Z')
    sim.setNow(new Date(now))
    const [planned] = SERIES_DATASETS['eia.ng.wngsr_lng_prices'].plan({ start: ms('2026-09-17T00:00:00Z'), end: ms('2026-09-24T00:00:00Z') }, config, now)
    const { htmlExpected: _expected, ...plain } = planned!
    const error = await client([], 2).fetch(plain).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(FetchError)
    expect((error as FetchError).message).toContain('gave up: an HTML page instead of data (HTTP 200)')
  })

  it('the week after, before the next capture, the old fragment is "not published"', async () => {
    const now = ms('2026-10-01T16:00:00Z')
    const [outcome] = await fetchAll('eia.ng.wngsr_lng_prices', { start: ms('2026-09-24T00:00:00Z'), end: SERIES_DATASETS['eia.ng.wngsr_lng_prices'].publishedUntil(now) }, now)
    expect(outcome).toMatchObject({ kind: 'not-published', reason: expect.stringContaining('bullets_lng_2_2026-10-01.html runs to 2026-09-24') })
  })
})

describe('EIA-930 through EIA API v2 on the simulator', () => {
  const NOW = ms('2026-07-16T12:00:00Z')
  const DAY_WINDOW = { start: ms('2026-07-14T00:00:00Z'), end: ms('2026-07-15T00:00:00Z') }
  const two = (c: ConnectorConfig) => ({ ...c, eia930Respondents: ['PACW', 'ERCO'] })

  it('one answer per respondent and day, read into hourly records under the respondent\'s market', async () => {
    const region = payloads(await fetchAll('eia.930.region_data', DAY_WINDOW, NOW, { config: two(config) }))
    expect(region.map((p) => [p.request.file, p.request.key])).toEqual([
      ['eia930_region-data_PACW_20260714_p1.json', 'CAISO'],
      ['eia930_region-data_ERCO_20260714_p1.json', 'ERCOT'],
    ])
    const records = region.flatMap(read)
    expect(records).toHaveLength(2 * 24 * 4)
    expect(records.map((r) => r.periodStart).sort()[0]).toBe('2026-07-14T00:00:00.000Z')
    expect(records.map((r) => r.periodEnd).sort().at(-1)).toBe('2026-07-15T00:00:00.000Z')
    expect(new Set(records.filter((r) => r.series.startsWith('ERCO.')).map((r) => r.market))).toEqual(new Set(['ERCOT']))
    const fuel = payloads(await fetchAll('eia.930.fuel_type_data', DAY_WINDOW, NOW, { config: two(config) })).flatMap(read)
    expect(new Set(fuel.map((r) => r.series))).toEqual(new Set(['PACW.WAT', 'PACW.WND', 'PACW.NG', 'PACW.SUN', 'PACW.OTH', 'ERCO.NG', 'ERCO.WND', 'ERCO.SUN', 'ERCO.COL', 'ERCO.NUC']))
  })

  it('pages join into what one answer holds, the key carried to every page and kept out of events and bytes', async () => {
    const events: FetchEvent[] = []
    const whole = payloads(await fetchAll('eia.930.fuel_type_data', DAY_WINDOW, NOW, { config: two(config) })).flatMap(read)
    const pages = payloads(await fetchAll('eia.930.fuel_type_data', DAY_WINDOW, NOW, { on: paged, config: two(pagedConfig), events }))
    // PACW: 5 sources x 24 h = 120 rows, 3 pages of 40; ERCO: 5 x 24 = 120, 3 pages.
    expect(pages.map((p) => p.request.file)).toEqual([
      'eia930_fuel-type-data_PACW_20260714_p1.json',
      'eia930_fuel-type-data_PACW_20260714_p2.json',
      'eia930_fuel-type-data_PACW_20260714_p3.json',
      'eia930_fuel-type-data_ERCO_20260714_p1.json',
      'eia930_fuel-type-data_ERCO_20260714_p2.json',
      'eia930_fuel-type-data_ERCO_20260714_p3.json',
    ])
    expect(pages.flatMap(read)).toEqual(whole)
    for (const p of pages) {
      const text = new TextDecoder().decode(p.bytes)
      expect(text).not.toContain(KEY)
      expect(JSON.parse(text).request.params.api_key).toBe(SECRET_REDACTED)
      expect(p.request.url).not.toContain(KEY)
      expect(JSON.stringify(p)).not.toContain(KEY)
    }
    expect(events.filter((e) => e.type === 'request')).toHaveLength(6)
    expect(JSON.stringify(events)).not.toContain(KEY)
  })

  it('the key is needed: without one the dataset is unavailable, and a request without it is refused with 403', async () => {
    const noKey = { ...config, eiaKey: undefined }
    expect(SERIES_DATASETS['eia.930.region_data'].available(noKey)).toBe(false)
    await expect(fetchAll('eia.930.region_data', DAY_WINDOW, NOW, { config: noKey })).rejects.toThrow('eia.930.region_data is not available with this configuration')
    const [planned] = SERIES_DATASETS['eia.930.region_data'].plan(DAY_WINDOW, config, NOW)
    const { secretQuery: _key, ...keyless } = planned as SeriesFetchRequest
    const error = await client().fetch(keyless).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 403, retryable: false })
    expect(new TextDecoder().decode((error as FetchError).bytes!)).toContain('API_KEY_MISSING')
    const wrong = await fetchAll('eia.930.region_data', DAY_WINDOW, NOW, { on: paged, config: { ...pagedConfig, eiaKey: 'not-the-key', eia930Respondents: ['PACW'] } }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(wrong).toMatchObject({ status: 403 })
    expect((wrong as FetchError).message).not.toContain('not-the-key')
  })

  it('sends the key on the wire only (the simulator sees it in the query)', async () => {
    log.length = 0
    await fetchAll('eia.930.region_data', DAY_WINDOW, NOW, { config: { ...config, eia930Respondents: ['NYIS'] } })
    expect(log.map((e) => e.path)).toEqual([
      '/eia-api/v2/electricity/rto/region-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=NYIS&start=2026-07-14T01&end=2026-07-15T00' +
        `&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=type&sort[1][direction]=asc&offset=0&length=5000&api_key=${KEY}`,
    ])
  })

  it('hours EIA has not posted yet: the window is "not published" (HTTP 200, no rows)', async () => {
    // EIA runs late: at NOW it has posted only the hours ending by 07-13T20.
    sim.setNow(new Date(ms('2026-07-14T20:00:00Z')))
    const outcomes: SeriesFetchOutcome[] = []
    const respondents = { ...config, eia930Respondents: ['PACW'] }
    for await (const o of fetchSeriesWindow(client([], 3, NOW), SERIES_DATASETS['eia.930.region_data'], DAY_WINDOW, respondents, { now: NOW })) outcomes.push(o)
    expect(outcomes).toMatchObject([{ kind: 'not-published', status: 200, reason: expect.stringContaining('no rows yet') }])
  })
})

describe('CARB LCFS on the simulator', () => {
  it('the page leads to the week\'s workbook, whose weeks are read (week of 2020-05-18: 197.48 $/MT)', async () => {
    const now = ms('2020-05-29T20:00:00Z')
    const outcomes = payloads(await fetchAll('carb.lcfs.credit_transfers', { start: ms('2020-05-04T00:00:00Z'), end: SERIES_DATASETS['carb.lcfs.credit_transfers'].publishedUntil(now) }, now))
    expect(outcomes.map((p) => [p.request.file, p.request.listing ?? false])).toEqual([
      ['carb_lcfs_weekly_page_2020-05-29.html', true],
      ['carb_lcfs_weekly_credit_activity_upto_2020-05-24.xlsx', false],
    ])
    expect(outcomes[1]!.request.url).toBe(`${sim.url}/carb/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2024%20May,%202020).xlsx`)
    const records = read(outcomes[1]!)
    expect(valueAt(records, 'LCFS_CREDIT', '2020-05-18T00:00:00.000Z')).toBe(197.48)
    expect(valueAt(records, 'LCFS_CREDIT', '2020-05-18T00:00:00.000Z', 'volume')).toBe(197_476)
  })

  it('a week later the page still links that workbook: nothing is located yet', async () => {
    const now = ms('2020-06-05T20:00:00Z')
    const outcomes = await fetchAll('carb.lcfs.credit_transfers', { start: ms('2020-05-25T00:00:00Z'), end: SERIES_DATASETS['carb.lcfs.credit_transfers'].publishedUntil(now) }, now)
    expect(outcomes.map((o) => o.kind)).toEqual(['payload'])
  })

  it('the monthly page leads to the latest month\'s workbook, whose months are read (2015-11: 97 transfers, 435,000 MT, $86)', async () => {
    const now = ms('2015-12-16T20:00:00Z')
    const dataset = SERIES_DATASETS['carb.lcfs.monthly_transfers']
    const outcomes = payloads(await fetchAll('carb.lcfs.monthly_transfers', { start: ms('2015-10-01T00:00:00Z'), end: dataset.publishedUntil(now) }, now))
    expect(outcomes.map((p) => [p.request.file, p.request.listing ?? false])).toEqual([
      ['carb_lcfs_monthly_page_2015-12-16.html', true],
      ['carb_lcfs_monthly_credit_transfers_2015-11.xlsx', false],
    ])
    expect(outcomes[1]!.request.url).toBe(`${sim.url}/carb/sites/default/files/weeklylcfscreditreports/201511WeeklyCreditReport.xlsx`)
    const records = read(outcomes[1]!)
    expect(valueAt(records, 'LCFS_CREDIT', '2015-11-01T00:00:00.000Z', 'transfers')).toBe(97)
    expect(valueAt(records, 'LCFS_CREDIT', '2015-11-01T00:00:00.000Z', 'volume')).toBe(435_000)
    expect(valueAt(records, 'LCFS_CREDIT', '2015-11-01T00:00:00.000Z')).toBe(86)
  })

  it('a month later the monthly page still links November: nothing is located yet', async () => {
    const now = ms('2016-01-20T20:00:00Z')
    const dataset = SERIES_DATASETS['carb.lcfs.monthly_transfers']
    const outcomes = await fetchAll('carb.lcfs.monthly_transfers', { start: ms('2015-12-01T00:00:00Z'), end: dataset.publishedUntil(now) }, now)
    expect(outcomes.map((o) => o.kind)).toEqual(['payload'])
  })
})

describe('EIA ICE next-day gas on the simulator', () => {
  it('the current year\'s workbook, read (Henry 2017-01-03: 3.4391)', async () => {
    const now = ms('2017-01-25T08:00:00Z')
    const [payload] = payloads(await fetchAll('eia.ice.next_day_gas', { start: ms('2017-01-01T00:00:00Z'), end: SERIES_DATASETS['eia.ice.next_day_gas'].publishedUntil(now) }, now))
    expect(payload!.request.file).toBe('ice_natgas-2017.xlsx')
    expect(valueAt(read(payload!), 'HENRY_HUB', '2017-01-03T00:00:00.000Z')).toBe(3.4391)
  })

  it('a year with no workbook answers 404: "not published"', async () => {
    const now = ms('2026-07-30T00:00:00Z')
    const outcomes = await fetchAll('eia.ice.next_day_gas', { start: ms('2026-07-01T00:00:00Z'), end: SERIES_DATASETS['eia.ice.next_day_gas'].publishedUntil(now) }, now)
    expect(outcomes).toMatchObject([{ kind: 'not-published', status: 404 }])
  })
})
