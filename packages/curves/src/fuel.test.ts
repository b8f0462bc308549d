import { describe, expect, it } from 'vitest'
import { parseContract } from './contracts.ts'
import { CurveInputError } from './errors.ts'
import {
  buildFuelCurve,
  fuelCurveInputsHash,
  fuelCurveView,
  GAS_SEASONAL_SHAPE,
  monthDays,
  normalizeFuelQuotes,
  parseFuelQuotesCsv,
  repriceFuelQuote,
  type BuildFuelCurveInput,
  type FuelQuote,
} from './fuel.ts'
import { CurveConflictError } from './solver/index.ts'

function quote(code: string, price: number, bid: number | null = null, ask: number | null = null): FuelQuote {
  return { contract: parseContract(code), price, bid, ask, line: null }
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}

const HH = { curve: 'GAS:HENRY_HUB', commodity: 'gas' as const, asOf: '2026-12-04' }
const JKM = { curve: 'LNG:JKM-HH', commodity: 'lng_basis' as const, asOf: '2026-12-04' }

/** A Henry Hub quote set: months to 2027-06, then quarters, then Cals. */
const HH_QUOTES = [
  quote('2027-01', 4.35),
  quote('2027-02', 4.12),
  quote('2027-03', 3.71),
  quote('2027-04', 3.42),
  quote('2027-05', 3.38),
  quote('2027-06', 3.51),
  quote('2027-Q3', 3.72),
  quote('2027-Q4', 3.95),
  quote('Cal-2028', 3.88),
  quote('Cal-2029', 3.79),
]

describe('monthDays and the gas shape', () => {
  it.each([
    ['2027-01', 31],
    ['2027-02', 28],
    ['2028-02', 29],
    ['2100-02', 28],
    ['2000-02', 29],
    ['2027-04', 30],
  ])('%s has %i days', (month, days) => {
    expect(monthDays(month)).toBe(days)
  })

  it('the gas shape has a days-weighted annual mean of 1 and a winter premium', () => {
    const days = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => monthDays(`2030-${m}`))
    const mean = GAS_SEASONAL_SHAPE.reduce((s, v, i) => s + v * days[i]!, 0) / 365
    expect(mean).toBeCloseTo(1, 12)
    expect(GAS_SEASONAL_SHAPE[0]).toBeGreaterThan(GAS_SEASONAL_SHAPE[4]!)
  })
})

describe('buildFuelCurve: every quote repriced exactly, days-weighted', () => {
  const cases: [string, BuildFuelCurveInput][] = [
    ['Henry Hub months, quarters and Cals', { ...HH, quotes: HH_QUOTES }],
    ['a single Cal', { ...HH, quotes: [quote('Cal-2027', 3.9)] }],
    ['a strip across a leap February', { ...HH, quotes: [quote('2028-01/2028-03', 4.1), quote('2028-02', 4.4)] }],
    ['a negative JKM-HH basis', { ...JKM, quotes: [quote('2027-01', 9.8), quote('2027-Q2', 6.4), quote('2027-Q3', -0.75), quote('Cal-2028', 5.1)] }],
    ['balance of month from asOf month', { ...HH, firstMonth: '2026-12', quotes: [quote('2026-12', 4.6), quote('2027-01', 4.4)] }],
  ]
  it.each(cases)('%s', (_name, input) => {
    const build = buildFuelCurve(input)
    expect(build.quotes).toHaveLength(input.quotes.length)
    for (const q of build.quotes) {
      expect(Math.abs(q.repriced - q.price)).toBeLessThan(1e-9 * Math.max(1, Math.abs(q.price)))
      // The days-weighted average computed independently of repriceFuelQuote.
      const c = parseContract(q.code)
      const rows = build.months.filter((m) => m.month >= c.first && m.month <= c.last)
      const average = rows.reduce((s, m) => s + m.days * m.price, 0) / rows.reduce((s, m) => s + m.days, 0)
      expect(average).toBeCloseTo(q.price, 9)
    }
    expect(build.months[0]!.month).toBe(input.firstMonth ?? '2027-01')
    expect(build.months.at(-1)!.month).toBe('2050-12')
    expect(build.months.every((m) => Number.isFinite(m.price) && m.days === monthDays(m.month))).toBe(true)
  })

  it('weights by days, not by months: a Q1 of 31/28/31 days is not the plain mean of its months', () => {
    const build = buildFuelCurve({ ...HH, quotes: [quote('2027-Q1', 4.0), quote('2027-01', 4.6), quote('2027-02', 4.3)] })
    const [jan, feb, mar] = build.months.slice(0, 3).map((m) => m.price)
    expect((31 * jan! + 28 * feb! + 31 * mar!) / 90).toBeCloseTo(4.0, 10)
    expect((jan! + feb! + mar!) / 3).not.toBeCloseTo(4.0, 4)
    expect(mar).toBeCloseTo((4.0 * 90 - 31 * 4.6 - 28 * 4.3) / 31, 9)
  })

  it('a quarter and its three months that agree are one consistent set (the quarter is dropped as redundant)', () => {
    const months = [4.5, 4.2, 3.8]
    const q1 = (31 * months[0]! + 28 * months[1]! + 31 * months[2]!) / 90
    const build = buildFuelCurve({ ...HH, quotes: [quote('2027-01', 4.5), quote('2027-02', 4.2), quote('2027-03', 3.8), quote('2027-Q1', q1)] })
    expect(build.months.slice(0, 3).map((m) => m.price)).toEqual(months.map((p) => expect.closeTo(p, 9)))
    expect(build.diagnostics.redundant).toEqual(['2027-Q1'])
  })

  it('bid/ask bands hold the curve inside them', () => {
    const build = buildFuelCurve({ ...HH, quotes: [quote('2027-01', 4.4), quote('2027-02', 4.0, 3.95, 4.1), quote('2027-03', 4.3)] })
    const feb = build.quotes.find((q) => q.code === '2027-02')!
    expect(feb.repriced).toBeGreaterThanOrEqual(3.95 - 1e-9)
    expect(feb.repriced).toBeLessThanOrEqual(4.1 + 1e-9)
  })
})

