import type { MarketId } from '@carbon/schemas'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildCurve, curveInputsHash, DEFAULT_BUILD_PARAMS, repriceQuote, type CurveMonth } from './build.ts'
import { addMonths, monthHours, monthRange, type Block, type MonthKey } from './calendar.ts'
import { parseContract } from './contracts.ts'
import { CurveInputError } from './errors.ts'
import { escalationPrior, seasonalShape } from './prior.ts'
import { normalizeQuotes, type Quote, type QuoteInput } from './quotes.ts'
import { CurveConflictError } from './solver/index.ts'

function quote(code: string, block: Block, price: number, bid: number | null = null, ask: number | null = null): Quote {
  return { contract: parseContract(code), block, price, bid, ask, line: null }
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}

/** Small deterministic PRNG (mulberry32) so a fast-check seed integer draws a whole hidden curve. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random monthly curve (on-peak 30-110, off-peak 10-70) with its hours, shaped like a build's months. */
function hiddenCurve(market: MarketId, first: MonthKey, last: MonthKey, seed: number): { firstMonth: MonthKey; months: CurveMonth[] } {
  const next = random(seed)
  const months = monthRange(first, last).map((month) => {
    const hours = { ...monthHours(market, month) }
    const onpeak = 30 + 80 * next()
    const offpeak = 10 + 60 * next()
    return { month, onpeak, offpeak, atc: (hours.onpeak * onpeak + hours.offpeak * offpeak) / hours.atc, hours }
  })
  return { firstMonth: first, months }
}

type QuoteSpec = { kind: 'month' | 'quarter' | 'calendar' | 'strip'; pos: number; len: number; block: Block }

/** A contract of the wanted kind inside [first, first + span - 1] (falls back to a month/strip when none fits). */
function contractCode(spec: QuoteSpec, first: MonthKey, span: number): string {
  const months = monthRange(first, addMonths(first, span - 1))
  const pick = <T>(list: T[]) => list[spec.pos % list.length]
  if (spec.kind === 'quarter') {
    const starts = months.filter((m, i) => /-(01|04|07|10)$/.test(m) && i + 2 < months.length)
    const start = pick(starts)
    if (start) return `${start.slice(0, 4)}-Q${(Number(start.slice(5)) + 2) / 3}`
  }
  if (spec.kind === 'calendar') {
    const starts = months.filter((m, i) => m.endsWith('-01') && i + 11 < months.length)
    const start = pick(starts)
    if (start) return `Cal-${start.slice(0, 4)}`
  }
  const start = pick(months)!
  if (spec.kind === 'month') return start
  const end = months[Math.min(months.indexOf(start) + spec.len - 1, months.length - 1)]!
  return `${start}/${end}`
}

const quoteSpec = fc.record({
  kind: fc.constantFrom('month' as const, 'quarter' as const, 'calendar' as const, 'strip' as const),
  pos: fc.nat({ max: 1000 }),
  len: fc.integer({ min: 1, max: 18 }),
  block: fc.constantFrom('onpeak' as const, 'offpeak' as const, 'atc' as const),
})

