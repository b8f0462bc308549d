import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { thrown } from '../../test-helpers.ts'
import { EIA930_FUEL_TYPE_DATA_FIXTURE, EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR } from './fixtures.ts'
import { eia930PeriodEndMs, parseEia930FuelTypeData, parseEia930RegionData } from './rto.ts'
import { EIA930_SERIES_SOURCES } from './sources.ts'

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FUNDAMENTALS_FIXTURE_DIR)))
const regionBytes = fixture(EIA930_REGION_DATA_FIXTURE)
const fuelBytes = fixture(EIA930_FUEL_TYPE_DATA_FIXTURE)
const region = parseEia930RegionData(regionBytes, EIA930_REGION_DATA_FIXTURE)
const fuel = parseEia930FuelTypeData(fuelBytes, EIA930_FUEL_TYPE_DATA_FIXTURE)

type Doc = { response: { data: Record<string, unknown>[]; frequency: string; dateFormat: string }; request: { command: string } }

/** The region-data answer with `edit` applied, as bytes. */
function regionWith(edit: (doc: Doc) => void): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(regionBytes)) as Doc
  edit(doc)
  return new TextEncoder().encode(JSON.stringify(doc))
}

/** The record of a series whose hour ENDS at `period` (EIA's label). */
const at = (records: SeriesRecord[], series: string, period: string) =>
  records.find((r) => r.series === series && r.periodEnd === `${period}:00:00.000Z`)

describe('EIA-930 region data (served answer: PACW demand)', () => {
  it('reads 169 hours and no issues', () => {
    expect(region.errors).toEqual([])
    expect(region.records).toHaveLength(169)
  })

  it('reads the check values, each hour labelled by its end (UTC)', () => {
    expect(at(region.records, 'PACW.DEMAND', '2023-01-01T00')?.value).toBe(2455)
    expect(at(region.records, 'PACW.DEMAND', '2023-01-04T12')?.value).toBe(2401)
    expect(at(region.records, 'PACW.DEMAND', '2023-01-08T00')?.value).toBe(2577)
  })

  it('writes the whole record: GRID, CAISO via the WEIM, the hour before the label', () => {
    expect(region.records[0]).toEqual({
      product: 'GRID',
      market: 'CAISO',
      series: 'PACW.DEMAND',
      measure: 'demand',
      frequency: 'hour',
      periodStart: '2022-12-31T23:00:00.000Z',
      periodEnd: '2023-01-01T00:00:00.000Z',
      value: 2455,
      unit: 'MWh',
      attributes: { respondent: 'PACW', type: 'D', name: 'Demand', respondentName: 'PacifiCorp West', via: 'WEIM' },
      source: 'eia.930.region_data',
      publishedAt: null,
    })
  })

  it('covers 2022-12-31T23:00Z..2023-01-08T00:00Z in consecutive hours', () => {
    const starts = region.records.map((r) => Date.parse(r.periodStart))
    expect(region.records[0]?.periodStart).toBe('2022-12-31T23:00:00.000Z')
    expect(region.records.at(-1)?.periodEnd).toBe('2023-01-08T00:00:00.000Z')
    starts.slice(1).forEach((start, i) => expect(start - (starts[i] as number)).toBe(3_600_000))
  })
})

describe('EIA-930 fuel-type data (served answer: PACW net generation by source)', () => {
  it('reads 845 rows and no issues', () => {
    expect(fuel.errors).toEqual([])
    expect(fuel.records).toHaveLength(845)
    expect(new Set(fuel.records.map((r) => r.series))).toEqual(new Set(['PACW.NG', 'PACW.OTH', 'PACW.SUN', 'PACW.WAT', 'PACW.WND']))
  })

  it('reads the check values', () => {
    expect(at(fuel.records, 'PACW.WAT', '2023-01-01T00')?.value).toBe(476)
    expect(at(fuel.records, 'PACW.WND', '2023-01-01T00')?.value).toBe(282)
    expect(at(fuel.records, 'PACW.SUN', '2023-01-01T00')?.value).toBe(44)
    expect(at(fuel.records, 'PACW.NG', '2023-01-01T00')?.value).toBe(0)
    expect(at(fuel.records, 'PACW.WAT', '2023-01-04T12')?.value).toBe(445)
    expect(at(fuel.records, 'PACW.WND', '2023-01-08T00')?.value).toBe(167)
  })

  it('spells out respondent and energy source in the attributes, measure net_generation', () => {
    expect(at(fuel.records, 'PACW.WAT', '2023-01-01T00')).toMatchObject({
      measure: 'net_generation',
      market: 'CAISO',
      source: 'eia.930.fuel_type_data',
      attributes: { respondent: 'PACW', fueltype: 'WAT', name: 'Hydro', respondentName: 'PacifiCorp West', via: 'WEIM' },
    })
  })
})

