import { describe, expect, it } from 'vitest'
import { fuelStyle, FUEL_STYLES } from './products.ts'
import {
  attributeNumber,
  chartDomain,
  csvFilename,
  csvText,
  dateTickLabel,
  dateTicks,
  difference,
  formatSignedValue,
  formatValue,
  latestWithChange,
  mergePoints,
  periodKey,
  periodLabel,
  pointTime,
  withChanges,
} from './series-view.ts'

const day = { periodStart: '2024-01-12T00:00:00.000Z', periodEnd: '2024-01-13T00:00:00.000Z' }
/** EIA's LNG week ending Wednesday 2026-09-23 (Thursday 09-17 to Wednesday 09-23). */
const lngWeek = { periodStart: '2026-09-17T00:00:00.000Z', periodEnd: '2026-09-24T00:00:00.000Z' }
/** CARB's week of Monday 2019-04-08 (to Sunday 04-14). */
const carbWeek = { periodStart: '2019-04-08T00:00:00.000Z', periodEnd: '2019-04-15T00:00:00.000Z' }
const month = { periodStart: '2024-01-01T00:00:00.000Z', periodEnd: '2024-02-01T00:00:00.000Z' }

describe('periods in the publisher terms', () => {
  it('names a gas day by its date, an EIA week by its last day, a CARB week by its Monday, a month by itself', () => {
    expect(periodKey(day, 'day')).toBe('2024-01-12')
    expect(periodKey(lngWeek, 'week-ending')).toBe('2026-09-23')
    expect(periodKey(carbWeek, 'week-of')).toBe('2019-04-08')
    expect(periodKey(month, 'month')).toBe('2024-01')
    expect(periodLabel(month, 'month')).toBe('Jan 2024')
    expect(periodLabel(lngWeek, 'week-ending')).toBe('2026-09-23')
  })

  it('places a point at the named date, an hourly value at the end of its hour', () => {
    expect(new Date(pointTime(lngWeek, 'week-ending')).toISOString()).toBe('2026-09-23T00:00:00.000Z')
    expect(new Date(pointTime(carbWeek, 'week-of')).toISOString()).toBe('2019-04-08T00:00:00.000Z')
    const hour = { periodStart: '2022-12-31T23:00:00.000Z', periodEnd: '2023-01-01T00:00:00.000Z' }
    expect(new Date(pointTime(hour, 'hour')).toISOString()).toBe('2023-01-01T00:00:00.000Z')
  })

  it('a date period is read in UTC whatever the clock of the process', () => {
    // 2024-03-10 is the day US clocks spring forward; a date period has no clock to shift it.
    expect(periodKey({ periodStart: '2024-03-10T00:00:00.000Z', periodEnd: '2024-03-11T00:00:00.000Z' }, 'day')).toBe('2024-03-10')
    expect(periodLabel({ periodStart: '2023-12-01T00:00:00.000Z', periodEnd: '2024-01-01T00:00:00.000Z' }, 'month')).toBe('Dec 2023')
  })
})

describe('formatValue', () => {
  it('prices keep two to four decimals, quantities none; thousands separated; a real minus', () => {
    expect(formatValue(3.18, '$/MMBtu')).toBe('3.18')
    expect(formatValue(13.2, '$/MMBtu')).toBe('13.20')
    expect(formatValue(3.0025, '$/MMBtu')).toBe('3.0025')
    expect(formatValue(-0.435, '$/MMBtu')).toBe('\u22120.435')
    expect(formatValue(191.67, '$/MT')).toBe('191.67')
    expect(formatValue(124_111, 'MT')).toBe('124,111')
    expect(formatValue(-12, 'MWh')).toBe('\u221212')
    expect(formatValue(null, '$/MWh')).toBe('—')
    expect(formatValue(Number.NaN, '$/MWh')).toBe('—')
  })

  it('never shows a negative zero', () => {
    expect(formatValue(-0.00001, '$/MMBtu')).toBe('0.00')
    expect(formatValue(-0.2, 'MWh')).toBe('0')
  })

  it('signs a change, unsigned when it rounds to zero', () => {
    expect(formatSignedValue(0.97, '$/MMBtu')).toBe('+0.97')
    expect(formatSignedValue(-2.11, '$/MMBtu')).toBe('\u22122.11')
    expect(formatSignedValue(0, '$/MMBtu')).toBe('0.00')
    expect(formatSignedValue(-0.00001, '$/MMBtu')).toBe('0.00')
    expect(formatSignedValue(undefined, '$/MMBtu')).toBe('—')
  })
})

describe('changes', () => {
  it('are exact decimals, not binary noise', () => {
    expect(difference(3.18, 1.72)).toBe(1.46)
    expect(difference(26.41, 3)).toBe(23.41)
    expect(Object.is(difference(2.5, 2.5), 0)).toBe(true)
  })

  it('each value against the one before; the latest with its change', () => {
    const values = [{ value: 2.5 }, { value: 2.75 }, { value: 2.6 }]
    expect(withChanges(values).map((v) => v.change)).toEqual([null, 0.25, -0.15])
    expect(latestWithChange(values)).toEqual({ value: 2.6, change: -0.15 })
    expect(latestWithChange([{ value: 1 }])).toEqual({ value: 1, change: null })
    expect(latestWithChange([])).toBeNull()
  })

  it('reads a change written in the attributes, null when absent or not a number', () => {
    expect(attributeNumber({ changeFromPreviousWeek: '-2.11' }, 'changeFromPreviousWeek')).toBe(-2.11)
    expect(attributeNumber({ changeFromPreviousWeek: '0.97' }, 'changeFromPreviousWeek')).toBe(0.97)
    expect(attributeNumber({}, 'changeFromPreviousWeek')).toBeNull()
    expect(attributeNumber({ bid: '' }, 'bid')).toBeNull()
    expect(attributeNumber({ bid: 'n/a' }, 'bid')).toBeNull()
  })
})

