import type { MarketId } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { buildCurve, curveInputsHash, type CurveBuild } from './build.ts'
import { addMonths, monthHours, monthIndex, monthRange, type Block, type MonthKey } from './calendar.ts'
import { parseContract } from './contracts.ts'
import { CurveInputError } from './errors.ts'
import type { Quote } from './quotes.ts'
import { fadedScale, type ScenarioPrior } from './scenario-prior.ts'

function quote(code: string, block: Block, price: number): Quote {
  return { contract: parseContract(code), block, price, bid: null, ask: null, line: null }
}

/**
 * A scenario's hub prices from 2025-01 to 2050-12 (the model's range): seasonal, growing `growth` a
 * year, on-peak `peak` times off-peak. `gas` scales everything (a higher-gas run).
 */
function scenario(runId: string, options: { gas?: number; growth?: number; peak?: number; first?: MonthKey } = {}): ScenarioPrior {
  const { gas = 1, growth = 0.02, peak = 1.4, first = '2025-01' } = options
  const months = monthRange(first, '2050-12')
  const season = [1.15, 1.08, 0.95, 0.88, 0.9, 1.05, 1.3, 1.25, 1.0, 0.9, 0.95, 1.1]
  const off = months.map((m, i) => gas * 30 * season[monthIndex(m) % 12]! * (1 + growth) ** (i / 12))
  return { runId, hub: 'INDIANA.HUB', firstMonth: first, onpeak: off.map((v) => v * peak), offpeak: off }
}

const QUOTES = [
  quote('2027-01', 'onpeak', 62),
  quote('2027-02', 'onpeak', 58),
  quote('2027-Q2', 'onpeak', 47),
  quote('Cal-2028', 'onpeak', 55),
  quote('Cal-2029', 'onpeak', 56.5),
  quote('2027-01', 'offpeak', 41),
  quote('Cal-2028', 'offpeak', 37),
]

const build = (prior: ScenarioPrior | undefined, quotes = QUOTES, market: MarketId = 'MISO', params = {}) =>
  buildCurve({ market, quotes, asOf: '2026-12-01', params, ...(prior ? { scenarioPrior: prior } : {}) })

const monthOf = (b: CurveBuild, month: MonthKey) => b.months.find((m) => m.month === month)!
const annual = (b: CurveBuild, year: number, block: 'onpeak' | 'offpeak') => {
  const rows = b.months.filter((m) => m.month.startsWith(`${year}-`))
  return rows.reduce((s, m) => s + m.hours[block] * m[block], 0) / rows.reduce((s, m) => s + m.hours[block], 0)
}
const scenarioAt = (p: ScenarioPrior, month: MonthKey, block: 'onpeak' | 'offpeak') => p[block][monthIndex(month) - monthIndex(p.firstMonth)]!

