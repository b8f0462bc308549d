import { addMonths, monthRange } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { baseRunIdentity } from '../base-run.ts'
import { runIdentity } from '../identity.ts'
import { canonicalText, checkScenario, parseScenario } from '../language/index.ts'
import type { Assumptions } from '../types.ts'
import { MARKET_BASES } from './base/index.ts'
import { createModelContext, MODEL_MONTHS, runScenarioWith, type FuelHistory } from './engine.ts'
import { checkForwardGas, forwardGasId, forwardLookup, type ForwardGasCurve } from './forward-gas.ts'
import { BASE_DATA_VERSION, baseDataVersionOf, bundledFuelHistory, ENGINE_VERSION, FUEL_HISTORY_ID, modelContext, modelContextFor, runMonteCarloWith } from './index.ts'
import { setsFor, valuePath } from './paths.ts'
import { baseAssumptions, market, resultDigest } from './test-support.ts'

// A scenario opts into the Henry Hub forward curve with `set fuel.gas = forward [from YYYY-MM]`:
// history > the fuel.gas set in force (a number, or `forward`: the curve's month, its last month
// held beyond it) > the last historical price, flat. Without a forward set the curve is not read.

/** History 2020-01..2025-06 at 3 $/MMBtu flat (the model's months begin 2025-01). */
const HISTORY: FuelHistory = { release: '2025-01-15', months: monthRange('2020-01', '2025-06').map((month) => ({ month, price: 3 })) }

/** A forward curve 2025-03..2027-12 (it overlaps the history's last months), each month a price of its own: 4.00, 4.01, ... */
function forwardCurve(from = '2025-03', to = '2027-12'): ForwardGasCurve {
  const months = monthRange(from, to).map((month, i) => ({ month, price: 4 + i / 100 }))
  return { curve: 'GAS:HENRY_HUB', asOf: '2025-02-27', months }
}

const FORWARD = forwardCurve()
const priceOf = (month: string, curve: ForwardGasCurve = FORWARD) => curve.months.find((m) => m.month === month)!.price
const withForward = createModelContext(MARKET_BASES, HISTORY, 'test', FORWARD)
const withoutForward = createModelContext(MARKET_BASES, HISTORY, 'test')

/** A scenario extending the built-in base, resolved by the language as the service resolves one. */
function extendingBase(name: string, statements: string): Assumptions {
  const base = parseScenario(BASE_SCENARIO_TEXT, 'base').document
  const checked = checkScenario(`scenario "${name}" extends "base"\n${statements}\n`, name, (n) => (n === 'base' ? base : undefined))
  expect(checked.diagnostics).toEqual([])
  return checked.assumptions!
}

const base = baseAssumptions()
/** The base scenario without any `fuel.gas` set: every month after the history takes its last price. */
const noGasSet: Assumptions = { ...base, sets: base.sets.filter((s) => s.target !== 'fuel.gas') }
/** The curve from 2026-01, then a price of its own from 2027-06 (the base's fuel.gas replaced). */
const curveThenPrice = extendingBase('curve then price', 'set fuel.gas = forward from 2026-01\nset fuel.gas = 6 $/MMBtu from 2027-06')
/** The curve from 2026-01 to the end of the model, far beyond the curve's last month. */
const curveToTheEnd = extendingBase('curve to the end', 'set fuel.gas = forward from 2026-01')

const gasAt = (result: ReturnType<typeof runScenarioWith>, month: string) => market(result, 'MISO').gasPrice[MODEL_MONTHS.indexOf(month)]!

