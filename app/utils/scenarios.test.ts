import { describe, expect, it } from 'vitest'
import {
  annualAverages,
  annualDiff,
  annualStack,
  compareHref,
  diagnosticText,
  hasBands,
  largestDelta,
  parseRunQuery,
  priceSeries,
  runHref,
  technologiesOf,
  utcMinute,
  type PriceDiffRow,
  type ScenarioMixRow,
  type ScenarioPriceRow,
} from './scenarios.ts'

const price = (hub: string, block: string, month: string, value: number, band = 0): ScenarioPriceRow => ({
  market: 'MISO',
  hub,
  block,
  month,
  price: value,
  p10: value - band,
  p50: value,
  p90: value + band,
})

describe('run query', () => {
  it('defaults to on-peak and upper-cases the market', () => {
    expect(parseRunQuery(new URLSearchParams('market=miso&hub=INDIANA.HUB'))).toEqual({ ok: true, query: { market: 'MISO', hub: 'INDIANA.HUB', block: 'onpeak' } })
    expect(parseRunQuery(new URLSearchParams(''))).toEqual({ ok: true, query: { market: null, hub: null, block: 'onpeak' } })
  })

  it('refuses an unknown block naming the field and value', () => {
    expect(parseRunQuery(new URLSearchParams('block=atc'))).toEqual({ ok: false, message: "block: 'atc' is not a block; use onpeak or offpeak" })
  })

  it('builds hrefs with only what differs from the defaults', () => {
    expect(runHref('ab12', { market: 'MISO', block: 'onpeak' })).toBe('/scenarios/runs/ab12?market=MISO')
    expect(runHref('ab12', { hub: 'INDIANA.HUB', block: 'offpeak' })).toBe('/scenarios/runs/ab12?hub=INDIANA.HUB&block=offpeak')
    expect(compareHref('a1', 'b2', { market: 'CAISO' })).toBe('/scenarios/compare?a=a1&b=b2&market=CAISO')
  })
})

describe('prices', () => {
  const rows = [
    price('H', 'onpeak', '2030-02', 42),
    price('H', 'onpeak', '2030-01', 40),
    price('H', 'offpeak', '2030-01', 30),
    price('H', 'onpeak', '2031-01', 50),
    price('G', 'onpeak', '2030-01', 10),
  ]

  it('takes one hub and block in month order, at UTC month starts', () => {
    const series = priceSeries(rows, 'H', 'onpeak')
    expect(series.map((p) => [p.month, p.price, p.t])).toEqual([
      ['2030-01', 40, Date.UTC(2030, 0, 1)],
      ['2030-02', 42, Date.UTC(2030, 1, 1)],
      ['2031-01', 50, Date.UTC(2031, 0, 1)],
    ])
  })

  it('averages the months of each year per hub and block, hubs sorted, on-peak first', () => {
    const { columns, years } = annualAverages(rows)
    expect(columns.map((c) => c.key)).toEqual(['G|onpeak', 'H|onpeak', 'H|offpeak'])
    expect(years).toEqual([
      { year: 2030, values: { 'G|onpeak': 10, 'H|onpeak': 41, 'H|offpeak': 30 } },
      { year: 2031, values: { 'G|onpeak': null, 'H|onpeak': 50, 'H|offpeak': null } },
    ])
  })

  it('sees bands only where P10 and P90 differ', () => {
    expect(hasBands(rows)).toBe(false)
    expect(hasBands([...rows, price('H', 'onpeak', '2032-01', 40, 5)])).toBe(true)
  })
})

describe('mix', () => {
  const mix = (technology: string, month: string, capacityMw: number, generationMwh: number): ScenarioMixRow => ({ market: 'MISO', technology, month, capacityMw, generationMwh })
  const rows = [
    mix('solar', '2030-01', 1000, 100_000),
    mix('solar', '2030-12', 3000, 200_000),
    mix('coal', '2030-01', 5000, 2_000_000),
    mix('coal', '2030-12', 4000, 1_500_000),
    mix('_system', '2030-01', 0, 0),
    mix('fusion', '2030-06', 10, 10),
  ]

  it('orders technologies baseload first, unknown ones last, without the system rows', () => {
    expect(technologiesOf(rows)).toEqual(['coal', 'solar', 'fusion'])
  })

  it('sums generation per year in TWh and takes capacity at the year end in GW', () => {
    expect(annualStack(rows, 'generation')).toEqual([{ t: Date.UTC(2030, 0, 1), year: 2030, coal: 3.5, solar: 0.3, fusion: 0 }])
    expect(annualStack(rows, 'capacity')).toEqual([{ t: Date.UTC(2030, 0, 1), year: 2030, coal: 4, solar: 3, fusion: 0.01 }])
  })
})

describe('diff', () => {
  const d = (month: string, a: number, b: number, hub = 'H', block = 'onpeak'): PriceDiffRow => ({
    market: 'MISO',
    hub,
    block,
    month,
    a,
    b,
    delta: b - a,
    deltaPct: a === 0 ? null : ((b - a) / Math.abs(a)) * 100,
  })

  it('averages both runs per year and takes the change b - a', () => {
    const rows = [d('2030-01', 40, 44), d('2030-02', 42, 46), d('2031-01', 0, 3), d('2030-01', 1, 100, 'G')]
    expect(annualDiff(rows, 'H', 'onpeak')).toEqual([
      { year: 2030, a: 41, b: 45, delta: 4, deltaPct: 9.7561 },
      { year: 2031, a: 0, b: 3, delta: 3, deltaPct: null },
    ])
    expect(largestDelta(rows)).toBe(99)
    expect(largestDelta([])).toBe(0)
  })
})

describe('diagnostics', () => {
  it('adds the suggestion only when the message lacks it', () => {
    expect(diagnosticText({ message: 'unknown target fuel.gaz; did you mean fuel.gas?', suggestion: 'fuel.gas' })).toBe('unknown target fuel.gaz; did you mean fuel.gas?')
    expect(diagnosticText({ message: 'unknown unit', suggestion: '$/MMBtu' })).toBe('unknown unit (did you mean $/MMBtu?)')
    expect(diagnosticText({ message: 'missing number' })).toBe('missing number')
  })
})

describe('utcMinute', () => {
  it('shows an ISO timestamp to the minute in UTC, and a dash when there is none', () => {
    expect(utcMinute('2026-12-06T10:02:17.123Z')).toBe('2026-12-06 10:02 UTC')
    expect(utcMinute(null)).toBe('—')
    expect(utcMinute(undefined)).toBe('—')
  })
})
