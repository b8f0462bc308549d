import type { ScenarioPrior } from '@carbon/curves'
import { baseRunIdentity, runBaseScenario, SCENARIO_HUBS, SCENARIO_MARKETS, type ScenarioMarket } from '@carbon/scenario'
import type { MarketId } from '@carbon/schemas'
import { and, eq, isNull, or } from 'drizzle-orm'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { scenarioRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { ScenarioRunId } from './schemas.ts'

/**
 * The prior of a curve build: a fundamentals scenario run's monthly prices at the curve's hub
 * (docs/decisions/011-curve-prior-from-scenarios.md). By default the built-in base scenario, run in
 * this process (memoized by packages/scenario; its run id is the stored base run's); on request any
 * stored run the requester's organization sees (its own or a house run) that is done, its prices read
 * from ClickHouse `scenario_prices`. packages/curves meets the prices with the quotes.
 */

/**
 * Hub nodes the model does not price, mapped to the nearest hub it does (by geography):
 * Michigan sits next to Indiana; Minnesota and MISO South (Arkansas, Louisiana, Mississippi,
 * Texas) are nearer Illinois (the MISO Central hub west of Indiana); CAISO's ZP26 lies between NP15
 * and SP15 on the south side of Path 15 and settles near SP15. Any other hub of a modelled market
 * takes the market's first hub.
 */
export const NEAREST_SCENARIO_HUB: Readonly<Record<string, string>> = {
  'MISO:MICHIGAN.HUB': 'INDIANA.HUB',
  'MISO:MINN.HUB': 'ILLINOIS.HUB',
  'MISO:ARKANSAS.HUB': 'ILLINOIS.HUB',
  'MISO:LOUISIANA.HUB': 'ILLINOIS.HUB',
  'MISO:MS.HUB': 'ILLINOIS.HUB',
  'MISO:TEXAS.HUB': 'ILLINOIS.HUB',
  'CAISO:TH_ZP26_GEN-APND': 'TH_SP15_GEN-APND',
}

function isScenarioMarket(market: MarketId): market is ScenarioMarket {
  return (SCENARIO_MARKETS as readonly string[]).includes(market)
}

/** The scenario hub whose prices a curve of this market and hub takes; null when the model does not cover the market. */
export function scenarioHubOf(market: MarketId, node: string): string | null {
  if (!isScenarioMarket(market)) return null
  const hubs = SCENARIO_HUBS[market]
  if (hubs.includes(node)) return node
  return NEAREST_SCENARIO_HUB[`${market}:${node}`] ?? hubs[0] ?? null
}

/** The built-in base scenario's run id (its identity only: the model does not run for it). */
export function baseRunId(): string {
  return baseRunIdentity().runId
}

/** Which run a build's prior comes from, and whether it is the base run. */
export type PriorRun = { runId: string; base: boolean }

/**
 * The run a build request's prior comes from: the base run when none is named, else the named run,
 * which must exist for the requester (its organization's or a house run: another organization's run
 * is answered like one that does not exist) and be done.
 */
export async function resolvePriorRun(db: Database, requested: string | undefined, requester: { organizationId: string | null }): Promise<PriorRun> {
  const base = baseRunId()
  if (requested === undefined || requested === base) return { runId: base, base: true }
  if (!ScenarioRunId.safeParse(requested).success) throw new AppError('BAD_REQUEST', `priorRunId ${JSON.stringify(requested)} is not a scenario run id`, { details: { field: 'priorRunId', value: requested } })
  const owner = requester.organizationId ? or(eq(scenarioRuns.organizationId, requester.organizationId), isNull(scenarioRuns.organizationId)) : isNull(scenarioRuns.organizationId)
  const runs = await db
    .select({ status: scenarioRuns.status, mode: scenarioRuns.mode })
    .from(scenarioRuns)
    .where(and(eq(scenarioRuns.runId, requested), owner))
  if (runs.length === 0) throw AppError.notFound(`Scenario run ${requested}`, { field: 'priorRunId', value: requested })
  if (!runs.some((r) => r.status === 'done')) {
    const status = runs[0]!.status
    throw new AppError('BAD_REQUEST', `scenario run ${requested} is ${status}, not done: a curve prior needs a finished run`, {
      details: { field: 'priorRunId', value: requested, status },
    })
  }
  return { runId: requested, base: false }
}

type PriceRow = { block: string; month_key: string; price: number }

const PRICES_SQL = `
SELECT block, formatDateTime(month, '%Y-%m') AS month_key, price
FROM scenario_prices
WHERE run_id = {runId:String} AND market = {market:String} AND hub = {hub:String} AND block IN ('onpeak', 'offpeak')
ORDER BY block, month_key
LIMIT 1 BY block, month_key`

function consecutive(months: string[]): boolean {
  for (let i = 1; i < months.length; i++) {
    const [y, m] = months[i - 1]!.split('-').map(Number) as [number, number]
    const expected = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
    if (months[i] !== expected) return false
  }
  return true
}

/** Why a run's prices cannot be a prior (a run without complete prices for the hub): the build fails with it. */
export type PriorProblem = { problem: string }

/** A stored run's prices for one hub, from ClickHouse, or the problem with them. */
async function storedRunPrices(ch: ClickHouseHandle, runId: string, market: MarketId, hub: string): Promise<ScenarioPrior | PriorProblem> {
  const rows = await queryRows<PriceRow>(ch, 'curves.prior', PRICES_SQL, { runId, market, hub })
  const on = rows.filter((r) => r.block === 'onpeak')
  const off = rows.filter((r) => r.block === 'offpeak')
  const months = on.map((r) => r.month_key)
  if (on.length === 0 || on.length !== off.length || !consecutive(months) || off.some((r, i) => r.month_key !== months[i])) {
    return { problem: `scenario run ${runId} has no complete monthly on-peak and off-peak prices for ${market} ${hub} (${on.length} on-peak, ${off.length} off-peak months)` }
  }
  return { runId, hub, firstMonth: months[0]!, onpeak: on.map((r) => Number(r.price)), offpeak: off.map((r) => Number(r.price)) }
}

/** The base run's prices for one hub, computed in this process. */
function baseRunPrices(market: ScenarioMarket, hub: string): ScenarioPrior | PriorProblem {
  const { runId, result } = runBaseScenario()
  const prices = result.markets.find((m) => m.market === market)?.hubs.find((h) => h.hub === hub)
  if (!prices || result.months.length === 0) return { problem: `the base scenario run ${runId} has no prices for ${market} ${hub}` }
  return { runId, hub, firstMonth: result.months[0]!, onpeak: Array.from(prices.onpeak), offpeak: Array.from(prices.offpeak) }
}

/**
 * The prices a build's prior takes: the run's for the curve's hub (or the nearest modelled hub);
 * null when the run is null (a build from before scenario priors) or the model does not cover the
 * market (the escalation prior then); a problem when the run lacks them. A store that does not
 * answer throws (the solver's message is delivered again).
 */
export async function loadScenarioPrior(ch: ClickHouseHandle, runId: string | null, market: MarketId, node: string): Promise<ScenarioPrior | PriorProblem | null> {
  const hub = scenarioHubOf(market, node)
  if (runId === null || hub === null || !isScenarioMarket(market)) return null
  return runId === baseRunId() ? baseRunPrices(market, hub) : storedRunPrices(ch, runId, market, hub)
}
