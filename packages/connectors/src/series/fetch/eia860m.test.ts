import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from '../../fetch/http.ts'
import { startTestServer, type TestServer } from '../../fetch/test-server.ts'
import { simulatorUrls } from '../../fetch/urls.ts'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from '../eia860/fixtures.ts'
import { eia860mFileMonth } from '../eia860/generators.ts'
import { SERIES_SOURCES } from '../sources.ts'
import { SERIES_DATASETS } from './datasets.ts'
import { EIA860M_DATASETS, eia860mFileName, eia860mPublishedUntil } from './eia860m.ts'
import { fetchSeriesWindow, type SeriesFetchOutcome } from './fetch.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'
import type { SeriesDatasetDefinition } from './types.ts'

const DATASET = EIA860M_DATASETS['eia.860m.generators']
const NOW = ms('2026-12-07T12:00:00Z')
const XLS = 'https://www.eia.gov/electricity/data/eia860m/xls/'
const ARCHIVE = 'https://www.eia.gov/electricity/data/eia860m/archive/xls/'
const LANDING = '<!DOCTYPE html>\n<html lang="en"><head><title>Form EIA-860M detailed data</title></head><body><h1>Preliminary Monthly Electric Generator Inventory</h1></body></html>\n'
const sample = () => fixture(EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE)
const plan = (start: string, end: string, now = NOW, c = config) => DATASET.plan({ start: ms(start), end: ms(end) }, c, now)

describe('EIA-860M publication (month M out on the 28th of M+1, 12:00 Eastern; assumed)', () => {
  it('publishedUntil is the first of the month after the latest inventory out', () => {
    // EDT: 12:00 Eastern is 16:00Z. August's inventory is out on 2026-09-28.
    expect(iso(eia860mPublishedUntil(ms('2026-09-28T15:59:59Z')))).toBe('2026-08-01T00:00:00.000Z')
    expect(iso(eia860mPublishedUntil(ms('2026-09-28T16:00:00Z')))).toBe('2026-09-01T00:00:00.000Z')
    // EST: 17:00Z. November's is out on 2026-12-28; at NOW October's is the latest.
    expect(iso(eia860mPublishedUntil(NOW))).toBe('2026-11-01T00:00:00.000Z')
    expect(iso(eia860mPublishedUntil(ms('2026-12-28T16:59:59Z')))).toBe('2026-11-01T00:00:00.000Z')
    expect(iso(eia860mPublishedUntil(ms('2026-12-28T17:00:00Z')))).toBe('2026-12-01T00:00:00.000Z')
    // Over the year: December's inventory on 2027-01-28.
    expect(iso(eia860mPublishedUntil(ms('2027-01-10T00:00:00Z')))).toBe('2026-12-01T00:00:00.000Z')
    expect(iso(eia860mPublishedUntil(ms('2027-01-28T17:00:00Z')))).toBe('2027-01-01T00:00:00.000Z')
  })

  it('is one of SERIES_DATASETS, polled every 6 hours, about three months back at first', () => {
    expect(SERIES_DATASETS['eia.860m.generators']).toBe(DATASET)
    expect(DATASET.cadenceMs).toBe(6 * 3_600_000)
    expect(DATASET.lookbackMs).toBe(92 * 86_400_000)
    const definition: SeriesDatasetDefinition = DATASET
    expect(definition.available({ ...config, eiaKey: undefined })).toBe(true)
  })
})

describe('EIA-860M file names', () => {
  it('are EIA\'s: the lower-case English month, "_generator", the year; the reader reads the month back', () => {
    expect(eia860mFileName('2026-09')).toBe('september_generator2026.xlsx')
    for (let m = 1; m <= 12; m++) {
      const month = `2024-${String(m).padStart(2, '0')}`
      expect(eia860mFileMonth(eia860mFileName(month))).toBe(month)
    }
    expect(() => eia860mFileName('2026-13')).toThrow('not a month (YYYY-MM): "2026-13"')
  })
})

