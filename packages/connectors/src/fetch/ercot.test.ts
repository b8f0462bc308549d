import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import {
  ERCOT_DATASETS,
  ERCOT_MIN_SPACING_MS,
  ercotDamDocumentWindow,
  ercotRtDocumentWindow,
  type ErcotDocument,
  readErcotDocumentList,
} from './ercot.ts'
import type { ConnectorConfig, FetchedPayload, FetchRequest } from './types.ts'
import { PUBLISHER_URLS } from './urls.ts'

const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL' }
const DAM = ERCOT_DATASETS['ercot.dam_spp']
const RT = ERCOT_DATASETS['ercot.rt_spp']
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const LIST = 'ercot/ercot_mis_IceDocListJsonWS_reportTypeId12331_20260611.json'

const payload = (request: FetchRequest, body: string): FetchedPayload => ({
  request,
  status: 200,
  contentType: 'application/json',
  bytes: new TextEncoder().encode(body),
  fetchedAt: 0,
  lastModified: null,
  attempts: 1,
})
const listing = (dataset = DAM, window = { start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }, cfg = config) => {
  const requests = dataset.plan(window, cfg, window.end)
  expect(requests).toHaveLength(1)
  return requests[0]!
}
/** An MIS list of RT documents: [friendly name, publish date] pairs, each with an `_xml` twin. */
const rtList = (docs: [string, string][]) =>
  JSON.stringify({
    ListDocsByRptTypeRes: {
      DocumentList: docs.flatMap(([friendly, published], i) =>
        ['csv', 'xml'].map((kind, k) => ({
          Document: {
            ReportTypeID: '12301',
            FriendlyName: friendly.replace(/_csv$/, `_${kind}`),
            ConstructedName: `cdr.00012301.0000000000000000.20251102.000000000.${friendly.replace(/_csv$/, `_${kind}`)}.zip`,
            DocID: String(5000 + i * 2 + k),
            PublishDate: published,
          },
        }))
      ),
    },
  })

