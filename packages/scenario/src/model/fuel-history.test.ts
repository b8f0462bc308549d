import { describe, expect, it } from 'vitest'
import { runIdentity } from '../identity.ts'
import { canonicalText } from '../language/index.ts'
import type { FuelHistory } from './engine.ts'
import { baseDataVersionOf, BASE_DATA_VERSION, bundledFuelHistory, checkFuelHistory, ENGINE_VERSION, FUEL_HISTORY_ID, fuelHistoryId, modelContext, modelContextFor, runMonteCarloWith, runScenarioWith } from './index.ts'
import { baseAssumptions, market, resultDigest } from './test-support.ts'

// The model takes its Henry Hub history as data: the bundled workbook by default, any checked
// history through modelContextFor. A history is named by its content, and that name enters the
// base-data version a run id is made of.

const bundled = bundledFuelHistory()
const assumptions = baseAssumptions()
const canonical = canonicalText(assumptions)

/** The bundled history with the price of `month` replaced (a revised month). */
function revised(month: string, price: number): FuelHistory {
  return { release: bundled.history.release, months: bundled.history.months.map((m) => (m.month === month ? { month, price } : { ...m })) }
}

function runIdOn(history: FuelHistory): string {
  const { baseDataVersion } = modelContextFor(history)
  return runIdentity({ canonical, baseDataVersion, engineVersion: ENGINE_VERSION, mode: 'deterministic' }).runId
}

describe('the bundled history', () => {
  it('is the default context, named by its content', () => {
    const fuel = modelContextFor(bundled.history)
    expect(fuel.ctx).toBe(modelContext())
    expect(fuel.fuelHistoryId).toBe(FUEL_HISTORY_ID)
    expect(FUEL_HISTORY_ID).toBe(bundled.id)
    expect(BASE_DATA_VERSION).toBe(baseDataVersionOf(FUEL_HISTORY_ID))
    // The id of runs recorded before content ids: the file's bytes, not its content.
    expect(bundled.fileId).toMatch(/^[0-9a-f]{16}$/)
    expect(bundled.fileId).not.toBe(bundled.id)
    expect(bundled.history.months[0]).toEqual({ month: '1997-01', price: 3.45 })
  })
})

describe('a given history', () => {
  it('the same history read again (another object, same content) is the same id, context and results', () => {
    const copy: FuelHistory = JSON.parse(JSON.stringify(bundled.history))
    expect(fuelHistoryId(copy)).toBe(bundled.id)
    expect(modelContextFor(copy)).toBe(modelContextFor(bundled.history))
    const a = runScenarioWith(modelContextFor(copy).ctx, assumptions)
    const b = runScenarioWith(modelContextFor(bundled.history).ctx, assumptions)
    expect(resultDigest(a)).toBe(resultDigest(b))
    expect(runIdOn(copy)).toBe(runIdOn(bundled.history))
  })

  it('a revised month changes the gas price and power prices of that month, the ids and the run id', () => {
    const changed = revised('2025-03', 6.5)
    const fuel = modelContextFor(changed)
    expect(fuel.fuelHistoryId).not.toBe(FUEL_HISTORY_ID)
    expect(fuel.baseDataVersion).not.toBe(BASE_DATA_VERSION)
    expect(runIdOn(changed)).not.toBe(runIdOn(bundled.history))
    const before = runScenarioWith(modelContext(), assumptions)
    const after = runScenarioWith(fuel.ctx, assumptions)
    expect(after.baseData).toBe(fuel.baseDataVersion)
    const k = before.months.indexOf('2025-03')
    const miso = (r: typeof before) => market(r, 'MISO')
    expect(miso(before).gasPrice[k]).not.toBe(6.5)
    expect(miso(after).gasPrice[k]).toBe(6.5)
    expect(miso(after).hubs[0]!.onpeak[k]!).toBeGreaterThan(miso(before).hubs[0]!.onpeak[k]!)
    // Other months are untouched by that month's gas price.
    const j = before.months.indexOf('2030-06')
    expect(miso(after).hubs[0]!.onpeak[j]).toBe(miso(before).hubs[0]!.onpeak[j])
  })

  it('a new month extends the history: that month is priced from it, and it is a new id', () => {
    const last = bundled.history.months.at(-1)!
    const next = `${last.month.slice(0, 4)}-${String(Number(last.month.slice(5)) + 1).padStart(2, '0')}`
    const longer: FuelHistory = { release: '2026-09-18', months: [...bundled.history.months, { month: next, price: 2.5 }] }
    const fuel = modelContextFor(longer)
    expect(fuel.ctx.historyLast).toBe(next)
    expect(fuel.fuelHistoryId).not.toBe(FUEL_HISTORY_ID)
    const result = runScenarioWith(fuel.ctx, assumptions)
    expect(market(result, 'CAISO').gasPrice[result.months.indexOf(next)]).toBe(2.5)
  })

  it('the release is part of the content: a new release of the same prices is a new id with the same prices', () => {
    const rereleased: FuelHistory = { release: '2026-09-18', months: bundled.history.months }
    expect(fuelHistoryId(rereleased)).not.toBe(bundled.id)
    const a = runScenarioWith(modelContextFor(rereleased).ctx, assumptions)
    const b = runScenarioWith(modelContext(), assumptions)
    expect(market(a, 'MISO').hubs[0]!.onpeak).toEqual(market(b, 'MISO').hubs[0]!.onpeak)
    expect(a.baseData).not.toBe(b.baseData)
  })

  it('Monte Carlo bands on a given history are reproducible and follow it', () => {
    const changed = revised('2025-06', 7)
    const one = runMonteCarloWith(modelContextFor(changed).ctx, assumptions, { draws: 12, seed: 5 })
    const two = runMonteCarloWith(modelContextFor(revised('2025-06', 7)).ctx, assumptions, { draws: 12, seed: 5 })
    expect(resultDigest(one.result)).toBe(resultDigest(two.result))
    const k = one.result.months.indexOf('2025-06')
    expect(market(one.result, 'MISO').gasPrice[k]).toBe(7)
  })
})

describe('checkFuelHistory', () => {
  const m = (month: string, price: number) => ({ month, price })
  it.each([
    ['a month that is not one', { release: null, months: [m('2025-13', 3)] }, /months\[0\]\.month "2025-13" is not a month \(YYYY-MM\)/],
    ['months out of order', { release: null, months: [m('2025-02', 3), m('2025-01', 3)] }, /months\[1\]\.month 2025-01 does not come after 2025-02/],
    ['a repeated month', { release: null, months: [m('2025-02', 3), m('2025-02', 3)] }, /months\[1\]\.month 2025-02 does not come after 2025-02/],
    ['a negative price', { release: null, months: [m('2025-02', -1)] }, /months\[0\] \(2025-02\) price -1 is not a price/],
    ['a price that is not a number', { release: null, months: [m('2025-02', Number.NaN)] }, /months\[0\] \(2025-02\) price NaN is not a price/],
    ['a release with a line break', { release: '2026\n01', months: [] }, /release must be null or one non-empty line/],
  ])('refuses %s, naming it', (_what, history, message) => {
    expect(() => checkFuelHistory(history, 'stored HH')).toThrow(message)
    expect(() => modelContextFor(history)).toThrow(RangeError)
  })

  it('takes an empty history (every month from the scenario) and a null release', () => {
    expect(() => checkFuelHistory({ release: null, months: [] }, 'empty')).not.toThrow()
    expect(modelContextFor({ release: null, months: [] }).ctx.historyLast).toBeNull()
  })
})