describe('EIA-930: canonical records and the registry', () => {
  it('emits only records the schema accepts', () => {
    for (const record of [...region.records, ...fuel.records]) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('registers both routes as served GRID sources', () => {
    expect(EIA930_SERIES_SOURCES['eia.930.region_data']).toMatchObject({ product: 'GRID', verified: 'served', parse: parseEia930RegionData })
    expect(EIA930_SERIES_SOURCES['eia.930.fuel_type_data']).toMatchObject({ product: 'GRID', verified: 'served', parse: parseEia930FuelTypeData })
  })
})

describe('EIA-930: the other region-data types', () => {
  it('reads DF, NG and TI as forecast demand, net generation and interchange (a negative interchange kept)', () => {
    const bytes = regionWith((doc) => {
      const row = doc.response.data[0] as Record<string, unknown>
      doc.response.data = [
        { ...row, type: 'DF', 'type-name': 'Day-ahead demand forecast', value: '2500' },
        { ...row, type: 'NG', 'type-name': 'Net generation', value: '1800' },
        { ...row, type: 'TI', 'type-name': 'Total interchange', value: '-655' },
      ]
    })
    const { records, errors } = parseEia930RegionData(bytes, 'types.json')
    expect(errors).toEqual([])
    expect(records.map((r) => [r.series, r.measure, r.value, r.attributes.type])).toEqual([
      ['PACW.DEMAND_FORECAST', 'demand', 2500, 'DF'],
      ['PACW.NET_GENERATION', 'net_generation', 1800, 'NG'],
      ['PACW.INTERCHANGE', 'interchange', -655, 'TI'],
    ])
  })

  it('maps an ISO respondent to its market without a via attribute', () => {
    const bytes = regionWith((doc) => {
      doc.response.data = [{ ...doc.response.data[0], respondent: 'ERCO', 'respondent-name': 'Electric Reliability Council of Texas, Inc.' }]
    })
    const [record] = parseEia930RegionData(bytes, 'erco.json').records
    expect(record).toMatchObject({ market: 'ERCOT', series: 'ERCO.DEMAND' })
    expect(record?.attributes).not.toHaveProperty('via')
  })
})

describe('EIA-930: bad rows are issues, the good rows still come out', () => {
  /** Row 2 (line 2) of the region answer replaced by `row 1 + patch`. */
  function withRow2(patch: Record<string, unknown>) {
    const bytes = regionWith((doc) => {
      doc.response.data[1] = { ...doc.response.data[1], ...patch }
    })
    return parseEia930RegionData(bytes, 'edited.json')
  }

  it('names a null value (an hour not reported) instead of skipping it', () => {
    const { records, errors } = withRow2({ value: null })
    expect(records).toHaveLength(168)
    expect(errors).toEqual([
      { file: 'edited.json', line: 2, field: 'value', value: 'null', reason: 'no value for this hour (null: not reported by the respondent, or removed by EIA)' },
    ])
  })

  it('names an unmapped respondent, so its rows are dead-lettered', () => {
    const { records, errors } = withRow2({ respondent: 'SOCO' })
    expect(records).toHaveLength(168)
    expect(errors).toEqual([
      { file: 'edited.json', line: 2, field: 'respondent', value: 'SOCO', reason: 'respondent SOCO maps to no market (series/eia930/balancing-authorities.ts)' },
    ])
  })

  it('names a bad period, type, value, unit and a row that is not an object', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ period: '2023-01-01 01:00' }, 'period', '2023-01-01 01:00'],
      [{ period: '2023-02-30T01' }, 'period', '2023-02-30T01'],
      [{ type: 'X' }, 'type', 'X'],
      [{ value: 'n/a' }, 'value', 'n/a'],
      [{ value: '' }, 'value', ''],
      [{ 'value-units': 'megawatts' }, 'value-units', 'megawatts'],
      [{ respondent: 'pacw' }, 'respondent', 'pacw'],
    ]
    for (const [patch, field, value] of cases) {
      const { records, errors } = withRow2(patch)
      expect(records).toHaveLength(168)
      expect(errors).toEqual([expect.objectContaining({ file: 'edited.json', line: 2, field, value })])
    }
    const notObject = parseEia930RegionData(regionWith((doc) => void (doc.response.data[1] = 'x' as never)), 'edited.json')
    expect(notObject.errors).toEqual([expect.objectContaining({ line: 2, field: 'data', value: 'x', reason: 'not an object' })])
  })

  it('keeps an hour repeated with the same value once, and names one repeated with another value', () => {
    const same = parseEia930RegionData(regionWith((doc) => void doc.response.data.push({ ...doc.response.data[0] })), 'dup.json')
    expect(same.records).toHaveLength(169)
    expect(same.errors).toEqual([])
    const other = parseEia930RegionData(regionWith((doc) => void doc.response.data.push({ ...doc.response.data[0], value: '9999' })), 'dup.json')
    expect(other.records).toHaveLength(169)
    expect(at(other.records, 'PACW.DEMAND', '2023-01-01T00')?.value).toBe(2455)
    expect(other.errors).toEqual([
      { file: 'dup.json', line: 170, field: 'value', value: '9999', reason: 'PACW.DEMAND at 2023-01-01T00 given twice (line 1: 2455 kept)' },
    ])
  })

  it('names a fuel code that cannot be part of a series id', () => {
    const doc = JSON.parse(new TextDecoder().decode(fuelBytes))
    doc.response.data[0].fueltype = 'n g'
    const { records, errors } = parseEia930FuelTypeData(new TextEncoder().encode(JSON.stringify(doc)), 'fuel.json')
    expect(records).toHaveLength(844)
    expect(errors).toEqual([expect.objectContaining({ line: 1, field: 'fueltype', value: 'n g' })])
  })
})

