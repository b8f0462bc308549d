import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { misoRefIdStartMs, parseMisoExAnte } from './miso-api-exante.ts'
import { misoNaiveTimeMs, parseMisoRt5ExPost } from './miso-api-rt5-expost.ts'

const EXPOST_FILE = 'miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json'
const EXANTE_FILE = 'miso_public_api_GetExAnteLmp_20261002.json'
const expost = readFixture(EXPOST_FILE)
const exante = readFixture(EXANTE_FILE)

describe('MISO GetRealTimeFiveMinExPost', () => {
  const result = parseMisoRt5ExPost(expost, EXPOST_FILE)

  it('reads the all-strings JSON into numbers', () => {
    expect(expost).toContain('"37.84"') // the fixture really quotes its numbers
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(13)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.find((r) => r.node === 'MS.HUB')).toEqual({
      market: 'MISO',
      node: 'MS.HUB',
      run: 'RT5',
      intervalStart: '2026-10-02T21:50:00.000Z',
      intervalEnd: '2026-10-02T21:55:00.000Z',
      lmp: 37.84,
      energy: 34.5,
      congestion: 2.86,
      loss: 0.48,
      ghg: null,
      source: 'miso.api.rt5_expost',
      publishedAt: null,
    })
  })

  it('derives one system-wide energy component, LMP - MLC - MCC, for every node', () => {
    // MISO's marginal energy component is the same at every node of an interval
    expect(new Set(result.records.map((r) => r.energy))).toEqual(new Set([34.5]))
    expect(result.records.find((r) => r.node === 'MP.OLIVER12')).toMatchObject({ lmp: 0.14, congestion: -31.59, loss: -2.77 })
  })

  it('reads INTERVAL as naive EST, with or without seconds, and rejects impossible times', () => {
    expect(misoNaiveTimeMs('2026-10-02T16:50:00')).toBe(Date.parse('2026-10-02T21:50:00Z'))
    expect(misoNaiveTimeMs('2026-10-02T23:55')).toBe(Date.parse('2026-10-03T04:55:00Z'))
    expect(misoNaiveTimeMs('2026-10-02T24:00:00')).toBeNull()
    expect(misoNaiveTimeMs('2026-10-02T16:50:00Z')).toBeNull()
  })

  it('reports bad rows by their position in data and keeps the rest', () => {
    const doc = JSON.parse(expost) as { headers: string[]; data: unknown[][] }
    doc.data[2]![2] = 'n/a'
    doc.data[4] = doc.data[4]!.slice(0, 3)
    doc.data[6]![0] = '02-Oct-2026 16:50'
    doc.data.push([...doc.data[0]!]) // identical repeat: dropped silently
    doc.data.push(['2026-10-02T16:50:00', 'MS.HUB', '40.00', '0.48', '2.86']) // conflicting repeat
    const result = parseMisoRt5ExPost(JSON.stringify(doc), EXPOST_FILE)
    expect(result.errors).toEqual([
      { file: EXPOST_FILE, line: 3, field: 'LMP', value: 'n/a', reason: 'not a number' },
      { file: EXPOST_FILE, line: 5, field: 'MLC', value: '', reason: 'row has 3 of 5 values' },
      {
        file: EXPOST_FILE,
        line: 7,
        field: 'INTERVAL',
        value: '02-Oct-2026 16:50',
        reason: 'not a YYYY-MM-DDTHH:MM:SS market time',
      },
      { file: EXPOST_FILE, line: 15, field: 'CPNODE', value: 'MS.HUB', reason: expect.stringContaining('row 12 kept') },
    ])
    expect(result.records).toHaveLength(10)
    expect(result.records.find((r) => r.node === 'MS.HUB')?.lmp).toBe(37.84)
  })

  it('throws on changed headers, HTML, empty or broken bodies', () => {
    const renamed = expost.replace('"MLC","MCC"', '"MCC","MLC"')
    expect(thrown(() => parseMisoRt5ExPost(renamed, EXPOST_FILE))).toMatchObject({ line: 1, field: 'headers' })
    const html = '<html><body><h1>429 Too Many Requests</h1></body></html>'
    expect(thrown(() => parseMisoRt5ExPost(html, EXPOST_FILE)).reason).toMatch(/HTML page/)
    expect(thrown(() => parseMisoRt5ExPost('', EXPOST_FILE)).reason).toBe('empty file')
    expect(thrown(() => parseMisoRt5ExPost(expost.slice(0, 300), EXPOST_FILE))).toMatchObject({ field: '(json)' })
    expect(thrown(() => parseMisoRt5ExPost('{"Message":"An error has occurred."}', EXPOST_FILE))).toMatchObject({
      field: 'headers',
    })
  })
})

