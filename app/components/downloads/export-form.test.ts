import { describe, expect, it } from 'vitest'
import { ExportRequest } from '#server/services/exports/schemas.ts'
import { defaultRange, exportRequestOf, marketOfRequest, nodesOf, readExportForm } from './export-form.ts'
import { formatBytes } from './format.ts'

function form(entries: [string, string][]): FormData {
  const data = new FormData()
  for (const [name, value] of entries) data.append(name, value)
  return data
}

describe('the export form', () => {
  it('defaults to the 7 UTC days before today', () => {
    expect(defaultRange(new Date('2026-07-14T23:30:00Z'))).toEqual({ from: '2026-07-07', to: '2026-07-13' })
  })

  it('makes a prices request over whole UTC days, `to` included, with picked and typed nodes', () => {
    const values = readExportForm(
      form([
        ['dataset', 'prices'],
        ['market', 'MISO'],
        ['nodes', 'INDIANA.HUB'],
        ['nodes', 'ILLINOIS.HUB'],
        ['extraNodes', ' ILLINOIS.HUB, AMIL.BGS6 \n MINN.HUB '],
        ['runs', 'DA'],
        ['runs', 'RT5'],
        ['from', '2026-07-12'],
        ['to', '2026-07-13'],
        ['resolution', 'hourly'],
        ['format', 'parquet'],
      ]),
    )
    const request = exportRequestOf(values)
    expect(request).toEqual({
      dataset: 'prices',
      market: 'MISO',
      nodes: ['INDIANA.HUB', 'ILLINOIS.HUB', 'AMIL.BGS6', 'MINN.HUB'],
      run: ['DA', 'RT5'],
      from: '2026-07-12T00:00:00Z',
      to: '2026-07-14T00:00:00Z',
      resolution: 'hourly',
      format: 'parquet',
    })
    expect(ExportRequest.safeParse(request).success).toBe(true)
    expect(marketOfRequest(request)).toBe('MISO')
  })

  it('passes a mistyped date through, so the service names the value', () => {
    const request = exportRequestOf(readExportForm(form([['dataset', 'prices'], ['market', 'MISO'], ['nodes', 'X'], ['from', '12/07/2026'], ['to', '2026-07-13']])))
    expect(request.from).toBe('12/07/2026')
    const parsed = ExportRequest.safeParse(request)
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]?.path).toEqual(['from'])
  })

  it('makes curves and scenario requests', () => {
    expect(exportRequestOf(readExportForm(form([['dataset', 'curves'], ['market', 'CAISO'], ['nodes', 'TH_NP15_GEN-APND'], ['asOf', '2026-07-01'], ['format', 'csv']])))).toEqual({
      dataset: 'curves',
      market: 'CAISO',
      nodes: ['TH_NP15_GEN-APND'],
      asOf: '2026-07-01',
      format: 'csv',
    })
    const scenario = exportRequestOf(readExportForm(form([['dataset', 'scenario'], ['runId', 'abcdef0123456789'], ['table', 'mix'], ['market', '']])))
    expect(scenario).toEqual({ dataset: 'scenario', runId: 'abcdef0123456789', table: 'mix', format: 'csv' })
    expect(marketOfRequest(scenario)).toBeNull()
    expect(nodesOf({ nodes: [], extraNodes: '' })).toEqual([])
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1_000, '1.0 KB'],
    [1_450_000, '1.4 MB'],
    [123_456_789, '123 MB'],
    [23e9, '23.0 GB'],
    [null, '—'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})
