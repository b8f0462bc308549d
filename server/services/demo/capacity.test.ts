import { fleetAt, SCENARIO_MARKETS, statementMonth } from '@carbon/scenario'
import { baseScenarioFleet, DEMO_INVENTORY_MONTH, DEMO_RESPONDENTS } from '@carbon/demo-data/capacity'
import { describe, expect, it } from 'vitest'
import { baseScenarioText } from '../scenarios/engine.ts'
import { FLEET_RESPONDENTS, fleetSubjectOfText } from '../scenarios/fleet-check.ts'

/*
 * The demo's EIA-860M inventory (@carbon/demo-data/capacity) is made against the base scenario's
 * fleet as that package resolves it; the hub's fleet check resolves the base scenario through the
 * scenario service. The two must be the same fleet, and the inventory written for the balancing
 * authorities the check reads, or the demo's designed gaps are not the ones the hub shows.
 */
describe("the demo inventory's base fleet", () => {
  it.each(SCENARIO_MARKETS)("%s: is the fleet the hub's fleet check resolves for the base scenario, in the month its statements take effect", (market) => {
    const { assumptions } = fleetSubjectOfText(baseScenarioText(), [])
    const checked = fleetAt(market, statementMonth(DEMO_INVENTORY_MONTH), assumptions)
    expect(baseScenarioFleet(market)).toEqual(checked)
    expect(Object.values(checked).reduce((a, b) => a + b, 0)).toBeGreaterThan(50_000)
  })

  it('is written for the balancing authorities the fleet check reads', () => {
    expect(DEMO_RESPONDENTS).toEqual(FLEET_RESPONDENTS)
  })
})
