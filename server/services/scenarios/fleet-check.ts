import {
  BASE_SCENARIO_TEXT,
  checkFleet,
  inventoryFleet,
  SCENARIO_MARKETS,
  TECHNOLOGIES,
  type Assumptions,
  type InventoryTechnology,
  type ScenarioMarket,
} from '@carbon/scenario'
import { z } from 'zod'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { listSeries } from '../series/index.ts'
import { BASE_SCENARIO_NAME, checkText } from './engine.ts'
import { ScenarioId, type ScenarioAccess } from './schemas.ts'
import { getScenario } from './scenarios.ts'

/**
 * The fleet check (issue 18): a scenario's installed capacity per technology against the EIA-860M
 * generator inventory stored for the market's own balancing authority, with the `build`/`retire`
 * statements that would close the gap (packages/scenario fleet.ts says what is compared and when).
 * Nothing here changes a scenario or the model's base data: the user reads the check and adds the
 * statements they agree with to the scenario's text, so a run stays traceable to its text.
 *
 * The inventory: ClickHouse `series_values` as the series ingest stores `eia.860m.generators`
 * (product GRID, the market the balancing authority maps to), series `{BA}.CAPACITY.{TECHNOLOGY}`
 * of the market's own balancing authority only (a WEIM member such as PACW goes with CAISO on the
 * market page but is not in CAISO's balancing area, which the model's CAISO base data covers),
 * monthly `summer_capacity` and `nameplate_capacity`, read through the series catalogue
 * (parameterized). The latest month any of them holds is the inventory's month; a technology whose
 * latest value is older is no longer in the inventory (0 MW). No capacity series: no check (null).
 *
 * The fleet checked: a saved scenario's version (its canonical form, which resolves alone), or a
 * text with the parents it may extend (the hub's editor), by default the built-in base scenario
 * (what a new scenario extends): base data, announced retirements and the scenario's own builds
 * and retirements.
 */

/** Each scenario market's own balancing authority (its EIA-930 and EIA-860M respondent code), as fuel-inputs.ts DEMAND_SERIES. */
export const FLEET_RESPONDENTS: Readonly<Record<ScenarioMarket, string>> = { MISO: 'MISO', CAISO: 'CISO' }

const ScenarioMarketId = z.enum(SCENARIO_MARKETS)
const MonthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')

export const FleetCheckInput = z.object({
  market: ScenarioMarketId.describe('the market whose fleet is checked (the inventory is market data: your entitlement to it is checked)'),
  scenarioId: ScenarioId.optional().describe("the scenario whose fleet is checked (default: the built-in base scenario, what a new scenario extends)"),
  version: z.coerce.number().int().min(1).optional().describe("the scenario's version (default: the latest)"),
})
export type FleetCheckInput = z.infer<typeof FleetCheckInput>

export const FleetCheckRow = z.object({
  technology: z.enum(TECHNOLOGIES),
  modelMw: z.number().describe("the scenario's installed MW in the month the statements take effect"),
  summerMw: z.number().describe('EIA-860M operable net summer MW (what is compared: the MW a unit delivers at the summer peak)'),
  nameplateMw: z.number().describe('EIA-860M operable nameplate MW (shown beside it)'),
  gapMw: z.number().describe('summerMw - modelMw: above 0 the scenario has too little'),
  statement: z.string().nullable().describe('the build or retire statement that closes the gap (whole MW), null under 1 MW'),
})

export const NotModelled = z.object({
  technology: z.string().describe("EIA's technology (oil, biomass, geothermal, ...: not a technology of the model)"),
  summerMw: z.number(),
  nameplateMw: z.number(),
})

export const FleetInventoryCheck = z.object({
  month: MonthKey.describe("the inventory's month (the latest stored)"),
  at: MonthKey.describe('the month the statements take effect (the month after)'),
  rows: z.array(FleetCheckRow).describe('one per model technology'),
  statements: z.array(z.string()).describe('every row statement, one line each'),
  notModelled: z.array(NotModelled),
})
export type FleetInventoryCheck = z.infer<typeof FleetInventoryCheck>

export const FleetCheckMarket = z.object({
  market: ScenarioMarketId,
  respondent: z.string().describe('the balancing authority whose inventory is read'),
  check: FleetInventoryCheck.nullable().describe('null when no EIA-860M inventory of it is stored'),
})
export type FleetCheckMarket = z.infer<typeof FleetCheckMarket>

export const FleetScenario = z.object({
  id: z.uuid().nullable().describe('null: the built-in base scenario, or a text not saved'),
  name: z.string(),
  extends: z.string().nullable().describe('its parent scenario (null for a root such as base)'),
  version: z.number().int().nullable().describe('the saved version checked (null: the built-in base, or a text not saved)'),
})
export type FleetScenario = z.infer<typeof FleetScenario>

export const FleetCheckOutput = z.object({
  scenario: FleetScenario.describe('the scenario whose fleet is checked'),
  markets: z.array(FleetCheckMarket),
})
export type FleetCheckOutput = z.infer<typeof FleetCheckOutput>

/** A scenario to check, resolved. */
export type FleetSubject = { scenario: FleetScenario; assumptions: Assumptions }

/** The stored inventory of a market's balancing authority in its latest month, per EIA technology. */
export type StoredInventory = { respondent: string; month: string; technologies: InventoryTechnology[] }

