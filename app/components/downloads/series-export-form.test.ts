import { describe, expect, it } from 'vitest'
import { ExportRequest } from '#server/services/exports/schemas.ts'
import { isSeriesIntent, parseScopeValue, readSeriesForm, scopeValue, seriesDefaultRange, seriesExportRequestOf } from './series-export-form.ts'

function form(entries: [string, string][]): FormData {
  const f = new FormData()
  for (const [k, v] of entries) f.append(k, v)
  return f
}

describe('the series export form', () => {
  it('makes a product export the exports service accepts: both dates included, series deduplicated', () => {
    const values = readSeriesForm(
      form([
        ['scope', 'LNG'],
        ['measure', 'price'],
        ['series', 'JKM'],
        ['series', ' TTF '],
        ['series', 'JKM'],
        ['from', '2026-07-30'],
        ['to', '2026-09-17'],
        ['format', 'parquet'],
      ]),
    )
    const request = seriesExportRequestOf(values)
    expect(request).toEqual({
      dataset: 'series',
      product: 'LNG',
      series: ['JKM', 'TTF'],
      measure: 'price',
      from: '2026-07-30T00:00:00.000Z',
      to: '2026-09-18T00:00:00.000Z',
      format: 'parquet',
    })
    expect(ExportRequest.parse(request)).toMatchObject({ dataset: 'series', product: 'LNG', series: ['JKM', 'TTF'] })
  })

  it("makes a market's fundamentals export with its market, and leaves a bad date for the service to name", () => {
    expect(scopeValue('GRID', 'CAISO')).toBe('GRID:CAISO')
    expect(parseScopeValue('GRID:CAISO')).toEqual({ product: 'GRID', market: 'CAISO' })
    expect(parseScopeValue('GAS')).toEqual({ product: 'GAS', market: null })
    const request = seriesExportRequestOf({ scope: 'GRID:CAISO', measure: 'demand', series: ['PACW.DEMAND'], from: '2023-01-01', to: '01/02/2023', format: '' })
    expect(request).toMatchObject({ product: 'GRID', market: 'CAISO', measure: 'demand', to: '01/02/2023', format: 'csv' })
    const refused = ExportRequest.safeParse(request)
    expect(refused.success).toBe(false)
    expect(refused.error?.issues[0]?.path).toEqual(['to'])
  })

  it('defaults to the year up to the newest stored period, never before the oldest', () => {
    expect(seriesDefaultRange('2026-09-17T00:00:00.000Z', '2026-07-30T00:00:00.000Z')).toEqual({ from: '2026-07-30', to: '2026-09-17' })
    expect(seriesDefaultRange('2026-09-17T00:00:00.000Z', '1997-01-01T00:00:00.000Z')).toEqual({ from: '2025-09-17', to: '2026-09-17' })
    expect(seriesDefaultRange(null, null, new Date('2026-12-07T12:00:00Z'))).toEqual({ from: '2025-12-06', to: '2026-12-06' })
  })

  it("tells its intents from the prices form's", () => {
    expect(isSeriesIntent('series-estimate')).toBe(true)
    expect(isSeriesIntent('series-create')).toBe(true)
    expect(isSeriesIntent('estimate')).toBe(false)
  })
})
