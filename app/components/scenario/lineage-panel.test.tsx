import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { GasForwardFact } from './lineage-panel.tsx'

/** The markup without React's text separators (`<!-- -->`), which say nothing about what is shown. */
const html = (node: Parameters<typeof renderToString>[0]) => renderToString(node).replaceAll('<!-- -->', '')

/**
 * The lineage's gas forward fact: the curve a run's `set fuel.gas = forward` followed (curve,
 * version, as-of date, months), or that the run used none. The whole panel holds router
 * links and is covered by tests/e2e/scenarios.e2e.test.ts.
 */

describe('GasForwardFact', () => {
  it('names the curve, its build version and as-of date, and the months it priced', () => {
    const forward = { id: '0f1e2d3c4b5a6978', name: 'Henry Hub gas', curveId: 'GAS:HENRY_HUB', version: 2, asOf: '2026-08-31', first: '2026-09', last: '2050-12', months: 292 }
    expect(html(<GasForwardFact forward={forward} />)).toBe(
      '<dd data-gas-forward="0f1e2d3c4b5a6978" title="Forward curve snapshot 0f1e2d3c4b5a6978 (GAS:HENRY_HUB)">Henry Hub gas v2 as of 2026-08-31 · 2026-09 to 2050-12 (292 months)</dd>',
    )
  })

  it('says the curve was not used when the scenario does not set fuel.gas = forward', () => {
    expect(html(<GasForwardFact forward={null} />)).toBe('<dd data-gas-forward="none">Not used: the scenario does not set fuel.gas = forward</dd>')
  })
})
