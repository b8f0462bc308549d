import { datePeriod } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { dailyChanges, defaultReportDate, endedBy, forwardTable, monthBefore, type ForwardMonth, type StoredValue } from './fuels-calc.ts'
import { emptyMessage } from './fuels.ts'
import { formatFuelChange, formatSigned, fuelsView } from './fuels-view.ts'
import { fuelsParamsFromQuery } from './query.ts'
import type { FuelsReport } from './schemas.ts'

const day = (date: string, value: number): StoredValue => ({ ...datePeriod(date, 'day'), value })

describe('fuels report arithmetic', () => {
  it('changes of the latest day against the stored day before, a week and a month before', () => {
    // Fridays and Thursdays: 2026-11-20 is a Friday; 2026-11-13 a week before; 2026-10-20 a month before.
    const values = [day('2026-10-19', 2.5), day('2026-10-20', 2.75), day('2026-11-12', 3.0), day('2026-11-13', 3.125), day('2026-11-19', 3.2), day('2026-11-20', 3.5)]
    expect(dailyChanges(values, 3)).toEqual({
      day: { against: '2026-11-19', value: 0.3 },
      week: { against: '2026-11-13', value: 0.375 },
      month: { against: '2026-10-20', value: 0.75 },
    })
    // Nothing a week before: the change is missing, not invented.
    expect(dailyChanges([day('2026-11-19', 3.2), day('2026-11-20', 3.5)], 3)?.week).toEqual({ against: null, value: null })
    expect(dailyChanges([], 3)).toBeNull()
  })

  it('takes a month before as the same day or the shorter month’s last day', () => {
    expect(monthBefore('2026-03-31')).toBe('2026-02-28')
    expect(monthBefore('2026-01-15')).toBe('2025-12-15')
    expect(monthBefore('2024-03-30')).toBe('2024-02-29')
  })

  it('counts a week or a month only once it has ended by the date', () => {
    const weeks = [{ ...datePeriod('2026-11-18', 'week'), value: 1 }, { ...datePeriod('2026-11-25', 'week'), value: 2 }]
    expect(endedBy(weeks, '2026-11-20').map((w) => w.value)).toEqual([1])
    expect(endedBy(weeks, '2026-11-25').map((w) => w.value)).toEqual([1, 2])
    const months = [{ ...datePeriod('2026-10-01', 'month'), value: 1 }, { ...datePeriod('2026-11-01', 'month'), value: 2 }]
    expect(endedBy(months, '2026-11-29').map((m) => m.value)).toEqual([1])
    expect(endedBy(months, '2026-11-30').map((m) => m.value)).toEqual([1, 2])
  })

  it('lists 12 forward months, then calendar years weighted by days, a part year by its months', () => {
    const months: ForwardMonth[] = []
    for (let i = 0; i < 30; i++) {
      const y = 2027 + Math.floor((i + 6) / 12)
      const m = ((i + 6) % 12) + 1
      const key = `${y}-${String(m).padStart(2, '0')}`
      const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
      months.push({ period: key, first: key, last: key, days, price: m === 2 ? 10 : 1 })
    }
    const rows = forwardTable(months)
    expect(rows.slice(0, 12).map((r) => r.period)).toEqual(months.slice(0, 12).map((m) => m.period))
    // 2027-07 .. 2028-06 listed; then 2028-07..2028-12 (part of 2028) and Cal-2029 with February at 10.
    expect(rows.slice(12).map((r) => r.period)).toEqual(['2028-07..2028-12', 'Cal-2029'])
    expect(rows[13]!.price).toBe(Number(((10 * 28 + 1 * (365 - 28)) / 365).toFixed(3)))
  })

  it('defaults to the latest day of a daily series, else the end of the latest week or month, never after today', () => {
    const catalogue = [
      { frequency: 'day', last: '2026-11-20T00:00:00.000Z' },
      { frequency: 'week', last: '2026-11-19T00:00:00.000Z' },
      { frequency: 'day', last: '2026-11-18T00:00:00.000Z' },
    ]
    expect(defaultReportDate(catalogue, '2026-12-07')).toBe('2026-11-20')
    expect(defaultReportDate([{ frequency: 'week', last: '2026-11-19T00:00:00.000Z' }], '2026-12-07')).toBe('2026-11-25')
    expect(defaultReportDate([{ frequency: 'month', last: '2026-11-01T00:00:00.000Z' }], '2026-11-10')).toBe('2026-11-10')
    expect(defaultReportDate([{ frequency: 'hour', last: '2026-11-01T00:00:00.000Z' }], '2026-11-10')).toBeNull()
    // A forward curve built after the latest series value moves the default to its as-of date.
    expect(defaultReportDate(catalogue, '2026-12-07', ['2026-12-04'])).toBe('2026-12-04')
    expect(defaultReportDate([], '2026-12-07', ['2026-12-04'])).toBe('2026-12-04')
  })
})

describe('fuels report query', () => {
  it('takes an optional date and names a bad or unknown parameter with its value', () => {
    expect(fuelsParamsFromQuery(new URLSearchParams(''))).toEqual({ params: {} })
    expect(fuelsParamsFromQuery(new URLSearchParams('date='))).toEqual({ params: {} })
    expect(fuelsParamsFromQuery(new URLSearchParams('date=2026-11-20'))).toEqual({ params: { date: '2026-11-20' } })
    expect(fuelsParamsFromQuery(new URLSearchParams('date=2026-02-30'))).toEqual({
      problem: { field: 'date', value: '2026-02-30', message: 'date: a date as YYYY-MM-DD (got "2026-02-30")' },
    })
    expect(fuelsParamsFromQuery(new URLSearchParams('market=MISO'))).toMatchObject({ problem: { field: 'market', message: 'market: not a parameter of this report (it takes date)' } })
  })
})

