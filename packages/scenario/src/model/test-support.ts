/**
 * Shared by the model's tests: the base scenario parsed by the language, a model context on a
 * synthetic gas history (so a test controls which months are history), assumption edits, and
 * byte-level serialization of results.
 */
import { createHash } from 'node:crypto'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { checkScenario } from '../language/index.ts'
import type { Assumptions, CapacityChange, MarketResult, ScenarioResult, SetAssumption } from '../types.ts'
import { MARKET_BASES } from './base/index.ts'
import { createModelContext, type ModelContext } from './engine.ts'

export function baseAssumptions(): Assumptions {
  const check = checkScenario(BASE_SCENARIO_TEXT, 'base.scenario', () => undefined)
  if (!check.assumptions) throw new Error(`base scenario does not parse: ${JSON.stringify(check.diagnostics.slice(0, 3))}`)
  return check.assumptions
}

/** A context whose Henry Hub history is `price` flat from 2020-01 to `last`. */
export function syntheticContext(last = '2024-12', price = 3): ModelContext {
  const months: { month: string; price: number }[] = []
  for (let y = 2020; ; y++) {
    for (let m = 1; m <= 12; m++) {
      const month = `${y}-${String(m).padStart(2, '0')}`
      months.push({ month, price })
      if (month === last) return createModelContext(MARKET_BASES, { release: '2025-01-01', months }, 'test')
    }
  }
}

/** `a` with every set of `set.target` replaced by `set`. */
export function withSet(a: Assumptions, set: Omit<SetAssumption, 'scenario'>): Assumptions {
  return { ...a, sets: [...a.sets.filter((s) => s.target !== set.target), { ...set, scenario: 'test' }] }
}

export function withChange(a: Assumptions, change: Omit<CapacityChange, 'scenario'>): Assumptions {
  return { ...a, changes: [...a.changes, { ...change, scenario: 'test' }] }
}

export function market(result: ScenarioResult, name: string): MarketResult {
  const m = result.markets.find((x) => x.market === name)
  if (!m) throw new Error(`no market ${name}`)
  return m
}

/** Mean of `values` over month indexes [from, to). */
export function mean(values: Float64Array, from = 0, to = values.length): number {
  let s = 0
  for (let k = from; k < to; k++) s += values[k]!
  return s / (to - from)
}

/** sha256 of every number of a result, in a fixed order, as IEEE-754 bytes. */
export function resultDigest(result: ScenarioResult): string {
  const hash = createHash('sha256')
  hash.update(`${result.engine}|${result.baseData}|${result.months.join(',')}`)
  const add = (a: Float64Array) => hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
  for (const m of result.markets) {
    hash.update(m.market)
    for (const h of m.hubs) {
      hash.update(h.hub)
      add(h.onpeak)
      add(h.offpeak)
    }
    add(m.loadMwh)
    add(m.peakMw)
    for (const t of Object.keys(m.capacityMw).sort()) add(m.capacityMw[t as keyof typeof m.capacityMw])
    for (const t of Object.keys(m.generationMwh).sort()) add(m.generationMwh[t as keyof typeof m.generationMwh])
    add(m.reserveMargin)
    add(m.gasPrice)
    add(m.carbonPrice)
  }
  return hash.digest('hex')
}
