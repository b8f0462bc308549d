import { describe, expect, it } from 'vitest'
import { ParseError } from '../../errors.ts'
import { EIA930_FUEL_TYPE_DATA_FIXTURE, EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR } from '../eia930/fixtures.ts'
import { parseEia930RegionData } from '../eia930/rto.ts'
import { EIA930_DATASETS, EIA930_DEFAULT_RESPONDENTS, eia930PublishedUntil, eiaHourLabel } from './eia930.ts'
import { answer, config, fixture, iso, KEY, ms, only } from './test-helpers.ts'
import type { SeriesFetchRequest } from './types.ts'

const REGION = EIA930_DATASETS['eia.930.region_data']
const FUEL = EIA930_DATASETS['eia.930.fuel_type_data']
const NOW = ms('2026-07-16T12:00:00Z')
const regionFixture = fixture(FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)
const fuelFixture = fixture(FUNDAMENTALS_FIXTURE_DIR, EIA930_FUEL_TYPE_DATA_FIXTURE)
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** The served answer with its envelope edited as a later page would have it. */
function edited(bytes: Uint8Array, edit: (doc: { response: { total: string; data: unknown[] }; request: { params: Record<string, unknown> } }) => void): string {
  const doc = JSON.parse(text(bytes))
  edit(doc)
  return JSON.stringify(doc)
}

describe('EIA-930 publication (one-day lag plus two hours, by the hour)', () => {
  it('publishedUntil is now - 26 h, down to the hour', () => {
    expect(iso(eia930PublishedUntil(ms('2026-07-16T03:30:00Z')))).toBe('2026-07-15T01:00:00.000Z')
    expect(iso(eia930PublishedUntil(ms('2026-07-16T02:00:00Z')))).toBe('2026-07-15T00:00:00.000Z')
  })

  it('needs an API key', () => {
    expect(REGION.available(config)).toBe(true)
    expect(FUEL.available({ ...config, eiaKey: undefined })).toBe(false)
    expect(() => REGION.plan({ start: 0, end: NOW }, { ...config, eiaKey: undefined }, NOW)).toThrow('eia.930.region_data: no EIA API key configured (eiaKey)')
  })
})

describe('EIA-930 plans', () => {
  it('one request per respondent per UTC day, days first, hours asked by their ending labels, the key a secret', () => {
    const window = { start: ms('2026-07-13T00:00:00Z'), end: ms('2026-07-15T00:00:00Z') }
    const requests = REGION.plan(window, { ...config, eia930Respondents: ['PJM', 'PACW'] }, NOW)
    expect(requests.map((r) => [r.file, r.key, iso(r.window.start), iso(r.window.end)])).toEqual([
      ['eia930_region-data_PJM_20260713_p1.json', 'PJM', '2026-07-13T00:00:00.000Z', '2026-07-14T00:00:00.000Z'],
      ['eia930_region-data_PACW_20260713_p1.json', 'CAISO', '2026-07-13T00:00:00.000Z', '2026-07-14T00:00:00.000Z'],
      ['eia930_region-data_PJM_20260714_p1.json', 'PJM', '2026-07-14T00:00:00.000Z', '2026-07-15T00:00:00.000Z'],
      ['eia930_region-data_PACW_20260714_p1.json', 'CAISO', '2026-07-14T00:00:00.000Z', '2026-07-15T00:00:00.000Z'],
    ])
    expect(requests[0]).toEqual({
      dataset: 'eia.930.region_data',
      key: 'PJM',
      url:
        'https://api.eia.gov/v2/electricity/rto/region-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PJM' +
        '&start=2026-07-13T01&end=2026-07-14T00&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=type&sort[1][direction]=asc' +
        '&offset=0&length=5000',
      headers: { Accept: 'application/json' },
      secretQuery: { api_key: KEY },
      window: { start: ms('2026-07-13T00:00:00Z'), end: ms('2026-07-14T00:00:00Z') },
      file: 'eia930_region-data_PJM_20260713_p1.json',
      rateGroup: 'eia.api',
    })
    for (const r of requests) {
      expect(r.url).not.toContain(KEY)
      expect(r.file).not.toContain(KEY)
    }
    const fuel = FUEL.plan(window, config, NOW)
    expect(fuel).toHaveLength(2 * EIA930_DEFAULT_RESPONDENTS.length)
    expect(fuel[0]!.url).toBe(
      'https://api.eia.gov/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=CISO' +
        '&start=2026-07-13T01&end=2026-07-14T00&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=fueltype&sort[1][direction]=asc' +
        '&offset=0&length=5000',
    )
    expect(fuel.slice(0, 8).map((r) => r.key)).toEqual(['CAISO', 'MISO', 'PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE', 'CAISO'])
  })

  it('aligns an unaligned window to hours, cuts it at the UTC day, and stops at what is published', () => {
    // Published until 2026-07-15T10:00Z at NOW; the window asks beyond.
    const requests = REGION.plan({ start: ms('2026-07-14T21:30:00Z'), end: ms('2026-07-16T00:00:00Z') }, { ...config, eia930Respondents: ['ERCO'] }, NOW)
    expect(requests.map((r) => [r.file, iso(r.window.start), iso(r.window.end)])).toEqual([
      ['eia930_region-data_ERCO_20260714T2100-20260715T0000_p1.json', '2026-07-14T21:00:00.000Z', '2026-07-15T00:00:00.000Z'],
      ['eia930_region-data_ERCO_20260715T0000-20260715T1000_p1.json', '2026-07-15T00:00:00.000Z', '2026-07-15T10:00:00.000Z'],
    ])
    expect(requests[0]!.url).toContain('&start=2026-07-14T22&end=2026-07-15T00&')
    expect(requests[1]!.url).toContain('&start=2026-07-15T01&end=2026-07-15T10&')
    expect(REGION.plan({ start: ms('2026-07-15T10:00:00Z'), end: ms('2026-07-16T00:00:00Z') }, config, NOW)).toEqual([])
  })

  it('refuses a configured respondent that maps to no market, or is not a code', () => {
    expect(() => REGION.plan({ start: 0, end: NOW }, { ...config, eia930Respondents: ['PJM', 'SOCO'] }, NOW)).toThrow(
      'EIA-930 respondent SOCO maps to no market (series/eia930/balancing-authorities.ts)',
    )
    expect(() => REGION.plan({ start: 0, end: NOW }, { ...config, eia930Respondents: ['PJM&x=1'] }, NOW)).toThrow('not a respondent code')
  })

  it('labels hours by their end, as EIA writes period', () => {
    expect(eiaHourLabel(ms('2023-01-01T00:00:00Z'))).toBe('2023-01-01T00')
  })
})

