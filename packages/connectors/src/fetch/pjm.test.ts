import { describe, expect, it } from 'vitest'
import { ParseError } from '../errors.ts'
import { parsePjm } from '../parsers/pjm.ts'
import { readFixture, thrown } from '../test-helpers.ts'
import {
  easternDayStart,
  nextEasternDayStart,
  PJM_DATASETS,
  PJM_KEY_HEADER,
  PJM_MIN_SPACING_MS,
  PJM_RATE_GROUP,
  pjmDaPublishedAt,
  pjmEptRange,
  pjmFields,
  pjmUnverifiedKeptFrom,
  pjmVerifiedPublishedAt,
} from './pjm.ts'
import { PUBLISHER_URLS } from './urls.ts'
import type { ConnectorConfig, FetchedPayload, FetchRequest } from './types.ts'

const KEY = 'pjm-k3y-0f-the-subscription'
const BASE = 'https://api.pjm.com/api/v1'
const config: ConnectorConfig = { urls: { ...PUBLISHER_URLS, pjmDataMiner: BASE }, pjmKey: KEY, caisoNodes: 'ALL' }
/** An instant from a wall clock with its offset, `2026-06-09T13:30-04:00`. */
const at = (text: string) => Date.parse(text)
const HOUR = 3_600_000
const DA = PJM_DATASETS['pjm.da_hrl_lmps']
const RT5U = PJM_DATASETS['pjm.rt_unverified_fivemin_lmps']
const RT5 = PJM_DATASETS['pjm.rt_fivemin_hrl_lmps']
const RTH = PJM_DATASETS['pjm.rt_hrl_lmps']
const FIELDS_DA =
  'datetime_beginning_utc%2Cdatetime_beginning_ept%2Cpnode_id%2Cpnode_name%2Cvoltage%2Cequipment%2Ctype%2Czone%2C' +
  'system_energy_price_da%2Ctotal_lmp_da%2Ccongestion_price_da%2Cmarginal_loss_price_da%2Crow_is_current%2Cversion_nbr'

const payload = (request: FetchRequest, body: string): FetchedPayload => ({
  request,
  status: 200,
  contentType: 'application/json; charset=utf-8',
  bytes: new TextEncoder().encode(body),
  fetchedAt: 0,
  lastModified: null,
  attempts: 1,
})
const page = (startRow: number, rowCount: number, totalRows: number, rows: number, next: boolean) =>
  JSON.stringify({
    links: [{ rel: 'self', href: 'x' }, ...(next ? [{ rel: 'next', href: 'y' }] : []), { rel: 'metadata', href: 'z' }],
    items: Array.from({ length: rows }, () => ({})),
    searchSpecification: { rowCount, order: 'Asc', startRow, isActiveMetadata: true, fields: [], filters: [] },
    totalRows,
  })