describe('buildCurve: consistent quotes are repriced exactly', () => {
  it('property: quotes computed from a hidden curve reprice within 1e-9 (months, quarters, strips, Cals, all blocks)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<MarketId>('MISO', 'CAISO'),
        fc.integer({ min: 0, max: 18 }),
        fc.integer({ min: 6, max: 40 }),
        fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(null)),
        fc.integer(),
        fc.array(quoteSpec, { minLength: 1, maxLength: 25 }),
        (market, startOffset, span, tail, seed, specs) => {
          const asOfMonth = addMonths('2026-06', startOffset)
          const firstMonth = addMonths(asOfMonth, 1)
          // tail null: the default horizon to 2050-12.
          const lastMonth = tail === null ? undefined : addMonths(firstMonth, span - 1 + tail)
          const hidden = hiddenCurve(market, firstMonth, lastMonth ?? '2050-12', seed)
          const quotes = specs.map((spec) => {
            const q = quote(contractCode(spec, firstMonth, span), spec.block, 0)
            return { ...q, price: repriceQuote(hidden, q) }
          })
          const build = buildCurve({ market, quotes, asOf: `${asOfMonth}-15`, lastMonth })
          expect(build.months).toHaveLength(hidden.months.length)
          for (const q of quotes) expect(Math.abs(repriceQuote(build, q) - q.price)).toBeLessThanOrEqual(1e-9)
          for (const q of build.quotes) expect(Math.abs(q.error)).toBeLessThanOrEqual(1e-9)
          expect(build.diagnostics.maxResidual).toBeLessThanOrEqual(1e-9)
        },
      ),
      { numRuns: 80 },
    )
  })

  it('reprices to 1e-9 over the full horizon to 2050 with a realistic quote sheet', () => {
    const hidden = hiddenCurve('CAISO', '2026-12', '2050-12', 7)
    const codes = ['2026-12', '2027-01', '2027-02', '2027-Q2', '2027-Q3', '2027-Q4', 'Cal-2028', 'Cal-2029', 'Cal-2030', '2027-01/2027-03']
    const quotes = codes.flatMap((code) => (['onpeak', 'offpeak', 'atc'] as const).map((block) => quote(code, block, 0)))
    const priced = quotes.map((q) => ({ ...q, price: repriceQuote(hidden, q) }))
    const build = buildCurve({ market: 'CAISO', quotes: priced, asOf: '2026-11-20' })
    expect(build.firstMonth).toBe('2026-12')
    expect(build.lastMonth).toBe('2050-12')
    expect(build.months).toHaveLength(289)
    for (const q of build.quotes) expect(Math.abs(q.error)).toBeLessThanOrEqual(1e-9)
    // ATC of a month is pinned by its on-peak and off-peak quotes, so those ATC quotes are redundant.
    expect(build.diagnostics.redundant.length).toBeGreaterThan(0)
  })
})

describe('buildCurve: shape', () => {
  it('flat quotes with a flat prior and no escalation give a flat curve', () => {
    const quotes = ['Cal-2027', 'Cal-2028', '2029-Q1'].flatMap((code) => [quote(code, 'onpeak', 50), quote(code, 'offpeak', 30)])
    const build = buildCurve({ market: 'MISO', quotes, asOf: '2026-12-01', params: { priorShape: 'flat', annualEscalation: 0 } })
    expect(build.diagnostics.priorLevel.onpeak).toBeCloseTo(50, 12)
    for (const m of build.months) {
      expect(m.onpeak).toBeCloseTo(50, 9)
      expect(m.offpeak).toBeCloseTo(30, 9)
      expect(m.atc).toBeCloseTo((m.hours.onpeak * 50 + m.hours.offpeak * 30) / m.hours.atc, 9)
    }
  })

  it('a single Cal strip per block keeps the prior: seasonal shape and escalation', () => {
    const quotes = [quote('Cal-2027', 'onpeak', 60), quote('Cal-2027', 'offpeak', 40)]
    const build = buildCurve({ market: 'MISO', quotes, asOf: '2026-10-15' })
    const { priorLevel, priorLevelMonth, lastLiquidMonth } = build.diagnostics
    expect(lastLiquidMonth).toBe('2027-12')
    expect(priorLevelMonth).toBe('2027-06')
    const months = build.months.map((m) => m.month)
    const prior = escalationPrior({ market: 'MISO', block: 'onpeak', months, level: priorLevel.onpeak, levelMonth: priorLevelMonth })
    build.months.forEach((m, k) => expect(Math.abs(m.onpeak - prior[k]!) / prior[k]!).toBeLessThan(1e-9))
    // July over April 2027 on-peak = shape ratio x 1.025^(3/12).
    const shape = seasonalShape('MISO', 'onpeak')
    const jul = build.months.find((m) => m.month === '2027-07')!
    const apr = build.months.find((m) => m.month === '2027-04')!
    expect(jul.onpeak / apr.onpeak).toBeCloseTo((shape[6]! / shape[3]!) * 1.025 ** 0.25, 10)
    expect(build.quotes.map((q) => q.repriced)).toEqual([expect.closeTo(60, 9), expect.closeTo(40, 9)])
  })

  it('the long end reverts to the prior past the last quoted month', () => {
    const quotes = [quote('2027-01', 'onpeak', 90), quote('2027-02', 'onpeak', 40), quote('2027-Q1', 'offpeak', 35), quote('Cal-2028', 'atc', 45)]
    const build = buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-10' })
    const { priorLevel, priorLevelMonth } = build.diagnostics
    const months = build.months.map((m) => m.month)
    const onPrior = escalationPrior({ market: 'CAISO', block: 'onpeak', months, level: priorLevel.onpeak, levelMonth: priorLevelMonth })
    const last = build.months.length - 1
    expect(Math.abs(build.months[last]!.onpeak - onPrior[last]!) / onPrior[last]!).toBeLessThan(1e-6)
    // Only ATC for 2028 and no on-peak quote after 2027-02: the ratio default gives the other level.
    expect(priorLevel.onpeak).toBeGreaterThan(priorLevel.offpeak)
  })

  it('only ATC quotes: both blocks are fitted together with the default peak ratio', () => {
    const build = buildCurve({ market: 'MISO', quotes: [quote('Cal-2027', 'atc', 45)], asOf: '2026-11-01' })
    expect(build.diagnostics.priorLevel.onpeak / build.diagnostics.priorLevel.offpeak).toBeCloseTo(1.35, 12)
    expect(build.quotes[0]!.error).toBeLessThanOrEqual(1e-9)
    const cal = build.months.filter((m) => m.month.startsWith('2027'))
    const atc = cal.reduce((s, m) => s + m.atc * m.hours.atc, 0) / cal.reduce((s, m) => s + m.hours.atc, 0)
    expect(atc).toBeCloseTo(45, 9)
  })

  it('bid/ask quotes become bands: the curve stays inside each band', () => {
    const quotes = [quote('2027-01', 'onpeak', 60, 58, 62), quote('2027-02', 'onpeak', 20, 19, 21), quote('2027-03', 'onpeak', 60, 59, 61), quote('Cal-2027', 'offpeak', 30)]
    const build = buildCurve({ market: 'MISO', quotes, asOf: '2026-12-01', params: { priorShape: 'flat' } })
    for (const q of build.quotes) {
      if (q.bid !== null && q.ask !== null) {
        expect(q.repriced).toBeGreaterThanOrEqual(q.bid - 1e-9)
        expect(q.repriced).toBeLessThanOrEqual(q.ask + 1e-9)
      } else expect(Math.abs(q.error)).toBeLessThanOrEqual(1e-9)
    }
    // The February dip is pulled toward its neighbours: it sits at its ask.
    expect(build.diagnostics.activeBands).toContainEqual({ label: '2027-02 onpeak', side: 'hi' })
  })

  it('each month carries exact hours and the hours-weighted ATC', () => {
    const build = buildCurve({ market: 'MISO', quotes: [quote('2027-Q1', 'onpeak', 70), quote('2027-Q1', 'offpeak', 40)], asOf: '2026-12-01', lastMonth: '2027-12' })
    const march = build.months.find((m) => m.month === '2027-03')!
    expect(march.hours).toEqual({ onpeak: 368, offpeak: 375, atc: 743 })
    expect(march.atc).toBeCloseTo((368 * march.onpeak + 375 * march.offpeak) / 743, 12)
  })
})

