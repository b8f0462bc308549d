import { SCENARIO_MARKETS } from '@carbon/scenario'
import type { AppLoadContext } from '@remix-run/node'
import { accessData } from '#app/utils/data-access.server.ts'
import { orRespond } from '#app/utils/http.server.ts'
import { fleetCheck, fleetSubjectOfText, type FleetCheckOutput } from '#server/services/scenarios/fleet-check.ts'
import type { ParentText } from '#app/components/scenario/scenario-check.ts'

/**
 * The editor pages' fleet check (app/components/scenario/fleet-check.tsx) through the hub's door: accessData on the hub
 * channel, the scenario markets the user's organization is entitled to there (the inventory is
 * market data; a market it may not see is not read), one audit row naming them before the data
 * leaves, as the overview does for its markets. The scenario service (server/services/scenarios
 * fleet-check.ts) reads the stored EIA-860M inventory and compares.
 */

/**
 * What is checked: the text the page shows with the parents it may extend (the new-scenario
 * page's starter text), or a saved version's canonical form (which resolves alone) with its id
 * and version.
 */
export type FleetCheckSubject = { text: string; parents: readonly ParentText[]; saved?: { id: string; version: number } }

export async function loadFleetCheck(request: Request, context: AppLoadContext, subject: FleetCheckSubject): Promise<FleetCheckOutput> {
  const access = await accessData(request, context, { procedure: 'hub:scenario-fleet-check' })
  const markets = SCENARIO_MARKETS.filter((m) => access.entitled.includes(m))
  const resolved = await orRespond(Promise.resolve().then(() => fleetSubjectOfText(subject.text, subject.parents, subject.saved ?? null)))
  const answer = await orRespond(fleetCheck(access.platform.ch, markets, resolved))
  await access.served({
    details: {
      markets,
      inventories: answer.markets.map((m) => ({ market: m.market, respondent: m.respondent, month: m.check?.month ?? null })),
      scenarioId: resolved.scenario.id,
      version: resolved.scenario.version,
    },
  })
  return answer
}