const REPORT: FuelsReport = {
  kind: 'fuels',
  date: '2026-11-20',
  generatedAt: '2026-12-07T10:00:00.000Z',
  products: ['GAS', 'LCFS'],
  leftOut: ['LNG', 'REC'],
  henryHub: {
    unit: '$/MMBtu',
    daily: { date: '2026-11-20', price: 3.5, day: { against: '2026-11-19', value: 0.3 }, week: { against: '2026-11-13', value: -0.125 }, month: { against: null, value: null } },
    monthly: { month: '2026-10', price: 3.25, change: { against: '2026-09', value: 0.15 } },
  },
  chart: [
    { date: '2026-11-19', price: 3.2 },
    { date: '2026-11-20', price: 3.5 },
  ],
  hubs: [
    { series: 'CHICAGO_CITYGATES', name: 'Chicago Citygates', date: '2026-11-20', price: 3.3, unit: '$/MMBtu', henryHub: 3.5, basis: -0.2, note: null },
    { series: 'AECO', name: 'AECO', date: '2026-11-20', price: 2.1, unit: 'CAD/GJ', henryHub: null, basis: null, note: 'quoted in CAD/GJ, not Henry Hub\'s unit' },
  ],
  forward: null,
  forwardMessage: 'No Henry Hub forward curve was built on or before 2026-11-20.',
  lng: null,
  lcfs: [{ cadence: 'week', period: '2026-11-20', price: 61.5, priceChange: { against: '2026-11-07', value: -1.25 }, volume: 120000, transfers: null, priceUnit: '$/MT', volumeUnit: 'MT' }],
  recs: null,
  emptyMessage: null,
}

describe('fuels report view', () => {
  it('prints gas with 3 decimals and signs, leaves out the sections not held with a note', () => {
    expect(formatSigned(0.3, 3)).toBe('+0.300')
    expect(formatSigned(-0.125, 3)).toBe('-0.125')
    expect(formatFuelChange({ against: null, value: null }, 3)).toBe('n/a')
    const view = fuelsView(REPORT)
    expect(view.title).toBe('Gas, LNG and environmental')
    expect(view.facts).toContainEqual({ label: 'Henry Hub', value: '3.500 $/MMBtu on 2026-11-20' })
    expect(view.facts).toContainEqual({ label: 'Left out', value: 'LNG, REC' })
    const titles = view.sections.map((s) => s.title)
    expect(titles).toEqual([
      'Henry Hub ($/MMBtu)',
      'Henry Hub daily price, 90 days to 2026-11-20 ($/MMBtu)',
      'Gas hubs: latest price and basis to Henry Hub',
      'Henry Hub forward curve',
      'LCFS credits',
      'Not in this report',
    ])
    const hh = view.sections[0]!
    expect(hh.kind === 'table' && hh.rows).toEqual([
      ['Daily', '2026-11-20', '3.500', '+0.300 (vs 2026-11-19)', '-0.125 (vs 2026-11-13)', 'n/a'],
      ['Monthly average', '2026-10', '3.250', 'n/a', 'n/a', '+0.150 (vs 2026-09)'],
    ])
    const hubs = view.sections[2]!
    expect(hubs.kind === 'table' && hubs.rows[0]).toEqual(['Chicago Citygates', '2026-11-20', '3.300', '$/MMBtu', '3.500', '-0.200'])
    expect(hubs.kind === 'table' && hubs.rows[1]![5]).toBe('quoted in CAD/GJ, not Henry Hub\'s unit')
    const forward = view.sections[3]!
    expect(forward.kind === 'table' && [forward.rows, forward.empty]).toEqual([[], REPORT.forwardMessage])
    const lcfs = view.sections[4]!
    expect(lcfs.kind === 'table' && lcfs.rows[0]).toEqual(['Weekly', 'week ending 2026-11-20', '61.50 $/MT', '-1.25 (vs 2026-11-07)', '120,000 MT', 'n/a'])
    const note = view.sections[5]!
    expect(note.kind === 'text' && note.text).toMatch(/LNG \(LNG\), renewable energy certificates \(REC\)/)
    const chart = view.sections[1]!
    expect(chart.kind === 'chart' && chart.chart.lines[0]!.segments).toHaveLength(1)
  })

  it('reads well empty: one message and the note, no empty tables', () => {
    const empty = { ...REPORT, henryHub: { unit: null, daily: null, monthly: null }, chart: [], hubs: [], lcfs: [] }
    const message = emptyMessage(empty.products, 4, empty, empty.date)
    expect(message).toBe('No GAS, LCFS value is stored on or before 2026-11-20.')
    expect(emptyMessage(['GAS'], 0, empty, empty.date)).toBe('No GAS values are stored yet.')
    expect(emptyMessage(['GAS'], 3, REPORT, REPORT.date)).toBeNull()
    // A forward curve alone is something to show.
    expect(emptyMessage(['GAS'], 0, { ...empty, forward: { name: 'Henry Hub gas', unit: 'USD/MMBtu', asOf: '2026-11-18', version: 1, owner: 'house', rows: [] } }, empty.date)).toBeNull()
    const view = fuelsView({ ...empty, emptyMessage: message })
    expect(view.message).toBe(message)
    expect(view.sections.map((s) => s.kind)).toEqual(['text'])
  })
})