describe('buildCurve: conflicts and input errors', () => {
  it('a quarter that disagrees with its three months throws CurveConflictError naming the contracts', () => {
    const quotes = [quote('2027-01', 'onpeak', 55), quote('2027-02', 'onpeak', 58), quote('2027-03', 'onpeak', 61), quote('2027-Q1', 'onpeak', 60)]
    const error = caught(() => buildCurve({ market: 'MISO', quotes, asOf: '2026-12-01' }))
    expect(error).toBeInstanceOf(CurveConflictError)
    const message = (error as Error).message
    for (const label of ['2027-01 onpeak', '2027-02 onpeak', '2027-03 onpeak', '2027-Q1 onpeak']) expect(message).toContain(label)
  })

  it('an ATC quote that disagrees with its on-peak and off-peak quotes conflicts', () => {
    const quotes = [quote('2027-05', 'onpeak', 50), quote('2027-05', 'offpeak', 30), quote('2027-05', 'atc', 45)]
    expect(() => buildCurve({ market: 'CAISO', quotes, asOf: '2027-03-01' })).toThrow(/2027-05 atc|2027-05 onpeak/)
  })

  it('exact duplicates are fine; disagreeing duplicates conflict', () => {
    const ok = buildCurve({ market: 'MISO', quotes: [quote('Cal-2027', 'atc', 45), quote('Cal-2027', 'atc', 45)], asOf: '2026-11-01' })
    expect(ok.diagnostics.redundant).toEqual(['Cal-2027 atc #2'])
    const error = caught(() => buildCurve({ market: 'MISO', quotes: [quote('Cal-2027', 'atc', 45), quote('Cal-2027', 'atc', 46)], asOf: '2026-11-01' }))
    expect(error).toBeInstanceOf(CurveConflictError)
    expect((error as Error).message).toContain('Cal-2027 atc')
  })

  it('rejects quotes outside the curve, naming each contract and why', () => {
    const quotes = normalizeQuotes([
      { contract: '2026-03', block: 'onpeak', price: 50 },
      { contract: 'Cal-2026', block: 'onpeak', price: 50 },
      { contract: '2031-01', block: 'offpeak', price: 30 },
      { contract: '2026-06', block: 'atc', price: 40 },
    ] satisfies QuoteInput[])
    const error = caught(() => buildCurve({ market: 'MISO', quotes, asOf: '2026-05-12', lastMonth: '2030-12' })) as CurveInputError
    expect(error).toBeInstanceOf(CurveInputError)
    expect(error.issues.map((i) => i.contract)).toEqual(['2026-03', 'Cal-2026', '2031-01'])
    expect(error.message).toContain('contract 2026-03')
    expect(error.message).toMatch(/Cal-2026.*starts 2026-01, before the first curve month 2026-06.*strip 2026-06\/2026-12/)
    expect(error.message).toMatch(/2031-01.*after the last curve month 2030-12/)
  })

  it('rejects bad market, dates and params, all at once', () => {
    const error = caught(() =>
      buildCurve({
        market: 'ENTSOE' as MarketId,
        quotes: [quote('2027-01', 'atc', 40)],
        asOf: '2026-02-30',
        lastMonth: '2050-13',
        params: { priorWeightLiquid: 0, annualEscalation: Number.NaN },
      }),
    ) as CurveInputError
    expect(error.issues.map((i) => i.field)).toEqual(['market', 'asOf', 'lastMonth', 'params.annualEscalation', 'params.priorWeightLiquid'])
    const before = caught(() => buildCurve({ market: 'MISO', quotes: [quote('2027-01', 'atc', 40)], asOf: '2026-12-01', firstMonth: '2026-11' })) as CurveInputError
    expect(before.issues[0]).toMatchObject({ field: 'firstMonth', value: '2026-11' })
    expect(() => buildCurve({ market: 'MISO', quotes: [], asOf: '2026-12-01' })).toThrow(/no quotes/)
  })

  it('repriceQuote refuses a quote outside the build', () => {
    const build = buildCurve({ market: 'MISO', quotes: [quote('2027-01', 'atc', 40)], asOf: '2026-12-01', lastMonth: '2027-06' })
    expect(() => repriceQuote(build, quote('2027-Q3', 'atc', 0))).toThrow(CurveInputError)
  })
})