describe('EIA-930 paging', () => {
  const first = (): SeriesFetchRequest =>
    only(REGION.plan({ start: ms('2026-07-13T00:00:00Z'), end: ms('2026-07-14T00:00:00Z') }, { ...config, eia930Respondents: ['PACW'] }, NOW))

  it('a served answer holding every row it matches is the last page (169 of 169)', () => {
    expect(REGION.nextPage!(answer(first(), regionFixture))).toBeNull()
    expect(FUEL.nextPage!(answer({ ...first(), dataset: 'eia.930.fuel_type_data' }, fuelFixture))).toBeNull()
  })

  it('asks from offset + rows while rows remain, the secret carried along, and joins the pages', () => {
    const r = first()
    // Page 1 of 3 (100 of the 169 rows); EIA echoes the offset it was sent.
    const page1 = edited(regionFixture, (doc) => {
      doc.response.data = doc.response.data.slice(0, 100)
      doc.request.params.offset = '0'
    })
    const second = REGION.nextPage!(answer(r, page1))!
    expect(second.url).toBe(r.url.replace('&offset=0&', '&offset=100&'))
    expect(second.file).toBe('eia930_region-data_PACW_20260713_p2.json')
    expect(second.secretQuery).toEqual({ api_key: KEY })
    expect(second).toMatchObject({ key: r.key, window: r.window, rateGroup: r.rateGroup, dataset: r.dataset })
    const page2 = edited(regionFixture, (doc) => {
      doc.response.data = doc.response.data.slice(100)
      doc.request.params.offset = '100'
    })
    expect(REGION.nextPage!(answer(second, page2))).toBeNull()
    const rows = [...parseEia930RegionData(new TextEncoder().encode(page1), r.file).records, ...parseEia930RegionData(new TextEncoder().encode(page2), second.file).records]
    expect(rows.map((x) => x.periodEnd)).toEqual(parseEia930RegionData(regionFixture, r.file).records.map((x) => x.periodEnd))
  })

  it('carries the secret an outcome holds hidden (the client hides it from logs)', () => {
    const r = first()
    const { secretQuery, ...shown } = r
    Object.defineProperty(shown, 'secretQuery', { value: secretQuery, enumerable: false })
    const page1 = edited(regionFixture, (doc) => void (doc.response.data = doc.response.data.slice(0, 10)))
    expect(REGION.nextPage!(answer(shown, page1))!.secretQuery).toEqual({ api_key: KEY })
  })

  it('refuses an answer at another offset, and an empty page while rows remain (either would loop or skip)', () => {
    const r = first()
    const wrong = edited(regionFixture, (doc) => void (doc.request.params.offset = '5000'))
    expect(() => REGION.nextPage!(answer(r, wrong))).toThrow(ParseError)
    expect(() => REGION.nextPage!(answer(r, wrong))).toThrow('eia930_region-data_PACW_20260713_p1.json line 1, request.params.offset: the answer starts at row 5000, the request asked from row 0')
    const empty = edited(regionFixture, (doc) => void (doc.response.data = []))
    expect(() => REGION.nextPage!(answer(r, empty))).toThrow('no rows from offset 0 although the query matches 169')
  })

  it('an error answer is the envelope\'s ParseError naming the file', () => {
    expect(() => REGION.nextPage!(answer(first(), '{"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied."}}'))).toThrow(
      /eia930_region-data_PACW_20260713_p1\.json line 1, error: EIA API error: API_KEY_INVALID/,
    )
  })
})

describe('EIA-930 not yet published (HTTP 200, no rows)', () => {
  const empty = edited(regionFixture, (doc) => {
    doc.response.total = '0'
    doc.response.data = []
  })
  const r = only(REGION.plan({ start: ms('2026-07-14T00:00:00Z'), end: ms('2026-07-15T00:00:00Z') }, { ...config, eia930Respondents: ['PACW'] }, NOW))

  it('a recent window with no rows is not published yet', () => {
    expect(REGION.notPublished!(answer(r, empty, ms('2026-07-16T12:00:00Z')))).toMatch(/^no rows yet: EIA answers an empty result .* \(window 2026-07-14T01\.\.2026-07-15T00\)$/)
  })

  it('an old window with no rows is final (the respondent reported nothing), and rows are published', () => {
    expect(REGION.notPublished!(answer(r, empty, ms('2026-07-22T00:00:00Z')))).toBeNull()
    expect(REGION.notPublished!(answer(r, regionFixture))).toBeNull()
    expect(REGION.notPublished!(answer(r, 'not json'))).toBeNull()
  })
})