type CapacityMeasure = 'summer_capacity' | 'nameplate_capacity'
const isCapacityMeasure = (measure: string): measure is CapacityMeasure => measure === 'summer_capacity' || measure === 'nameplate_capacity'

/**
 * The latest EIA-860M month stored for a market's own balancing authority, per technology (EIA's
 * words from the records' `technology` attribute, else the series id's last part); null when none.
 * A technology with only one of the two measures in that month counts 0 MW for the other.
 */
export async function storedInventory(ch: ClickHouseHandle, market: ScenarioMarket): Promise<StoredInventory | null> {
  const respondent = FLEET_RESPONDENTS[market]
  const prefix = `${respondent}.CAPACITY.`
  const { series } = await listSeries(ch, { product: 'GRID', market })
  const capacity = series.filter(
    (s) => s.series.startsWith(prefix) && s.attributes.respondent === respondent && s.frequency === 'month' && isCapacityMeasure(s.measure),
  )
  if (capacity.length === 0) return null
  const last = capacity.reduce((max, s) => (s.last > max ? s.last : max), capacity[0]!.last)
  const byTechnology = new Map<string, InventoryTechnology>()
  for (const s of capacity.filter((x) => x.last === last)) {
    const technology = s.attributes.technology ?? s.series.slice(prefix.length)
    const row = byTechnology.get(s.series) ?? { technology, summerMw: 0, nameplateMw: 0 }
    if (s.measure === 'summer_capacity') row.summerMw = s.lastValue
    else row.nameplateMw = s.lastValue
    byTechnology.set(s.series, row)
  }
  const technologies = [...byTechnology.values()].sort((a, b) => a.technology.localeCompare(b.technology))
  return { respondent, month: last.slice(0, 7), technologies }
}

/** One market's check against its stored inventory (null check when none is stored). */
async function marketCheck(ch: ClickHouseHandle, market: ScenarioMarket, assumptions: Assumptions): Promise<FleetCheckMarket> {
  const stored = await storedInventory(ch, market)
  if (!stored) return { market, respondent: FLEET_RESPONDENTS[market], check: null }
  try {
    const gap = checkFleet(market, inventoryFleet(stored.month, stored.technologies), assumptions)
    const rows = gap.rows.map((r) => ({ technology: r.technology, modelMw: r.modelMw, summerMw: r.inventoryMw, nameplateMw: r.nameplateMw, gapMw: r.gapMw, statement: r.statement }))
    return { market, respondent: stored.respondent, check: { month: gap.month, at: gap.at, rows, statements: gap.statements, notModelled: gap.notModelled } }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    throw new AppError('INTERNAL', `the stored EIA-860M inventory of ${stored.respondent} (${market}) cannot be checked: ${error.message}`, {
      userMessage: `The stored EIA-860M inventory of ${stored.respondent} cannot be compared with the model; an operator has to correct it.`,
      cause: error,
    })
  }
}

/** The fleet check of `markets` (in that order) for a resolved scenario. The caller has passed the gate for every market. */
export async function fleetCheck(ch: ClickHouseHandle, markets: readonly ScenarioMarket[], subject: FleetSubject): Promise<FleetCheckOutput> {
  const checked = await Promise.all(markets.map((market) => marketCheck(ch, market, subject.assumptions)))
  return FleetCheckOutput.parse({ scenario: subject.scenario, markets: checked })
}

/**
 * A text's assumptions with `parents` (name -> text, the scenarios it may extend; the built-in
 * base when none is named `base`), named by the text and, for a saved version, its id and version:
 * the fleet the scenario has. A text that does not resolve is a 400 naming its first problem as
 * file:line:col.
 */
export function fleetSubjectOfText(text: string, parents: readonly { name: string; text: string }[], saved: { id: string; version: number } | null = null): FleetSubject {
  const byName = new Map(parents.map((p) => [p.name, p.text]))
  const parentText = (name: string) => byName.get(name) ?? (name === BASE_SCENARIO_NAME ? BASE_SCENARIO_TEXT : undefined)
  const checked = checkText(text, parentText, { file: 'scenario' })
  if (!checked.assumptions || checked.name === null) {
    const first = checked.diagnostics[0]
    const where = first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : 'it does not resolve'
    throw AppError.badRequest(`the scenario's fleet cannot be checked: ${where}`, { problems: checked.diagnostics.length })
  }
  const scenario = { id: saved?.id ?? null, name: checked.name, extends: checked.extends, version: saved?.version ?? null }
  return { scenario, assumptions: checked.assumptions }
}

/**
 * The scenario the fleet check is asked for: a version of a scenario the caller sees (its
 * canonical form), else the built-in base scenario. A scenario the caller does not see is a 404.
 */
export async function fleetSubject(db: Database, access: ScenarioAccess, input: Pick<FleetCheckInput, 'scenarioId' | 'version'>): Promise<FleetSubject> {
  if (!input.scenarioId) return fleetSubjectOfText(BASE_SCENARIO_TEXT, [])
  const scenario = await getScenario(db, access, { id: input.scenarioId, version: input.version })
  return fleetSubjectOfText(scenario.canonical, [], { id: scenario.id, version: scenario.version })
}