describe('EIA-860M plans', () => {
  it('one request per month, every month before the latest out under archive/xls/', () => {
    const requests = plan('2025-01-01T00:00:00Z', '2025-04-01T00:00:00Z')
    expect(requests).toEqual(
      ['january', 'february', 'march'].map((name, i) => ({
        dataset: 'eia.860m.generators',
        key: 'MISO',
        url: `${ARCHIVE}${name}_generator2025.xlsx`,
        window: { start: Date.UTC(2025, i, 1), end: Date.UTC(2025, i + 1, 1) },
        file: `${name}_generator2025.xlsx`,
        rateGroup: 'eia.www',
        notFoundMeansNotPublished: true,
        htmlExpected: true,
      })),
    )
  })

  it('the latest month out under xls/; clipped to the window and to what is out', () => {
    const requests = plan('2026-08-15T00:00:00Z', '2027-03-01T00:00:00Z')
    expect(requests.map((r) => [r.url, iso(r.window.start), iso(r.window.end)])).toEqual([
      [`${ARCHIVE}august_generator2026.xlsx`, '2026-08-15T00:00:00.000Z', '2026-09-01T00:00:00.000Z'],
      [`${ARCHIVE}september_generator2026.xlsx`, '2026-09-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'],
      [`${XLS}october_generator2026.xlsx`, '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ])
    // Once November's inventory is out, October moves to the archive.
    const later = plan('2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z', ms('2026-12-28T17:00:00Z'))
    expect(later.map((r) => r.url)).toEqual([`${ARCHIVE}october_generator2026.xlsx`, `${XLS}november_generator2026.xlsx`])
    expect(plan('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([])
  })

  it('nothing before EIA\'s first inventory (July 2015): a window reaching before it starts there', () => {
    const requests = plan('2010-01-01T00:00:00Z', '2015-09-15T00:00:00Z')
    expect(requests.map((r) => [r.file, iso(r.window.start), iso(r.window.end)])).toEqual([
      ['july_generator2015.xlsx', '2015-07-01T00:00:00.000Z', '2015-08-01T00:00:00.000Z'],
      ['august_generator2015.xlsx', '2015-08-01T00:00:00.000Z', '2015-09-01T00:00:00.000Z'],
      ['september_generator2015.xlsx', '2015-09-01T00:00:00.000Z', '2015-09-15T00:00:00.000Z'],
    ])
    expect(plan('2014-01-01T00:00:00Z', '2015-07-01T00:00:00Z')).toEqual([])
  })

  it('asks the configured site (the simulator\'s)', () => {
    const sim = { ...config, urls: simulatorUrls('http://127.0.0.1:4100/') }
    const r = only(plan('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', NOW, sim))
    expect(r.url).toBe('http://127.0.0.1:4100/eia/electricity/data/eia860m/xls/october_generator2026.xlsx')
  })
})

describe('EIA-860M answers', () => {
  it('a workbook is data, read with the month its request\'s file name gives', () => {
    const r = only(plan('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'))
    const payload = answer(r, sample())
    expect(DATASET.notPublished!(payload)).toBeNull()
    const { records, errors } = SERIES_SOURCES[r.dataset].parse(payload.bytes, r.file)
    expect(new Set(records.map((rec) => rec.periodStart))).toEqual(new Set(['2025-01-01T00:00:00.000Z']))
    expect(records.find((rec) => rec.series === 'MISO.CAPACITY.NUCLEAR' && rec.measure === 'nameplate_capacity')?.value).toBe(1100)
    expect(errors).toHaveLength(2) // the sample's SOCO and blank-code generators
  })

  it('EIA\'s HTML landing page in place of the workbook is "not published yet", whatever its content type says', () => {
    const r = only(plan('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'))
    const html = { ...answer(r, LANDING), contentType: 'text/html; charset=utf-8' }
    expect(DATASET.notPublished!(html)).toBe(
      `EIA answered an HTML page (HTTP 200, ${LANDING.length} bytes) in place of xls/october_generator2026.xlsx: not out yet, or not (any longer) in that folder`,
    )
    expect(DATASET.notPublished!(answer(r, LANDING))).toContain('EIA answered an HTML page')
    const archived = only(plan('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'))
    expect(DATASET.notPublished!(answer(archived, LANDING))).toContain('in place of archive/xls/january_generator2025.xlsx')
  })
})

describe('EIA-860M over HTTP (the real client, a local server)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
    const send = (status: number, type: string, body: Uint8Array | string) => (_req: unknown, res: ServerResponse) => res.writeHead(status, { 'Content-Type': type }).end(body)
    server.on('/eia/electricity/data/eia860m/archive/xls/august_generator2026.xlsx', send(200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', sample()))
    server.on('/eia/electricity/data/eia860m/archive/xls/september_generator2026.xlsx', send(200, 'text/html', LANDING))
    server.on('/eia/electricity/data/eia860m/xls/october_generator2026.xlsx', send(404, 'text/html', '<html><body>404 - File or directory not found.</body></html>'))
  })
  afterAll(async () => {
    await server.close()
  })

  it('takes the workbook, and the landing page and a 404 as "not published" at the first attempt', async () => {
    const client = createHttpClient({ userAgent: '254Carbon-ingest/test', maxAttempts: 3, backoff: { initialMs: 1, maxMs: 2 }, minSpacingMs: { 'eia.www': 0 } })
    const urls = { ...config, urls: simulatorUrls(server.url) }
    const outcomes: SeriesFetchOutcome[] = []
    for await (const o of fetchSeriesWindow(client, DATASET, { start: ms('2026-08-01T00:00:00Z'), end: ms('2026-11-01T00:00:00Z') }, urls, { now: NOW })) outcomes.push(o)
    expect(outcomes.map((o) => [o.kind, o.kind === 'payload' ? o.payload.request.file : o.request.file, o.kind === 'payload' ? o.payload.status : o.status])).toEqual([
      ['payload', 'august_generator2026.xlsx', 200],
      ['not-published', 'september_generator2026.xlsx', 200],
      ['not-published', 'october_generator2026.xlsx', 404],
    ])
    expect(server.seen.map((s) => s.path)).toEqual([
      '/eia/electricity/data/eia860m/archive/xls/august_generator2026.xlsx',
      '/eia/electricity/data/eia860m/archive/xls/september_generator2026.xlsx',
      '/eia/electricity/data/eia860m/xls/october_generator2026.xlsx',
    ])
    const first = outcomes[0]!
    if (first.kind !== 'payload') throw new Error('expected the workbook')
    expect(first.payload.attempts).toBe(1)
    expect(SERIES_SOURCES['eia.860m.generators'].parse(first.payload.bytes, first.payload.request.file).records[0]?.periodStart).toBe('2026-08-01T00:00:00.000Z')
  })
})