describe('buildCurve: determinism and inputsHash', () => {
  const quotes = [quote('2027-01', 'onpeak', 62), quote('2027-Q2', 'offpeak', 33), quote('Cal-2028', 'atc', 47), quote('2027-03/2027-08', 'onpeak', 58, 57, 59)]

  it('same input in any quote order gives the same bytes and hash', () => {
    const a = buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05' })
    const b = buildCurve({ market: 'CAISO', quotes: [...quotes].reverse(), asOf: '2026-12-05' })
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    expect(a.inputsHash).toMatch(/^[0-9a-f]{64}$/)
    expect(curveInputsHash({ market: 'CAISO', quotes: [...quotes].reverse(), asOf: '2026-12-05', params: {} })).toBe(a.inputsHash)
  })

  it('explicit defaults hash like omitted ones; any input change changes the hash', () => {
    const base = buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05' }).inputsHash
    expect(buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05', params: { ...DEFAULT_BUILD_PARAMS }, lastMonth: '2050-12' }).inputsHash).toBe(base)
    const unknownKey = { annualEscalation: undefined, somethingElse: 3 } as Record<string, unknown>
    const withUnknown = buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05', params: unknownKey })
    expect(withUnknown.inputsHash).toBe(base)
    expect(withUnknown.diagnostics.params).toEqual(DEFAULT_BUILD_PARAMS)
    const changed = [
      buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-06' }),
      buildCurve({ market: 'MISO', quotes, asOf: '2026-12-05' }),
      buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05', lastMonth: '2040-12' }),
      buildCurve({ market: 'CAISO', quotes, asOf: '2026-12-05', params: { annualEscalation: 0.02 } }),
      buildCurve({ market: 'CAISO', quotes: [...quotes.slice(1), { ...quotes[0]!, price: 62.01 }], asOf: '2026-12-05' }),
    ].map((b) => b.inputsHash)
    expect(new Set([base, ...changed]).size).toBe(6)
  })
})