describe('curve prior from a scenario run', () => {
  const base = scenario('run-base')
  const highGas = scenario('run-high-gas', { gas: 1.5 })
  const withBase = build(base)
  const withHighGas = build(highGas)

  it('keeps every quote exactly, whatever the scenario', () => {
    for (const b of [withBase, withHighGas]) for (const q of b.quotes) expect(Math.abs(q.error), `${q.code} ${q.block}`).toBeLessThan(1e-9)
  })

  it('follows the scenario at the long end: a higher-gas run gives a higher 2040 price', () => {
    expect(annual(withHighGas, 2040, 'onpeak')).toBeGreaterThan(annual(withBase, 2040, 'onpeak') * 1.45)
    expect(annual(withHighGas, 2040, 'offpeak')).toBeGreaterThan(annual(withBase, 2040, 'offpeak') * 1.45)
    // Well past the fade (36 months after the last quote, 2029-12), the curve is the scenario itself.
    for (const month of ['2036-07', '2040-01', '2040-07', '2050-12']) {
      for (const block of ['onpeak', 'offpeak'] as const) {
        expect(monthOf(withBase, month)[block] / scenarioAt(base, month, block)).toBeCloseTo(1, 3)
        expect(monthOf(withHighGas, month)[block] / scenarioAt(highGas, month, block)).toBeCloseTo(1, 3)
      }
    }
  })

  it('records the run, hub, scales and coverage in the diagnostics', () => {
    const { prior } = withBase.diagnostics
    expect(prior).toMatchObject({ kind: 'scenario', runId: 'run-base', hub: 'INDIANA.HUB', fadeMonths: 36, coveredFrom: '2027-01', coveredTo: '2050-12' })
    if (prior.kind !== 'scenario') throw new Error('scenario prior expected')
    // The higher-gas run is the base run times 1.5, so the scale fitted to the same quotes is 1.5 times smaller.
    const high = withHighGas.diagnostics.prior as typeof prior
    expect(prior.scale.onpeak / high.scale.onpeak).toBeCloseTo(1.5, 12)
    expect(prior.scale.offpeak / high.scale.offpeak).toBeCloseTo(1.5, 12)
    expect(build(undefined).diagnostics.prior).toEqual({ kind: 'escalation' })
  })

  it('is the scaled scenario where one strip per block prices it exactly (the within-strip shape is the scenario)', () => {
    const quotes = [quote('Cal-2027', 'onpeak', 60), quote('Cal-2027', 'offpeak', 40)]
    const b = build(base, quotes, 'MISO', { priorFadeMonths: 0 })
    const prior = b.diagnostics.prior as Extract<CurveBuild['diagnostics']['prior'], { kind: 'scenario' }>
    for (const month of monthRange('2027-01', '2027-12')) {
      expect(monthOf(b, month).onpeak).toBeCloseTo(prior.scale.onpeak * scenarioAt(base, month, 'onpeak'), 6)
      expect(monthOf(b, month).offpeak).toBeCloseTo(prior.scale.offpeak * scenarioAt(base, month, 'offpeak'), 6)
    }
    // k = price / the scenario's hours-weighted Cal-2027 average
    const hours = monthRange('2027-01', '2027-12').map((m) => monthHours('MISO', m).onpeak)
    const average = hours.reduce((s, h, i) => s + h * scenarioAt(base, addMonths('2027-01', i), 'onpeak'), 0) / hours.reduce((s, h) => s + h, 0)
    expect(prior.scale.onpeak).toBeCloseTo(60 / average, 12)
  })

  it('gives a block quoted only through the other block the other scale (the scenario spread stays)', () => {
    const b = build(base, [quote('Cal-2027', 'onpeak', 70)])
    const prior = b.diagnostics.prior as Extract<CurveBuild['diagnostics']['prior'], { kind: 'scenario' }>
    expect(prior.scale.offpeak).toBe(prior.scale.onpeak)
    expect(annual(b, 2027, 'onpeak') / annual(b, 2027, 'offpeak')).toBeCloseTo(1.4, 2)
  })

  it('fits one scale to ATC-only quotes with the scenario mix', () => {
    const b = build(base, [quote('Cal-2027', 'atc', 50)])
    expect(Math.abs(b.quotes[0]!.error)).toBeLessThan(1e-9)
    const prior = b.diagnostics.prior as Extract<CurveBuild['diagnostics']['prior'], { kind: 'scenario' }>
    expect(prior.scale.onpeak).toBe(prior.scale.offpeak)
  })

  it('fills months before the scenario starts from the escalation shape, anchored to its first month', () => {
    const late = scenario('run-late', { first: '2028-01' })
    const quotes = [quote('Cal-2028', 'onpeak', 55), quote('Cal-2028', 'offpeak', 38)]
    const b = build(late, quotes, 'MISO', { priorShape: 'flat', annualEscalation: 0, priorFadeMonths: 0 })
    const prior = b.diagnostics.prior as Extract<CurveBuild['diagnostics']['prior'], { kind: 'scenario' }>
    expect(prior).toMatchObject({ coveredFrom: '2028-01', coveredTo: '2050-12' })
    for (const q of b.quotes) expect(Math.abs(q.error)).toBeLessThan(1e-9)
    // A flat, non-escalating fill holds the scenario's first month; the quotes are priced by the prior, so the curve is the prior.
    for (const month of monthRange('2027-01', '2027-12')) {
      expect(monthOf(b, month).onpeak).toBeCloseTo(prior.scale.onpeak * late.onpeak[0]!, 6)
      expect(monthOf(b, month).offpeak).toBeCloseTo(prior.scale.offpeak * late.offpeak[0]!, 6)
    }
    // With the default seasonal, escalating fill the months before differ, continuous at the edge.
    const seasonal = build(late, quotes, 'MISO', { priorFadeMonths: 0 })
    expect(monthOf(seasonal, '2027-07').onpeak).not.toBeCloseTo(monthOf(seasonal, '2027-04').onpeak, 1)
  })

  it('hashes the run and hub into the inputs hash, and leaves a build without one as it was', () => {
    const input = { market: 'MISO' as const, quotes: QUOTES, asOf: '2026-12-01' }
    const plain = curveInputsHash(input)
    expect(build(undefined).inputsHash).toBe(plain)
    const ref = curveInputsHash({ ...input, scenarioPrior: { runId: 'run-base', hub: 'INDIANA.HUB' } })
    expect(withBase.inputsHash).toBe(ref)
    expect(ref).not.toBe(plain)
    expect(withHighGas.inputsHash).not.toBe(ref)
    expect(curveInputsHash({ ...input, scenarioPrior: { runId: 'run-base', hub: 'ILLINOIS.HUB' } })).not.toBe(ref)
  })

  it('refuses prices it cannot use, naming them', () => {
    const bad = { ...base, onpeak: base.onpeak.map((v, i) => (i === 30 ? Number.NaN : v)) }
    const error = (() => {
      try {
        build(bad)
      } catch (e) {
        return e
      }
      throw new Error('expected an error')
    })()
    expect(error).toBeInstanceOf(CurveInputError)
    expect((error as CurveInputError).issues[0]).toMatchObject({ field: 'scenarioPrior.onpeak[30]', value: 'NaN' })
    expect(() => build({ ...base, offpeak: base.offpeak.slice(1) })).toThrow(/must have as many months as onpeak/)
    expect(() => build({ ...base, onpeak: base.onpeak.map((v) => -v) })).toThrow(/cannot be scaled to the quotes/)
  })
})

describe('fadedScale', () => {
  it('holds the scale to the last quoted month, then fades linearly to 1', () => {
    expect(fadedScale(1.3, 10, 12, 36)).toBe(1.3)
    expect(fadedScale(1.3, 12, 12, 36)).toBe(1.3)
    expect(fadedScale(1.3, 30, 12, 36)).toBeCloseTo(1.15, 12)
    expect(fadedScale(1.3, 48, 12, 36)).toBe(1)
    expect(fadedScale(0.8, 13, 12, 0)).toBe(1)
  })
})