describe('MISO GetExAnteLmp', () => {
  const result = parseMisoExAnte(exante, EXANTE_FILE)

  it('reads the hubs of interval [16:50, 16:55) EST as RT5 ex-ante records', () => {
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => r.node)).toEqual([
      'ARKANSAS.HUB',
      'ILLINOIS.HUB',
      'INDIANA.HUB',
      'LOUISIANA.HUB',
      'MICHIGAN.HUB',
      'MINN.HUB',
      'MS.HUB',
      'SWPP',
      'TEXAS.HUB',
    ])
    for (const record of result.records) {
      PriceRecord.parse(record)
      expect(record).toMatchObject({
        market: 'MISO',
        run: 'RT5',
        source: 'miso.api.exante',
        intervalStart: '2026-10-02T21:50:00.000Z',
        intervalEnd: '2026-10-02T21:55:00.000Z',
        energy: 32.74, // LMP - loss - congestion, the same at every hub
      })
    }
    expect(result.records[1]).toMatchObject({ node: 'ILLINOIS.HUB', lmp: 27.77, loss: -2.53, congestion: -2.44 })
  })

  it('reads the RefId', () => {
    expect(misoRefIdStartMs('02-Oct-2026 - Interval 16:50 EST')).toBe(Date.parse('2026-10-02T21:50:00Z'))
    expect(misoRefIdStartMs('2-Jan-2027 - Interval 0:05 EST')).toBe(Date.parse('2027-01-02T05:05:00Z'))
    expect(misoRefIdStartMs('02-Oct-2026 - Interval 16:50 EDT')).toBeNull()
    expect(misoRefIdStartMs('31-Feb-2026 - Interval 16:50 EST')).toBeNull()
  })

  it('reports a bad hub and keeps the others', () => {
    const bad = exante.replace('"LMP":"31.74"', '"LMP":"--"').replace('"loss":"-0.30",', '')
    const result = parseMisoExAnte(bad, EXANTE_FILE)
    expect(result.errors).toEqual([
      { file: EXANTE_FILE, line: 3, field: 'LMP', value: '--', reason: 'not a number' },
      { file: EXANTE_FILE, line: 6, field: 'loss', value: '', reason: 'missing' },
    ])
    expect(result.records).toHaveLength(7)
  })

  it('throws on a changed RefId or shape, HTML and empty bodies', () => {
    const refId = exante.replace('02-Oct-2026 - Interval 16:50 EST', '2026-10-02 16:50')
    expect(thrown(() => parseMisoExAnte(refId, EXANTE_FILE))).toMatchObject({ field: 'LMPData.RefId', value: '2026-10-02 16:50' })
    const mismatch = exante.replace('"HourAndMin":"16:50"', '"HourAndMin":"16:55"')
    expect(thrown(() => parseMisoExAnte(mismatch, EXANTE_FILE))).toMatchObject({ field: 'LMPData.ExAnteLMP.HourAndMin' })
    const noHubs = exante.replace('"Hub":', '"Hubs":')
    expect(thrown(() => parseMisoExAnte(noHubs, EXANTE_FILE))).toMatchObject({ field: 'LMPData.ExAnteLMP.Hub' })
    expect(thrown(() => parseMisoExAnte('<!doctype html><html></html>', EXANTE_FILE)).reason).toMatch(/HTML page/)
    expect(thrown(() => parseMisoExAnte(' ', EXANTE_FILE)).reason).toBe('empty file')
  })
})