describe('buildFuelCurve: refusals', () => {
  it('a quarter that disagrees with its months is a CurveConflictError naming the contracts', () => {
    const error = caught(() => buildFuelCurve({ ...HH, quotes: [quote('2027-01', 4.5), quote('2027-02', 4.2), quote('2027-03', 3.8), quote('2027-Q1', 5)] }))
    expect(error).toBeInstanceOf(CurveConflictError)
    const message = (error as Error).message
    for (const code of ['2027-Q1', '2027-01', '2027-02', '2027-03']) expect(message).toContain(code)
  })

  it('the same contract at two prices conflicts', () => {
    const error = caught(() => buildFuelCurve({ ...HH, quotes: [quote('Cal-2028', 3.8), quote('Cal-2028', 3.9)] }))
    expect(error).toBeInstanceOf(CurveConflictError)
    expect((error as Error).message).toContain('Cal-2028 #2')
  })

  it.each([
    ['a contract before the curve', { ...HH, quotes: [quote('2026-11', 4)] }, 'contract', 'delivers entirely before the first curve month 2027-01'],
    ['a contract straddling the first month', { ...HH, quotes: [quote('2026-Q4', 4)] }, 'contract', 'before the first curve month 2027-01'],
    ['no quotes', { ...HH, quotes: [] }, undefined, 'no quotes'],
    ['a bad asOf', { ...HH, asOf: '2026-13-01', quotes: [quote('2027-01', 4)] }, 'asOf', 'must be a date'],
    ['an unknown commodity', { ...HH, commodity: 'coal' as never, quotes: [quote('2027-01', 4)] }, 'commodity', 'unknown commodity'],
    ['a bad parameter', { ...HH, params: { priorWeightLiquid: 0 }, quotes: [quote('2027-01', 4)] }, 'params.priorWeightLiquid', 'must be a finite number > 0'],
  ])('%s is a CurveInputError naming the field', (_name, input, field, message) => {
    const error = caught(() => buildFuelCurve(input as BuildFuelCurveInput))
    expect(error).toBeInstanceOf(CurveInputError)
    const issue = (error as CurveInputError).issues[0]!
    expect(issue.field).toBe(field)
    expect(issue.message).toContain(message)
  })
})

describe('buildFuelCurve: the long end', () => {
  it('gas reverts to the escalating seasonal prior past the quotes', () => {
    const build = buildFuelCurve({ ...HH, quotes: HH_QUOTES })
    const { priorLevel, priorLevelMonth } = build.diagnostics
    const priorAt = (month: string) => {
      const years = ((Number(month.slice(0, 4)) - Number(priorLevelMonth.slice(0, 4))) * 12 + Number(month.slice(5)) - Number(priorLevelMonth.slice(5))) / 12
      return priorLevel * GAS_SEASONAL_SHAPE[Number(month.slice(5)) - 1]! * 1.025 ** years
    }
    for (const month of ['2040-01', '2045-07', '2050-12']) {
      const price = build.months.find((m) => m.month === month)!.price
      expect(Math.abs(price / priorAt(month) - 1)).toBeLessThan(0.01)
    }
    // Winter above summer in the prior's years too.
    const at = (m: string) => build.months.find((r) => r.month === m)!.price
    expect(at('2040-01')).toBeGreaterThan(at('2040-05'))
  })

  it('a basis reverts to a flat, unescalated level', () => {
    const build = buildFuelCurve({ ...JKM, quotes: [quote('2027-Q1', 9), quote('2027-Q2', 6), quote('Cal-2028', 5)] })
    expect(build.diagnostics.params).toMatchObject({ annualEscalation: 0, priorShape: 'flat' })
    const tail = build.months.filter((m) => m.month >= '2045-01')
    for (const m of tail) expect(m.price).toBeCloseTo(build.diagnostics.priorLevel, 2)
  })
})