describe('the gas path with `set fuel.gas = forward`', () => {
  const priced = runScenarioWith(withForward, curveThenPrice)
  const toTheEnd = runScenarioWith(withForward, curveToTheEnd)

  it('resolves along extends: the forward set replaces the base\'s price, and a later price of its own follows it', () => {
    expect(curveThenPrice.sets.filter((s) => s.target === 'fuel.gas')).toEqual([
      { target: 'fuel.gas', value: null, unit: '$/MMBtu', from: '2026-01', escalate: null, scenario: 'curve then price' },
      { target: 'fuel.gas', value: 6, unit: '$/MMBtu', from: '2027-06', escalate: null, scenario: 'curve then price' },
    ])
  })

  it.each([
    ['a history month the curve also has: the history', priced, '2025-05', 3],
    ['after the history, before the forward set: no set in force, the last historical price', priced, '2025-09', 3],
    ['the forward set\'s first month: the curve\'s month', priced, '2026-01', priceOf('2026-01')],
    ['a month under the forward set: the curve\'s month', priced, '2027-05', priceOf('2027-05')],
    ['the later price\'s first month: the price, though the curve has the month', priced, '2027-06', 6],
    ['a month of the later price beyond the curve: the price', priced, '2040-06', 6],
    ['the curve\'s last month', toTheEnd, '2027-12', priceOf('2027-12')],
    ['the month after the curve\'s last: the last month\'s price', toTheEnd, '2028-01', priceOf('2027-12')],
    ['the model\'s last month, far beyond the curve: the last month\'s price', toTheEnd, '2050-12', priceOf('2027-12')],
  ])('%s', (_what, result, month, expected) => {
    expect(gasAt(result, month)).toBe(expected)
  })

  it('without a forward set the curve is not read: a numeric set and no set at all price gas as without a curve', () => {
    for (const assumptions of [base, noGasSet]) {
      expect(market(runScenarioWith(withForward, assumptions), 'MISO').gasPrice).toEqual(market(runScenarioWith(withoutForward, assumptions), 'MISO').gasPrice)
    }
    expect(gasAt(runScenarioWith(withForward, noGasSet), '2026-01')).toBe(3)
  })

  it('a month between the history and the curve\'s first takes the first month\'s price', () => {
    const late = forwardCurve('2026-03', '2030-12')
    const result = runScenarioWith(createModelContext(MARKET_BASES, HISTORY, 'test', late), extendingBase('early', 'set fuel.gas = forward'))
    expect(gasAt(result, '2025-06')).toBe(3)
    expect(gasAt(result, '2025-07')).toBe(priceOf('2026-03', late))
    expect(gasAt(result, '2026-02')).toBe(priceOf('2026-03', late))
    expect(gasAt(result, '2026-04')).toBe(priceOf('2026-04', late))
  })

  it('a forward set on a run without a curve is an error naming the scenario, not a silent price', () => {
    expect(() => runScenarioWith(withoutForward, curveToTheEnd)).toThrow('fuel.gas = forward (set by "curve to the end") needs the run\'s Henry Hub forward curve, and this run has none')
    const empty = createModelContext(MARKET_BASES, HISTORY, 'test', { ...FORWARD, months: [] })
    expect(() => runScenarioWith(empty, curveToTheEnd)).toThrow(/needs the run's Henry Hub forward curve/)
  })

  it('the gas path is the same in every market, and the power prices follow the curve where it is in force', () => {
    for (const m of toTheEnd.markets) expect(m.gasPrice).toEqual(market(toTheEnd, 'MISO').gasPrice)
    const flat = runScenarioWith(withForward, noGasSet)
    // The curve (4 and more) is above the flat 3: higher gas, higher power.
    const k = MODEL_MONTHS.indexOf('2026-06')
    expect(market(toTheEnd, 'MISO').hubs[0]!.onpeak[k]!).toBeGreaterThan(market(flat, 'MISO').hubs[0]!.onpeak[k]!)
    const before = MODEL_MONTHS.indexOf('2025-09')
    expect(market(toTheEnd, 'MISO').hubs[0]!.onpeak[before]).toBe(market(flat, 'MISO').hubs[0]!.onpeak[before])
  })

  it('the Monte Carlo multipliers scale the curve months as they scale a price', () => {
    const multiplier = new Float64Array(MODEL_MONTHS.length).fill(1.5)
    const scaled = runScenarioWith(withForward, curveThenPrice, { gas: multiplier })
    expect(gasAt(scaled, '2026-09')).toBeCloseTo(priceOf('2026-09') * 1.5, 12)
    expect(gasAt(scaled, '2030-03')).toBeCloseTo(6 * 1.5, 12)
    // Seeded bands around the curve: reproducible, the deterministic run inside them on the curve, and unlike the bands without it.
    const one = runMonteCarloWith(withForward, curveToTheEnd, { draws: 12, seed: 9 })
    const two = runMonteCarloWith(withForward, curveToTheEnd, { draws: 12, seed: 9 })
    expect(resultDigest(one.result)).toBe(resultDigest(two.result))
    expect(gasAt(one.result, '2026-09')).toBe(priceOf('2026-09'))
    const flat = runMonteCarloWith(withForward, noGasSet, { draws: 12, seed: 9 })
    const k = MODEL_MONTHS.indexOf('2026-06')
    expect(one.bands.markets[0]!.hubs[0]!.p50[k]).not.toBe(flat.bands.markets[0]!.hubs[0]!.p50[k])
  })
})

describe('forwardLookup', () => {
  const months = (...entries: [string, number][]) => ({ curve: 'GAS:HENRY_HUB', asOf: '2026-08-20', months: entries.map(([month, price]) => ({ month, price })) })

  it('gives a curve month its price, a gap the month before, and holds the first and last months outside the curve', () => {
    const at = forwardLookup(months(['2027-01', 3.5], ['2027-02', 3.25], ['2027-05', 2.75]))!
    expect(['2026-06', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06', '2050-12'].map(at)).toEqual([3.5, 3.5, 3.25, 3.25, 3.25, 2.75, 2.75, 2.75])
  })

  it('is null for no curve and for a curve without a month', () => {
    expect(forwardLookup(null)).toBeNull()
    expect(forwardLookup(months())).toBeNull()
  })
})

describe('forward sets outside fuel.gas', () => {
  const forwardCoal: Assumptions = { ...base, sets: [...base.sets.filter((s) => s.target !== 'fuel.coal'), { target: 'fuel.coal', value: null, unit: '$/MMBtu', from: null, escalate: null, scenario: 'by hand' }] }

  it('a hand-built forward set on another target is an error naming it (the language never makes one)', () => {
    expect(() => setsFor(forwardCoal, 'fuel.coal')).toThrow('fuel.coal = forward (set by "by hand"): only fuel.gas can follow the forward curve')
    expect(() => runScenarioWith(withForward, forwardCoal)).toThrow(/only fuel\.gas can follow the forward curve/)
    const sets = forwardCoal.sets.filter((s) => s.target === 'fuel.coal')
    expect(() => valuePath(sets, MODEL_MONTHS, () => 1)).toThrow('fuel.coal = forward (set by "by hand") has no forward curve to follow')
  })
})

describe('the forward curve in the run identity', () => {
  const bundled = bundledFuelHistory().history
  const canonical = canonicalText(base)
  const runIdOn = (baseDataVersion: string) => runIdentity({ canonical, baseDataVersion, engineVersion: ENGINE_VERSION, mode: 'deterministic' }).runId
  /** A curve after the bundled history's last month. */
  const last = bundled.months.at(-1)!.month
  const after: ForwardGasCurve = { curve: 'GAS:HENRY_HUB', asOf: '2026-08-20', months: monthRange(addMonths(last, 1), '2050-12').map((month, i) => ({ month, price: 3.5 + i / 1000 })) }

  it('a run without a curve keeps exactly the version and run id it had before curves (the house base run among them)', () => {
    const none = modelContextFor(bundled, [], null)
    expect(none.ctx).toBe(modelContext())
    expect(none.forwardGasId).toBeNull()
    expect(none.baseDataVersion).toBe(BASE_DATA_VERSION)
    expect(baseDataVersionOf(FUEL_HISTORY_ID, null, null)).toBe(baseDataVersionOf(FUEL_HISTORY_ID))
    expect(baseRunIdentity().runId).toBe(runIdOn(BASE_DATA_VERSION))
  })

  it('a curve enters the base-data version, so the run id, and is named by its content', () => {
    const forward = modelContextFor(bundled, [], after)
    expect(forward.forwardGasId).toBe(forwardGasId(after))
    expect(forward.forwardGasId).toMatch(/^[0-9a-f]{16}$/)
    expect(forward.fuelHistoryId).toBe(FUEL_HISTORY_ID)
    expect(forward.baseDataVersion).toBe(baseDataVersionOf(FUEL_HISTORY_ID, null, forward.forwardGasId))
    expect(forward.baseDataVersion).not.toBe(BASE_DATA_VERSION)
    expect(runIdOn(forward.baseDataVersion)).not.toBe(runIdOn(BASE_DATA_VERSION))
    // The same content read again (another object) is the same id and the same context.
    const copy: ForwardGasCurve = JSON.parse(JSON.stringify(after))
    expect(modelContextFor(bundled, [], copy)).toBe(forward)
  })

  it('a different price of one month, or another as-of date, is another id and another run id', () => {
    const one = modelContextFor(bundled, [], after)
    const revised = modelContextFor(bundled, [], { ...after, months: after.months.map((m) => (m.month === '2031-02' ? { ...m, price: m.price + 0.01 } : m)) })
    expect(revised.forwardGasId).not.toBe(one.forwardGasId)
    expect(runIdOn(revised.baseDataVersion)).not.toBe(runIdOn(one.baseDataVersion))
    expect(forwardGasId({ ...after, asOf: '2026-08-21' })).not.toBe(one.forwardGasId)
    // The results carry the version: the run records what it ran on.
    expect(runScenarioWith(revised.ctx, noGasSet).baseData).toBe(revised.baseDataVersion)
  })
})

describe('checkForwardGas', () => {
  const m = (month: string, price: number) => ({ month, price })
  const curve = (months: { month: string; price: number }[], header: Partial<ForwardGasCurve> = {}): ForwardGasCurve => ({ curve: 'GAS:HENRY_HUB', asOf: '2026-08-20', months, ...header })
  it.each([
    ['a month that is not one', curve([m('2027-13', 3)]), /HH fwd: months\[0\]\.month "2027-13" is not a month \(YYYY-MM\)/],
    ['months out of order', curve([m('2027-02', 3), m('2027-01', 3)]), /HH fwd: months\[1\]\.month 2027-01 does not come after 2027-02/],
    ['a repeated month', curve([m('2027-02', 3), m('2027-02', 3)]), /HH fwd: months\[1\]\.month 2027-02 does not come after 2027-02/],
    ['a price that is not a number', curve([m('2027-02', Number.NaN)]), /HH fwd: months\[0\] \(2027-02\) price NaN is not a price/],
    ['an infinite price', curve([m('2027-02', Number.POSITIVE_INFINITY)]), /HH fwd: months\[0\] \(2027-02\) price Infinity is not a price/],
    ['an as-of that is no date', curve([], { asOf: '2026-8-20' }), /HH fwd: asOf "2026-8-20" is not a date \(YYYY-MM-DD\)/],
    ['a curve name with a line break', curve([], { curve: 'GAS:\nHH' }), /HH fwd: curve must be one non-empty line/],
  ])('refuses %s, naming it', (_what, forward, message) => {
    expect(() => checkForwardGas(forward, 'HH fwd')).toThrow(message)
    expect(() => modelContextFor(bundledFuelHistory().history, [], forward)).toThrow(RangeError)
  })

  it('takes a curve with no month (a scenario without a forward set is priced as without one) and a negative month', () => {
    expect(() => checkForwardGas(curve([m('2027-01', -0.5)]), 'HH fwd')).not.toThrow()
    const empty = createModelContext(MARKET_BASES, HISTORY, 'test', curve([]))
    expect(market(runScenarioWith(empty, noGasSet), 'MISO').gasPrice).toEqual(market(runScenarioWith(withoutForward, noGasSet), 'MISO').gasPrice)
  })
})