describe('chart points', () => {
  it('merges series on one time axis, null where a series has no value', () => {
    const points = mergePoints({
      JKM: [
        { t: 2, value: 26.41 },
        { t: 1, value: 25.44 },
      ],
      TTF: [{ t: 2, value: 25.15 }],
    })
    expect(points).toEqual([
      { t: 1, JKM: 25.44, TTF: null },
      { t: 2, JKM: 26.41, TTF: 25.15 },
    ])
  })

  it('spans first to last point; one point is widened so the axis has a width', () => {
    expect(chartDomain([{ t: 10 }, { t: 40 }])).toEqual({ from: 10, to: 40 })
    expect(chartDomain([{ t: 10 }], 5)).toEqual({ from: 5, to: 15 })
    expect(chartDomain([])).toBeNull()
  })
})

describe('dateTicks', () => {
  const utc = (text: string) => Date.parse(`${text}T00:00:00Z`)
  const iso = (ticks: number[]) => ticks.map((t) => new Date(t).toISOString().slice(0, 10))

  it('a year of gas days: month starts, every second month (counted from January) when twelve are too many', () => {
    const ticks = dateTicks(utc('2023-06-29'), utc('2024-06-28'), 8)
    expect(iso(ticks)).toEqual(['2023-07-01', '2023-09-01', '2023-11-01', '2024-01-01', '2024-03-01', '2024-05-01'])
    expect(ticks.map((t) => dateTickLabel(t, ticks))).toEqual(['Jul 2023', 'Sep', 'Nov', 'Jan 2024', 'Mar', 'May'])
  })

  it('decades of months: January firsts, labelled by year', () => {
    const ticks = dateTicks(utc('1997-01-01'), utc('2026-07-01'), 8)
    expect(iso(ticks)).toEqual(['2000-01-01', '2005-01-01', '2010-01-01', '2015-01-01', '2020-01-01', '2025-01-01'])
    expect(ticks.map((t) => dateTickLabel(t, ticks))).toEqual(['2000', '2005', '2010', '2015', '2020', '2025'])
  })

  it('labels January with its year within months', () => {
    const ticks = dateTicks(utc('2025-11-15'), utc('2026-03-20'), 8)
    expect(ticks.map((t) => dateTickLabel(t, ticks))).toEqual(['Dec 2025', 'Jan 2026', 'Feb', 'Mar'])
  })

  it('weeks hold fewer than two month starts: days, every 1, 2, 7 or 14', () => {
    const week = dateTicks(utc('2026-09-17'), utc('2026-09-23'), 8)
    expect(iso(week)).toEqual(['2026-09-17', '2026-09-18', '2026-09-19', '2026-09-20', '2026-09-21', '2026-09-22', '2026-09-23'])
    expect(week.map((t) => dateTickLabel(t, week)).slice(0, 2)).toEqual(['Sep 17', 'Sep 18'])
    // One LNG week widened by a week each side; no month start inside.
    expect(iso(dateTicks(utc('2026-09-16'), utc('2026-09-30'), 8))).toEqual(['2026-09-16', '2026-09-18', '2026-09-20', '2026-09-22', '2026-09-24', '2026-09-26', '2026-09-28', '2026-09-30'])
    // Seven weeks over one month start: still days (weekly), not a lone "Sep".
    const weeks = dateTicks(utc('2026-08-05'), utc('2026-09-23'), 8)
    expect(iso(weeks)).toEqual(['2026-08-05', '2026-08-12', '2026-08-19', '2026-08-26', '2026-09-02', '2026-09-09', '2026-09-16', '2026-09-23'])
  })

  it('no span, no ticks', () => {
    expect(dateTicks(5, 5)).toEqual([])
  })
})

describe('CSV', () => {
  it('CRLF lines, numbers as stored, empty for missing, text quoted when it must be', () => {
    expect(
      csvText(
        ['date', 'price', 'bid', 'note'],
        [
          ['2026-09-01', 192.5, 190, 'broker indication, mid'],
          ['2026-09-01', 152, null, 'said "firm"'],
          ['2026-09-02', -0.25, undefined, ''],
        ],
      ),
    ).toBe('date,price,bid,note\r\n2026-09-01,192.5,190,"broker indication, mid"\r\n2026-09-01,152,,"said ""firm"""\r\n2026-09-02,-0.25,,\r\n')
  })

  it('file names keep only safe characters', () => {
    expect(csvFilename('GAS', 'HENRY_HUB', 'daily', 'to-2024-06-28')).toBe('GAS_HENRY_HUB_daily_to-2024-06-28.csv')
    expect(csvFilename('REC.NJ.SOLAR.2027', 'to 2026/10/01')).toBe('REC.NJ.SOLAR.2027_to_2026_10_01.csv')
  })
})

describe('fuel styles', () => {
  it('stacks steady sources first; an unknown code last, grey', () => {
    expect(fuelStyle('NUC').order).toBeLessThan(fuelStyle('NG').order)
    expect(fuelStyle('NG').order).toBeLessThan(fuelStyle('SUN').order)
    expect(fuelStyle('XYZ')).toEqual({ color: '#9ca3af', order: FUEL_STYLES.length })
    expect(new Set(FUEL_STYLES.map((f) => f.color)).size).toBe(FUEL_STYLES.length)
  })
})
