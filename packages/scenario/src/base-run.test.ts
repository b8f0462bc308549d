import { describe, expect, it } from 'vitest'
import { runBaseScenario, resolveBase } from './base-run.ts'
import { runIdentity } from './identity.ts'
import { canonicalText } from './language/index.ts'
import { BASE_DATA_VERSION, ENGINE_VERSION } from './model/index.ts'
import { MODEL_FIRST_MONTH, MODEL_LAST_MONTH, SCENARIO_MARKETS } from './types.ts'

describe('the base run', () => {
  it('resolves the built-in text as the root scenario "base"', () => {
    const base = resolveBase()
    expect(base.name).toBe('base')
    expect(base.chain).toEqual(['base'])
    expect(base.sets.every((s) => s.scenario === 'base')).toBe(true)
  })

  it('runs once per process, identified by the canonical text, the base-data and engine versions', () => {
    const run = runBaseScenario()
    expect(runBaseScenario()).toBe(run)
    expect(run.canonical).toBe(canonicalText(resolveBase()))
    expect({ runId: run.runId, inputsHash: run.inputsHash }).toEqual(
      runIdentity({ canonical: run.canonical, baseDataVersion: BASE_DATA_VERSION, engineVersion: ENGINE_VERSION, mode: 'deterministic' }),
    )
    expect(run.result.engine).toBe(ENGINE_VERSION)
    expect(run.result.baseData).toBe(BASE_DATA_VERSION)
    expect(run.result.months[0]).toBe(MODEL_FIRST_MONTH)
    expect(run.result.months.at(-1)).toBe(MODEL_LAST_MONTH)
    expect(run.result.markets.map((m) => m.market)).toEqual([...SCENARIO_MARKETS])
  })
})
