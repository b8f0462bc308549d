import { describe, expect, it } from 'vitest'
import { csvNumber, formatPrice } from './format.ts'
import { chartPoints, mergeRows, toCsv, viewColumns, viewSearch, viewWindow, type PointValues } from './node-view.ts'

const H = 3_600_000
const point = (start: number, minutes: number, lmp: number): PointValues => ({
  start,
  end: start + minutes * 60_000,
  lmp,
  min: lmp - 1,
  max: lmp + 1,
  energy: lmp - 2,
  congestion: 1,
  loss: 1,
  onPeak: null,
  offPeak: lmp,
})

describe('node view', () => {
  it('ends hourly windows at the hour after the latest data and daily ones at local midnight', () => {
    const latest = new Date('2025-11-25T21:20:00Z') // 16:20 EST
    const hourly = viewWindow(latest, '7d', 'hourly', 'Etc/GMT+5')
    expect(hourly.to.toISOString()).toBe('2025-11-25T22:00:00.000Z')
    expect(hourly.to.getTime() - hourly.from.getTime()).toBe(7 * 24 * H)
    const daily = viewWindow(latest, '7d', 'daily', 'Etc/GMT+5')
    expect(daily.to.toISOString()).toBe('2025-11-26T05:00:00.000Z')
    expect(daily.from.toISOString()).toBe('2025-11-19T05:00:00.000Z')
    const oneDay = viewWindow(latest, '24h', 'daily', 'Etc/GMT+5')
    expect(oneDay.to.getTime() - oneDay.from.getTime()).toBe(24 * H)
  })

  it('joins 5-minute RT rows with the DA hour that contains them, newest first', () => {
    const t0 = Date.parse('2025-11-25T10:00:00Z')
    const da = [point(t0, 60, 30), point(t0 + H, 60, 40)]
    const rt = [0, 1, 2, 12, 13].map((i) => point(t0 + i * 5 * 60_000, 5, 20 + i))
    const rows = mergeRows(da, rt)
    expect(rows.map((r) => (r.t - t0) / 60_000)).toEqual([65, 60, 10, 5, 0])
    expect(rows.map((r) => r.da?.lmp)).toEqual([40, 40, 30, 30, 30])
    expect(rows.map((r) => r.rt?.lmp)).toEqual([33, 32, 22, 21, 20])
  })

  it('keeps DA-only rows (hours ahead of real time)', () => {
    const t0 = Date.parse('2025-11-25T10:00:00Z')
    const rows = mergeRows([point(t0, 60, 30), point(t0 + H, 60, 31)], [point(t0, 60, 29)])
    expect(rows.map((r) => [r.da?.lmp ?? null, r.rt?.lmp ?? null])).toEqual([
      [31, null],
      [30, 29],
    ])
  })

  it('writes the CSV with the table columns and the table rounding', () => {
    const t0 = Date.parse('2025-11-25T10:00:00Z')
    const rows = mergeRows([point(t0, 60, 39.995)], [point(t0, 60, -1234.5)])
    const columns = viewColumns('hourly', 'RT5')
    const csv = toCsv(rows, columns, { resolution: 'hourly', timeZone: 'Etc/GMT+5' }, csvNumber)
    const [header, line] = csv.trimEnd().split('\r\n')
    expect(header).toBe('interval_start_local,interval_start_utc,da_lmp,da_congestion,rt5_lmp,rt5_min,rt5_max,rt5_congestion,da_minus_rt')
    expect(line).toBe('2025-11-25 05:00,2025-11-25T10:00:00.000Z,40.00,1.00,-1234.50,-1235.50,-1233.50,1.00,1274.50')
    expect(formatPrice(39.995)).toBe('40.00')
    expect(formatPrice(-1234.5)).toBe('−1,234.50')
  })

  it('decimates long series for the chart but keeps spikes', () => {
    const t0 = Date.parse('2025-11-01T00:00:00Z')
    const rt = Array.from({ length: 5000 }, (_, i) => point(t0 + i * 300_000, 5, i === 2500 ? 999 : 20))
    const chart = chartPoints(mergeRows([], rt), 1000)
    expect(chart.length).toBeLessThanOrEqual(1000)
    expect(chart.some((p) => p.rt === 999)).toBe(true)
    expect(chart.every((p, i) => i === 0 || p.t > chart[i - 1]!.t)).toBe(true)
  })

  it('builds short links that drop defaults', () => {
    expect(viewSearch({ range: '7d', resolution: 'hourly', page: 1, end: 'rt' })).toBe('')
    expect(viewSearch({ resolution: 'daily' }, { range: '30d', rt: 'RT15' })).toBe('?range=30d&resolution=daily&rt=RT15')
  })
})