describe('ERCOT MIS datasets', () => {
  it('are keyed by their source ids and need no credentials', () => {
    expect(Object.keys(ERCOT_DATASETS).sort()).toEqual(['ercot.dam_spp', 'ercot.rt_spp'])
    for (const [id, definition] of Object.entries(ERCOT_DATASETS)) {
      expect(definition.id).toBe(id)
      expect(definition).toMatchObject({ market: 'ERCOT', backfill: true })
      expect(definition.available({ urls: PUBLISHER_URLS, caisoNodes: 'ALL' })).toBe(true)
      expect(typeof definition.locate).toBe('function')
      expect(definition.nextPage).toBeUndefined()
    }
    expect([DAM.run, DAM.intervalMs, DAM.cadenceMs]).toEqual(['DA', 3_600_000, 3_600_000])
    expect([RT.run, RT.intervalMs, RT.cadenceMs]).toEqual(['RT15', 900_000, 900_000])
    expect(ERCOT_MIN_SPACING_MS).toEqual({ 'ercot.mis': 1000 })
  })

  it('publish DAM day D at D-1 12:51 Central, across both clock changes', () => {
    expect(DAM.publishedUntil(cdt('2026-06-11T12:50:59'))).toBe(cdt('2026-06-12T00:00:00'))
    expect(DAM.publishedUntil(cdt('2026-06-11T12:51:00'))).toBe(cdt('2026-06-13T00:00:00'))
    // Fall back: the 25-hour day 2025-11-02 ends at 11-03 00:00 CST.
    expect(DAM.publishedUntil(cdt('2025-11-01T12:51:00'))).toBe(cst('2025-11-03T00:00:00'))
    expect(DAM.publishedUntil(cst('2025-11-02T12:50:00'))).toBe(cst('2025-11-03T00:00:00'))
    expect(DAM.publishedUntil(cst('2025-11-02T12:51:00'))).toBe(cst('2025-11-04T00:00:00'))
    // Spring forward: the 23-hour day 2026-03-08 ends at 03-09 00:00 CDT.
    expect(DAM.publishedUntil(cst('2026-03-07T12:51:00'))).toBe(cdt('2026-03-09T00:00:00'))
    expect(DAM.publishedUntil(cdt('2026-03-08T12:51:00'))).toBe(cdt('2026-03-10T00:00:00'))
  })

  it('publish an RT interval two minutes after it ends', () => {
    expect(RT.publishedUntil(cdt('2026-06-11T13:31:59'))).toBe(cdt('2026-06-11T13:15:00'))
    expect(RT.publishedUntil(cdt('2026-06-11T13:32:00'))).toBe(cdt('2026-06-11T13:30:00'))
    // The repeated hour: the interval ending 01:15 CST is out at 01:17 CST.
    expect(RT.publishedUntil(cst('2025-11-02T01:17:00'))).toBe(cst('2025-11-02T01:15:00'))
  })

  it('plan one listing request over whole Central days, 23 and 25 hours long', () => {
    const window = { start: cdt('2025-11-01T10:00:00'), end: cst('2025-11-02T05:00:00') }
    expect(DAM.plan(window, config, cst('2025-11-03T00:00:00'))).toEqual([
      {
        dataset: 'ercot.dam_spp',
        url: 'https://www.ercot.com/misapp/servlets/IceDocListJsonWS?reportTypeId=12331',
        headers: { Accept: 'application/json, */*;q=0.1' },
        window: { start: cdt('2025-11-01T00:00:00'), end: cst('2025-11-03T00:00:00') },
        file: 'ercot_12331_doclist_20251101T0500_20251103T0600.json',
        rateGroup: 'ercot.mis',
        listing: true,
      },
    ])
    const fallBack = listing(DAM, { start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-03T00:00:00') }).window
    expect(fallBack.end - fallBack.start).toBe(25 * 3_600_000)
    const spring = listing(DAM, { start: cst('2026-03-08T00:00:00'), end: cdt('2026-03-09T00:00:00') }).window
    expect(spring.end - spring.start).toBe(23 * 3_600_000)
    expect(DAM.plan({ start: 5, end: 5 }, config, 0)).toEqual([])
  })

  it('plan RT listings on the quarter-hour grid, the base URL from the config', () => {
    const cfg = { ...config, urls: { ...PUBLISHER_URLS, ercotMis: 'http://127.0.0.1:8080/ercot/' } }
    const [request] = RT.plan({ start: cdt('2026-06-11T13:20:00'), end: cdt('2026-06-11T14:05:00') }, cfg, 0)
    expect(request).toMatchObject({
      url: 'http://127.0.0.1:8080/ercot/misapp/servlets/IceDocListJsonWS?reportTypeId=12301',
      window: { start: cdt('2026-06-11T13:15:00'), end: cdt('2026-06-11T14:15:00') },
      file: 'ercot_12301_doclist_20260611T1815_20260611T1915.json',
      listing: true,
    })
  })

  it('locate the real DAM document of a delivery day in the real MIS list', () => {
    const request = listing()
    const located = DAM.locate!(payload(request, readFixture(LIST)))
    expect(located).toEqual([
      {
        dataset: 'ercot.dam_spp',
        url: 'https://www.ercot.com/misdownload/servlets/mirDownload?doclookupId=1237449739',
        headers: { Accept: 'application/zip, application/x-zip-compressed, application/octet-stream;q=0.9, */*;q=0.1' },
        window: { start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') },
        file: 'cdr.00012331.0000000000000000.20260611.125133362.DAMSPNP4190_csv.zip',
        rateGroup: 'ercot.mis',
      },
    ])
    expect(located[0]!.listing).toBeUndefined()
    expect(located[0]!.notFoundMeansNotPublished).toBeUndefined()
  })

  it('locate the _csv documents of a longer window oldest first; nothing for days the list does not hold', () => {
    const text = readFixture(LIST)
    const twelve = DAM.locate!(payload(listing(DAM, { start: cdt('2026-06-01T00:00:00'), end: cdt('2026-06-13T00:00:00') }), text))
    expect(twelve.map((r) => r.file.split('.')[3])).toEqual(
      ['20260531', '20260601', '20260602', '20260603', '20260604', '20260605', '20260606', '20260607', '20260608', '20260609', '20260610', '20260611']
    )
    expect(twelve.every((r) => r.file.endsWith('_csv.zip'))).toBe(true)
    expect(twelve.map((r) => r.window.start)).toEqual(Array.from({ length: 12 }, (_, i) => cdt('2026-06-01T00:00:00') + i * 86_400_000))
    // Tomorrow's document is not listed yet; the list has forgotten April.
    expect(DAM.locate!(payload(listing(DAM, { start: cdt('2026-06-13T00:00:00'), end: cdt('2026-06-14T00:00:00') }), text))).toEqual([])
    expect(DAM.locate!(payload(listing(DAM, { start: cdt('2026-04-20T00:00:00'), end: cdt('2026-04-21T00:00:00') }), text))).toEqual([])
  })

  it('locate through a base URL with a path (the simulator)', () => {
    const cfg = { ...config, urls: { ...PUBLISHER_URLS, ercotMis: 'http://127.0.0.1:1234/ercot' } }
    const [doc] = DAM.locate!(payload(listing(DAM, undefined, cfg), readFixture(LIST)))
    expect(doc!.url).toBe('http://127.0.0.1:1234/ercot/misdownload/servlets/mirDownload?doclookupId=1237449739')
  })

  it('read RT documents by the interval end in their names; the repeated hour by the publication offset', () => {
    const request = listing(RT, { start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-02T03:00:00') })
    const list = rtList([
      ['SPPHLZNP6905_20251102_0115_csv', '2025-11-02T01:17:01-05:00'], // first 01:15 (CDT)
      ['SPPHLZNP6905_20251102_0115_csv', '2025-11-02T01:17:02-06:00'], // the repeat (CST)
      ['SPPHLZNP6905_20251102_0030_csv', '2025-11-02T00:32:01-05:00'],
      ['SPPHLZNP6905_20251102_0245_csv', '2025-11-02T02:47:01-06:00'],
      ['SPPHLZNP6905_20251102_0315_csv', '2025-11-02T03:17:01-06:00'], // after the window: not located
    ])
    const located = RT.locate!(payload(request, list))
    expect(located.map((r) => [new Date(r.window.start).toISOString(), new Date(r.window.end).toISOString(), r.url.split('=')[1]])).toEqual([
      ['2025-11-02T05:15:00.000Z', '2025-11-02T05:30:00.000Z', '5004'],
      ['2025-11-02T06:00:00.000Z', '2025-11-02T06:15:00.000Z', '5000'],
      ['2025-11-02T07:00:00.000Z', '2025-11-02T07:15:00.000Z', '5002'],
      ['2025-11-02T08:30:00.000Z', '2025-11-02T08:45:00.000Z', '5006'],
    ])
    expect(located[0]!.file).toBe('cdr.00012301.0000000000000000.20251102.000000000.SPPHLZNP6905_20251102_0030_csv.zip')
  })

  it('read the midnight end as the next date 0000, fetch a re-posted interval once, skip stamps in the spring gap', () => {
    const request = listing(RT, { start: cdt('2026-06-11T23:00:00'), end: cdt('2026-06-12T01:00:00') })
    const located = RT.locate!(
      payload(
        request,
        rtList([
          ['SPPHLZNP6905_20260612_0000_csv', '2026-06-12T00:02:01-05:00'],
          ['SPPHLZNP6905_retry_20260612_0000_csv', '2026-06-12T00:20:00-05:00'],
          ['SPPHLZNP6905_20260611_2345_csv', '2026-06-11T23:47:01-05:00'],
        ])
      )
    )
    expect(located.map((r) => [r.window.start, r.url.split('=')[1]])).toEqual([
      [cdt('2026-06-11T23:30:00'), '5004'],
      [cdt('2026-06-11T23:45:00'), '5002'],
    ])
    expect(ercotRtDocumentWindow({ docId: '1', publishedAt: null, friendlyName: 'SPPHLZNP6905_20260308_0230_csv', constructedName: '' })).toBeNull()
    expect(ercotRtDocumentWindow({ docId: '1', publishedAt: null, friendlyName: 'SPPHLZNP6905_20260308_0300_csv', constructedName: '' })).toEqual({
      start: cst('2026-03-08T01:45:00'),
      end: cdt('2026-03-08T03:00:00'),
    })
  })

  it('take the DAM delivery day from the ConstructedName: the run date + 1, 25 hours on the fall-back day', () => {
    const doc = (constructedName: string): ErcotDocument => ({ docId: '1', publishedAt: null, friendlyName: 'DAMSPNP4190_csv', constructedName })
    expect(ercotDamDocumentWindow(doc('cdr.00012331.0000000000000000.20251101.125133362.DAMSPNP4190_csv.zip'))).toEqual({
      start: cdt('2025-11-02T00:00:00'),
      end: cst('2025-11-03T00:00:00'),
    })
    expect(ercotDamDocumentWindow(doc('DAMSPNP4190_csv.zip'))).toBeNull()
  })

  it('refuse an answer that is not a document list', () => {
    const request = listing()
    expect(thrown(() => DAM.locate!(payload(request, '<!DOCTYPE html><html><body>Maintenance</body></html>'))).reason).toMatch(/HTML page/)
    expect(thrown(() => DAM.locate!(payload(request, ''))).reason).toBe('empty file')
    expect(thrown(() => DAM.locate!(payload(request, '{"ListDocsByRptTypeRes":')))).toMatchObject({ field: '(json)' })
    expect(thrown(() => DAM.locate!(payload(request, '{"documents":[]}')))).toMatchObject({ field: 'ListDocsByRptTypeRes', reason: 'not an MIS document list' })
    expect(thrown(() => DAM.locate!(payload(request, '{"ListDocsByRptTypeRes":{"DocumentList":"x"}}')))).toMatchObject({ field: 'DocumentList' })
    // An empty list is a list.
    expect(DAM.locate!(payload(request, '{"ListDocsByRptTypeRes":{}}'))).toEqual([])
  })

  it('read the list fields it needs from the real list', () => {
    const docs = readErcotDocumentList(readFixture(LIST), 'list.json')
    expect(docs).toHaveLength(64)
    expect(docs[0]).toEqual({
      docId: '1237449739',
      publishedAt: ms('2026-06-11T12:51:32-05:00'),
      constructedName: 'cdr.00012331.0000000000000000.20260611.125133362.DAMSPNP4190_csv.zip',
      friendlyName: 'DAMSPNP4190_csv',
    })
  })
})