describe('PJM Data Miner 2 datasets', () => {
  it('are keyed by their source ids, need a key and share the 10 s rate group', () => {
    expect(Object.keys(PJM_DATASETS).sort()).toEqual(['pjm.da_hrl_lmps', 'pjm.rt_fivemin_hrl_lmps', 'pjm.rt_hrl_lmps', 'pjm.rt_unverified_fivemin_lmps'])
    for (const [id, definition] of Object.entries(PJM_DATASETS)) {
      expect(definition.id).toBe(id)
      expect(definition.market).toBe('PJM')
      expect(definition.available(config)).toBe(true)
      expect(definition.available({ ...config, pjmKey: undefined })).toBe(false)
      expect(definition.available({ ...config, pjmKey: '' })).toBe(false)
      expect(() => definition.plan({ start: 0, end: 1 }, { ...config, pjmKey: undefined }, at('2026-06-10T12:00-04:00'))).toThrow(/no PJM Data Miner 2 subscription key/)
    }
    expect([DA.run, RT5U.run, RT5.run, RTH.run]).toEqual(['DA', 'RT5', 'RT5', 'RTH'])
    expect([DA.intervalMs, RT5U.intervalMs, RT5.intervalMs, RTH.intervalMs]).toEqual([HOUR, 300_000, 300_000, HOUR])
    expect([DA.cadenceMs, RT5U.cadenceMs, RT5.cadenceMs, RTH.cadenceMs]).toEqual([HOUR, 300_000, HOUR, HOUR])
    expect([DA.backfill, RT5U.backfill, RT5.backfill, RTH.backfill]).toEqual([true, false, true, true])
    expect(PJM_MIN_SPACING_MS).toEqual({ 'pjm.dataminer': 10_000 })
  })

  it('know the Eastern days, 23 and 25 hours long at the changes', () => {
    expect(easternDayStart(at('2026-06-09T23:59-04:00'))).toBe(at('2026-06-09T00:00-04:00'))
    expect(nextEasternDayStart(at('2026-03-08T00:00-05:00')) - at('2026-03-08T00:00-05:00')).toBe(23 * HOUR)
    expect(nextEasternDayStart(at('2026-11-01T12:00-05:00')) - at('2026-11-01T00:00-04:00')).toBe(25 * HOUR)
  })

  it('publish day-ahead prices of D at D-1 13:30 EPT, in daylight and standard time', () => {
    expect(pjmDaPublishedAt(at('2026-06-10T00:00-04:00'))).toBe(at('2026-06-09T13:30-04:00'))
    expect(DA.publishedUntil(at('2026-06-09T13:29:59-04:00'))).toBe(at('2026-06-10T00:00-04:00'))
    expect(DA.publishedUntil(at('2026-06-09T13:30-04:00'))).toBe(at('2026-06-11T00:00-04:00'))
    // the day after the spring change is published on the (23-hour) change day; the 25-hour day on 10-31
    expect(DA.publishedUntil(at('2026-03-08T13:30-04:00'))).toBe(at('2026-03-10T00:00-04:00'))
    expect(DA.publishedUntil(at('2026-10-31T13:30-04:00'))).toBe(at('2026-11-02T00:00-05:00'))
    expect(DA.publishedUntil(at('2026-10-31T13:29-04:00'))).toBe(at('2026-11-01T00:00-04:00'))
  })

  it('publish an unverified five-minute interval 3 minutes after its end, and keep 15 days', () => {
    // 14:55-15:00 ends 15:00 and is out at 15:03
    expect(RT5U.publishedUntil(at('2026-06-10T15:02:59-04:00'))).toBe(at('2026-06-10T14:55-04:00'))
    expect(RT5U.publishedUntil(at('2026-06-10T15:03-04:00'))).toBe(at('2026-06-10T15:00-04:00'))
    expect(pjmUnverifiedKeptFrom(at('2026-06-10T15:03-04:00'))).toBe(at('2026-05-27T00:00-04:00'))
    // back across the spring change: still a local midnight
    expect(pjmUnverifiedKeptFrom(at('2026-03-15T10:00-04:00'))).toBe(at('2026-03-01T00:00-05:00'))
  })

  it('publish verified real-time days at noon EPT the next business day (Friday to Sunday on Monday)', () => {
    expect(pjmVerifiedPublishedAt(at('2026-06-09T00:00-04:00'))).toBe(at('2026-06-10T12:00-04:00')) // Tue -> Wed
    expect(pjmVerifiedPublishedAt(at('2026-06-12T00:00-04:00'))).toBe(at('2026-06-15T12:00-04:00')) // Fri -> Mon
    expect(pjmVerifiedPublishedAt(at('2026-06-13T00:00-04:00'))).toBe(at('2026-06-15T12:00-04:00')) // Sat -> Mon
    expect(pjmVerifiedPublishedAt(at('2026-06-14T00:00-04:00'))).toBe(at('2026-06-15T12:00-04:00')) // Sun -> Mon
    for (const dataset of [RT5, RTH]) {
      expect(dataset.publishedUntil(at('2026-06-10T11:59-04:00'))).toBe(at('2026-06-09T00:00-04:00'))
      expect(dataset.publishedUntil(at('2026-06-10T12:00-04:00'))).toBe(at('2026-06-10T00:00-04:00'))
      expect(dataset.publishedUntil(at('2026-06-14T18:00-04:00'))).toBe(at('2026-06-12T00:00-04:00'))
      expect(dataset.publishedUntil(at('2026-06-15T12:00-04:00'))).toBe(at('2026-06-15T00:00-04:00'))
    }
    // the autumn change day (Sunday 2026-11-01) is out Monday noon, in standard time
    expect(RTH.publishedUntil(at('2026-11-02T12:00-05:00'))).toBe(at('2026-11-02T00:00-05:00'))
  })

  it('plan one request per published EPT day, the whole row asked for and the key in a header only', () => {
    const window = { start: at('2026-06-08T00:00-04:00'), end: at('2026-06-12T00:00-04:00') }
    const requests = DA.plan(window, config, at('2026-06-09T15:00-04:00'))
    // 06-11 is not published before 06-10 13:30
    expect(requests).toEqual([
      {
        dataset: 'pjm.da_hrl_lmps',
        url: `${BASE}/da_hrl_lmps?RowCount=50000&StartRow=1&Order=Asc&IsActiveMetadata=True&Fields=${FIELDS_DA}&datetime_beginning_ept=2026-06-08T00%3A00to2026-06-08T23%3A59`,
        headers: { [PJM_KEY_HEADER]: KEY, Accept: 'application/json' },
        window: { start: at('2026-06-08T00:00-04:00'), end: at('2026-06-09T00:00-04:00') },
        file: 'pjm_da_hrl_lmps_20260608_p1.json',
        rateGroup: PJM_RATE_GROUP,
      },
      expect.objectContaining({ file: 'pjm_da_hrl_lmps_20260609_p1.json', url: expect.stringContaining('datetime_beginning_ept=2026-06-09T00%3A00to2026-06-09T23%3A59') }),
      expect.objectContaining({ file: 'pjm_da_hrl_lmps_20260610_p1.json', url: expect.stringContaining('datetime_beginning_ept=2026-06-10T00%3A00to2026-06-10T23%3A59') }),
    ])
    for (const request of requests) {
      expect(request.url).not.toContain(KEY)
      expect(request.file).not.toContain(KEY)
      expect(request.notFoundMeansNotPublished).toBeUndefined()
    }
    const fields = new URL(requests[0]!.url).searchParams.get('Fields')!.split(',')
    expect(fields).toEqual(pjmFields('da_hrl_lmps'))
    // the real-time feeds ask for the _rt fields
    const [rt] = RTH.plan(window, config, at('2026-06-10T12:00-04:00'))
    expect(new URL(rt!.url).searchParams.get('Fields')).toBe(pjmFields('rt_hrl_lmps').join(','))
    expect(pjmFields('rt_hrl_lmps')).toContain('total_lmp_rt')
    expect(rt!.url.startsWith(`${BASE}/rt_hrl_lmps?`)).toBe(true)
  })

  it('plan the 23- and 25-hour days as whole EPT days, with their own windows', () => {
    const spring = DA.plan({ start: at('2026-03-08T00:00-05:00'), end: at('2026-03-09T00:00-04:00') }, config, at('2026-03-20T00:00-04:00'))
    expect(spring).toHaveLength(1)
    expect(spring[0]!.window.end - spring[0]!.window.start).toBe(23 * HOUR)
    expect(new URL(spring[0]!.url).searchParams.get('datetime_beginning_ept')).toBe('2026-03-08T00:00to2026-03-08T23:59')
    const autumn = RT5.plan({ start: at('2026-11-01T00:00-04:00'), end: at('2026-11-02T00:00-05:00') }, config, at('2026-11-10T00:00-05:00'))
    expect(autumn).toHaveLength(1)
    expect(autumn[0]).toMatchObject({ file: 'pjm_rt_fivemin_hrl_lmps_20261101_p1.json', window: { start: at('2026-11-01T00:00-04:00'), end: at('2026-11-02T00:00-05:00') } })
    expect(autumn[0]!.window.end - autumn[0]!.window.start).toBe(25 * HOUR)
    expect(new URL(autumn[0]!.url).searchParams.get('datetime_beginning_ept')).toBe('2026-11-01T00:00to2026-11-01T23:59')
    // a window across both days of the change is cut at the EPT midnights
    const two = DA.plan({ start: at('2026-10-31T12:00-04:00'), end: at('2026-11-01T06:00-05:00') }, config, at('2026-11-10T00:00-05:00'))
    expect(two.map((r) => [r.window.start, r.window.end])).toEqual([
      [at('2026-10-31T12:00-04:00'), at('2026-11-01T00:00-04:00')],
      [at('2026-11-01T00:00-04:00'), at('2026-11-01T06:00-05:00')],
    ])
    expect(two.map((r) => new URL(r.url).searchParams.get('datetime_beginning_ept'))).toEqual(['2026-10-31T12:00to2026-10-31T23:00', '2026-11-01T00:00to2026-11-01T05:00'])
    expect(two.map((r) => r.file)).toEqual(['pjm_da_hrl_lmps_20261031T1600_20261101T0400_p1.json', 'pjm_da_hrl_lmps_20261101T0400_20261101T1100_p1.json'])
  })

  it('write a part of a day from its first to its last interval start, widened across the autumn change', () => {
    const five = 300_000
    expect(pjmEptRange(at('2026-06-10T14:40-04:00'), at('2026-06-10T15:15-04:00'), five)).toBe('2026-06-10T14:40to2026-06-10T15:10')
    // 01:30 EDT .. 01:15 EST: the earliest wall clock is 01:00 (EST), the latest 01:55 (EDT)
    expect(pjmEptRange(at('2026-11-01T01:30-04:00'), at('2026-11-01T01:20-05:00'), five)).toBe('2026-11-01T01:00to2026-11-01T01:55')
    // the spring day: 01:55 EST is followed by 03:00 EDT
    expect(pjmEptRange(at('2026-03-08T01:50-05:00'), at('2026-03-08T03:10-04:00'), five)).toBe('2026-03-08T01:50to2026-03-08T03:05')
  })

  it('plan the unverified feed up to the latest posted interval, within the days it keeps', () => {
    const now = at('2026-06-10T15:18-04:00')
    const [request, ...more] = RT5U.plan({ start: at('2026-06-10T14:40-04:00'), end: at('2026-06-10T16:00-04:00') }, config, now)
    expect(more).toEqual([])
    expect(request).toMatchObject({
      window: { start: at('2026-06-10T14:40-04:00'), end: at('2026-06-10T15:15-04:00') },
      file: 'pjm_rt_unverified_fivemin_lmps_20260610T1840_20260610T1915_p1.json',
    })
    expect(new URL(request!.url).searchParams.get('datetime_beginning_ept')).toBe('2026-06-10T14:40to2026-06-10T15:10')
    // a window older than the feed keeps starts at the first day kept; nothing before it
    const old = RT5U.plan({ start: at('2026-05-01T00:00-04:00'), end: at('2026-05-28T00:00-04:00') }, config, now)
    expect(old.map((r) => r.window)).toEqual([{ start: at('2026-05-27T00:00-04:00'), end: at('2026-05-28T00:00-04:00') }])
    expect(RT5U.plan({ start: at('2026-05-01T00:00-04:00'), end: at('2026-05-02T00:00-04:00') }, config, now)).toEqual([])
  })

  it('plan nothing for a window not published yet', () => {
    expect(DA.plan({ start: at('2026-06-11T00:00-04:00'), end: at('2026-06-12T00:00-04:00') }, config, at('2026-06-10T13:29-04:00'))).toEqual([])
    expect(RTH.plan({ start: at('2026-06-12T00:00-04:00'), end: at('2026-06-13T00:00-04:00') }, config, at('2026-06-14T12:00-04:00'))).toEqual([])
    expect(RT5U.plan({ start: at('2026-06-10T15:00-04:00'), end: at('2026-06-10T15:05-04:00') }, config, at('2026-06-10T15:07:59-04:00'))).toEqual([])
    expect(DA.plan({ start: 5, end: 5 }, config, at('2026-06-10T15:00-04:00'))).toEqual([])
  })

  it('page by StartRow: pageAt names page N, nextPage follows the next link', () => {
    const [first] = DA.plan({ start: at('2026-06-09T00:00-04:00'), end: at('2026-06-10T00:00-04:00') }, config, at('2026-06-09T15:00-04:00'))
    const third = DA.pageAt!(first!, 3)
    expect(new URL(third.url).searchParams.get('StartRow')).toBe('100001')
    expect(third.url.replace('StartRow=100001', 'StartRow=1')).toBe(first!.url)
    expect(third).toMatchObject({ file: 'pjm_da_hrl_lmps_20260609_p3.json', headers: { [PJM_KEY_HEADER]: KEY }, window: first!.window, rateGroup: PJM_RATE_GROUP })
    expect(DA.pageAt!(third, 1)).toEqual(first)
    expect(() => DA.pageAt!(first!, 0)).toThrow(RangeError)

    const second = DA.nextPage!(payload(first!, page(1, 50_000, 120_000, 50_000, true)))
    expect(second).toEqual(DA.pageAt!(first!, 2))
    expect(DA.nextPage!(payload(second!, page(50_001, 50_000, 120_000, 50_000, true)))).toEqual(third)
    expect(DA.nextPage!(payload(third, page(100_001, 50_000, 120_000, 20_000, false)))).toBeNull()
    // every row read: done even if a next link is still there
    expect(DA.nextPage!(payload(third, page(100_001, 50_000, 120_000, 20_000, true)))).toBeNull()
  })

  it('read an empty first page as not published yet, and nothing else', () => {
    const [first] = DA.plan({ start: at('2026-06-09T00:00-04:00'), end: at('2026-06-10T00:00-04:00') }, config, at('2026-06-09T15:00-04:00'))
    expect(DA.notPublished!(payload(first!, page(1, 50_000, 0, 0, false)))).toMatch(/^no rows yet: Data Miner 2 answers an empty result \(totalRows 0\)/)
    expect(DA.notPublished!(payload(first!, page(1, 50_000, 120_000, 50_000, true)))).toBeNull()
    expect(DA.notPublished!(payload(DA.pageAt!(first!, 2), page(50_001, 50_000, 0, 0, false)))).toBeNull()
    expect(DA.notPublished!(payload(first!, '<html>busy</html>'))).toBeNull()
  })

  it('refuse an empty first page (prices not posted yet), a page that is not the one asked for, and a non-page', () => {
    const [first] = DA.plan({ start: at('2026-06-09T00:00-04:00'), end: at('2026-06-10T00:00-04:00') }, config, at('2026-06-09T15:00-04:00'))
    expect(thrown(() => DA.nextPage!(payload(first!, page(1, 50_000, 0, 0, false))))).toMatchObject({ field: 'totalRows', reason: expect.stringContaining('not published yet') })
    expect(thrown(() => DA.nextPage!(payload(first!, page(50_001, 50_000, 120_000, 50_000, true))))).toMatchObject({ field: 'searchSpecification.startRow' })
    const error = thrown(() => DA.nextPage!(payload(first!, '{"statusCode":401,"message":"Access denied due to missing subscription key."}')))
    expect(error).toBeInstanceOf(ParseError)
    expect(error.reason).toContain('Access denied')
  })

  it('read the recorded answers the way the parser does (one real page, no next link)', () => {
    const [first] = DA.plan({ start: at('2026-06-09T00:00-04:00'), end: at('2026-06-10T00:00-04:00') }, config, at('2026-06-09T15:00-04:00'))
    const body = readFixture('pjm/pjm_dataminer2_da_hrl_lmps_type-ZONE_20260609.json')
    expect(DA.nextPage!(payload(first!, body))).toBeNull()
    expect(parsePjm(body, first!.file, 'da_hrl_lmps').records).toHaveLength(552)
    const built = readFixture('pjm/pjm_dataminer2_rt_fivemin_hrl_lmps_20260610_page1_DOCUMENTED_LAYOUT.json')
    const [rt] = RT5.plan({ start: at('2026-06-10T00:00-04:00'), end: at('2026-06-11T00:00-04:00') }, config, at('2026-06-12T12:00-04:00'))
    // the built page holds 9 of 12 rows (it asked RowCount=9): asked for 50,000 a page, a short page with more to come is refused
    expect(thrown(() => RT5.nextPage!(payload(rt!, built)))).toMatchObject({ field: 'items', value: '9', reason: expect.stringContaining('more follow') })
    expect(thrown(() => RT5.nextPage!(payload(rt!, built.replace('"startRow":1', '"startRow":10'))))).toMatchObject({ field: 'searchSpecification.startRow' })
  })
})
