import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { thrown } from '../../test-helpers.ts'
import { readEiaApiEnvelope } from './envelope.ts'
import { EIA930_FUEL_TYPE_DATA_FIXTURE, EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR } from './fixtures.ts'

const read = (name: string): string => readFileSync(new URL(name, FUNDAMENTALS_FIXTURE_DIR), 'utf8')
const region = read(EIA930_REGION_DATA_FIXTURE)

/** The region-data answer with its envelope edited. */
function answer(edit: (doc: { response: Record<string, unknown>; request: { params: Record<string, unknown> } }) => void): string {
  const doc = JSON.parse(region)
  edit(doc)
  return JSON.stringify(doc)
}

describe('EIA API v2 envelope (served answers)', () => {
  it('reads the region-data paging facts: total "169" as a number, no offset sent', () => {
    expect(readEiaApiEnvelope(region, EIA930_REGION_DATA_FIXTURE)).toEqual({
      total: 169,
      rows: 169,
      dateFormat: 'YYYY-MM-DD"T"HH24',
      frequency: 'hourly',
      warnings: [],
    })
  })

  it('reads the fuel-type answer: 845 of 845 rows', () => {
    expect(readEiaApiEnvelope(read(EIA930_FUEL_TYPE_DATA_FIXTURE), EIA930_FUEL_TYPE_DATA_FIXTURE)).toMatchObject({ total: 845, rows: 845 })
  })
})

describe('EIA API v2 envelope: pages', () => {
  it('reads a middle page: numeric total, the offset sent and the incomplete-return warning', () => {
    const page = answer((doc) => {
      doc.response.total = 12000
      doc.response.warnings = [{ warning: 'incomplete return', description: 'The API can only return 5000 rows in JSON format.' }]
      doc.request.params.offset = '5000'
    })
    expect(readEiaApiEnvelope(page, 'page2.json')).toEqual({
      total: 12000,
      offset: 5000,
      rows: 169,
      dateFormat: 'YYYY-MM-DD"T"HH24',
      frequency: 'hourly',
      warnings: [{ warning: 'incomplete return', description: 'The API can only return 5000 rows in JSON format.' }],
    })
  })

  it('names a total that is not a number', () => {
    for (const total of ['many', '-1', '1.5', null]) {
      const error = thrown(() => readEiaApiEnvelope(answer((doc) => void (doc.response.total = total)), 'page.json'))
      expect(error).toMatchObject({ file: 'page.json', field: 'response.total', reason: 'not a number (the count of rows the query matches)' })
    }
    const missing = answer((doc) => void delete doc.response.total)
    expect(thrown(() => readEiaApiEnvelope(missing, 'page.json')).field).toBe('response.total')
  })

  it('names an offset that is not a count, and a missing data list or frequency', () => {
    expect(thrown(() => readEiaApiEnvelope(answer((doc) => void (doc.request.params.offset = 'x')), 'p.json')).field).toBe('request.params.offset')
    expect(thrown(() => readEiaApiEnvelope(answer((doc) => void delete doc.response.data), 'p.json')).field).toBe('response.data')
    expect(thrown(() => readEiaApiEnvelope(answer((doc) => void delete doc.response.frequency), 'p.json'))).toMatchObject({
      field: 'response.frequency',
      reason: 'missing',
    })
  })
})

describe('EIA API v2 envelope: answers that are not data', () => {
  it('names an EIA error answer and its text', () => {
    const body = '{"error":"Invalid facet \'None\' provided. The only valid facets are \'respondent\' and \'type\'.","code":400}'
    const error = thrown(() => readEiaApiEnvelope(body, 'region-data_PACW.json'))
    expect(error).toMatchObject({ file: 'region-data_PACW.json', field: 'error' })
    expect(error.message).toMatch(/^region-data_PACW\.json line 1, error: EIA API error 400: Invalid facet 'None' provided/)
  })

  it('names the API gateway refusing the key', () => {
    const body = '{"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied."}}'
    expect(thrown(() => readEiaApiEnvelope(body, 'k.json')).reason).toBe('EIA API error: API_KEY_INVALID: An invalid api_key was supplied.')
  })

  it('names an answer without "response", an HTML page, an empty body and a cut body', () => {
    expect(thrown(() => readEiaApiEnvelope('{"apiVersion":"2.1.8"}', 'a.json'))).toMatchObject({ field: 'response' })
    expect(thrown(() => readEiaApiEnvelope('[1,2]', 'a.json'))).toMatchObject({ field: '(json)' })
    expect(thrown(() => readEiaApiEnvelope('<!DOCTYPE html><html><body>504 Gateway Time-out</body></html>', 'a.json')).reason).toMatch(/^an HTML page/)
    expect(thrown(() => readEiaApiEnvelope('', 'a.json')).reason).toBe('empty file')
    expect(thrown(() => readEiaApiEnvelope(region.slice(0, 5000), 'cut.json')).reason).toMatch(/^not JSON/)
  })
})