describe('EIA-930: answers that are not these', () => {
  it('names another route, another clock and another date format', () => {
    expect(thrown(() => parseEia930FuelTypeData(regionBytes, EIA930_REGION_DATA_FIXTURE))).toMatchObject({
      file: EIA930_REGION_DATA_FIXTURE,
      field: 'request.command',
      reason: "another route's answer (expected /v2/electricity/rto/fuel-type-data/data/)",
    })
    expect(thrown(() => parseEia930RegionData(fuelBytes, 'f.json')).field).toBe('request.command')
    const local = regionWith((doc) => void (doc.response.frequency = 'local-hourly'))
    expect(thrown(() => parseEia930RegionData(local, 'local.json'))).toMatchObject({ field: 'response.frequency', value: 'local-hourly' })
    const withZone = regionWith((doc) => void (doc.response.dateFormat = 'YYYY-MM-DD"T"HH24TZH'))
    expect(thrown(() => parseEia930RegionData(withZone, 'tz.json')).field).toBe('response.dateFormat')
  })

  it('names an EIA error answer and an HTML page', () => {
    const error = thrown(() => parseEia930RegionData(new TextEncoder().encode('{"error":"No data found","code":404}'), 'e.json'))
    expect(error.message).toBe('e.json line 1, error: EIA API error 404: No data found (found "No data found")')
    const page = new TextEncoder().encode('<html><head><title>Service Unavailable</title></head></html>')
    expect(thrown(() => parseEia930FuelTypeData(page, 'p.json')).reason).toMatch(/^an HTML page/)
  })

  it('reads an answer with no rows as no records', () => {
    const empty = regionWith((doc) => void (doc.response.data = []))
    expect(parseEia930RegionData(empty, 'empty.json')).toEqual({ records: [], errors: [] })
  })
})

describe('EIA-930 periods', () => {
  it('are UTC hour endings, midnight as hour 00 of the next day', () => {
    expect(eia930PeriodEndMs('2023-01-01T00')).toBe(Date.UTC(2023, 0, 1, 0))
    expect(eia930PeriodEndMs('2024-02-29T23')).toBe(Date.UTC(2024, 1, 29, 23))
    expect(eia930PeriodEndMs('2023-01-01T24')).toBeNull()
    expect(eia930PeriodEndMs('2023-01-01T00-08')).toBeNull()
  })
})