describe('fuelCurveInputsHash', () => {
  it('is stable: quote order and explicit defaults do not change it; the build reports the same hash', () => {
    const hash = fuelCurveInputsHash({ ...HH, quotes: HH_QUOTES })
    expect(fuelCurveInputsHash({ ...HH, quotes: [...HH_QUOTES].reverse() })).toBe(hash)
    expect(fuelCurveInputsHash({ ...HH, quotes: HH_QUOTES, params: { annualEscalation: 0.025, priorShape: 'seasonal' } })).toBe(hash)
    expect(buildFuelCurve({ ...HH, quotes: [...HH_QUOTES].reverse() }).inputsHash).toBe(hash)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each([
    ['a price', { ...HH, quotes: [...HH_QUOTES.slice(1), quote('2027-01', 4.36)] }],
    ['the curve', { ...HH, curve: 'GAS:WAHA', quotes: HH_QUOTES }],
    ['the commodity', { ...HH, commodity: 'lng_basis' as const, quotes: HH_QUOTES }],
    ['the asOf', { ...HH, asOf: '2026-12-03', quotes: HH_QUOTES }],
    ['a parameter', { ...HH, params: { annualEscalation: 0.03 }, quotes: HH_QUOTES }],
  ])('changes with %s', (_name, input) => {
    expect(fuelCurveInputsHash(input)).not.toBe(fuelCurveInputsHash({ ...HH, quotes: HH_QUOTES }))
  })
})

describe('fuel quotes from CSV and JSON', () => {
  it('reads contract,price[,bid,ask] in any order', () => {
    const quotes = parseFuelQuotesCsv('price,contract,bid,ask\n4.1,2027-01,4.05,4.15\n3.9,Cal-2028,,\n')
    expect(quotes.map((q) => [q.contract.code, q.price, q.bid, q.ask, q.line])).toEqual([
      ['2027-01', 4.1, 4.05, 4.15, 2],
      ['Cal-2028', 3.9, null, null, 3],
    ])
  })

  it.each([
    ['contract,block,price\n2027-01,atc,4', 1, 'block', 'unknown column (expected contract, price, bid, ask)'],
    ['contract\n2027-01', 1, 'price', 'missing required column'],
    ['contract,price\n2027-13,4', 2, 'contract', 'not a month'],
    ['contract,price\n2027-01,abc', 2, 'price', 'price is not a finite number'],
    ['contract,price\n2027-01,1500', 2, 'price', 'price 1500 $/MMBtu is outside -1000..1000 $/MMBtu'],
    ['contract,price,bid,ask\n2027-01,4,4.2,4.3', 2, 'bid', 'bid 4.2 is above the price 4'],
  ])('%j: line %i field %s refused', (csv, line, field, message) => {
    const error = caught(() => parseFuelQuotesCsv(csv, { file: 'gas.csv' }))
    expect(error).toBeInstanceOf(CurveInputError)
    const issue = (error as CurveInputError).issues[0]!
    expect(issue).toMatchObject({ line, field })
    expect(issue.message).toContain(message)
    expect((error as Error).message).toContain('gas.csv')
  })

  it('negative basis prices are accepted; JSON quotes validate the same way', () => {
    expect(normalizeFuelQuotes([{ contract: '2027-Q3', price: -0.5 }])[0]).toMatchObject({ price: -0.5, line: null })
    const error = caught(() => normalizeFuelQuotes([{ contract: '2027-01', price: 4 }, { contract: 'Q9', price: 4 }]))
    expect((error as CurveInputError).issues[0]).toMatchObject({ line: 1, field: 'contract', value: 'Q9' })
  })
})

describe('fuelCurveView and repriceFuelQuote', () => {
  const build = buildFuelCurve({ ...HH, quotes: HH_QUOTES })

  it('quarters and Cals are days-weighted and reprice the quotes', () => {
    const quarters = fuelCurveView(build.months, 'quarterly', HH.asOf)
    expect(quarters[0]).toMatchObject({ period: '2027-Q1', days: 90, months: 3 })
    expect(quarters.find((r) => r.period === '2027-Q3')!.price).toBeCloseTo(3.72, 9)
    const years = fuelCurveView(build.months, 'annual', HH.asOf)
    expect(years.find((r) => r.period === 'Cal-2028')).toMatchObject({ days: 366, price: expect.closeTo(3.88, 9) })
    expect(repriceFuelQuote(build, { contract: parseContract('Cal-2029') })).toBeCloseTo(3.79, 9)
  })

  it('standard: quarters for ten calendar years, then Cals; months before asOf are dropped', () => {
    const rows = fuelCurveView(build.months, 'standard', '2027-03-02')
    expect(rows[0]).toMatchObject({ period: '2027-Q1', first: '2027-03', months: 1 })
    expect(rows.filter((r) => r.period.includes('-Q'))).toHaveLength(40)
    expect(rows.at(-1)!.period).toBe('Cal-2050')
    expect(fuelCurveView(build.months, 'monthly', HH.asOf)).toHaveLength(build.months.length)
  })

  it('refuses a contract outside the curve', () => {
    expect(() => repriceFuelQuote(build, { contract: parseContract('2026-12') })).toThrow(CurveInputError)
  })
})
