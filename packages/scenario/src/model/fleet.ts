/**
 * The fleet check: the model's installed capacity per technology against an inventory of operable
 * generators (EIA-860M, the Preliminary Monthly Electric Generator Inventory, as the series ingest
 * stores it: MW per balancing authority and EIA technology), and the `build`/`retire` statements
 * that would make a scenario's fleet equal the inventory.
 *
 * Why statements and not a new fleet: the model's base data (base/, SOURCES.md) stays what a run is
 * identified by, and a run stays traceable to its text. The user reads the gap and adds the
 * statements they agree with to the scenario, where they are parsed, hashed and kept like any other.
 *
 * Which capacity is compared: EIA's net summer capacity. The model's capacity is the MW a unit can
 * deliver at the system's peak (the dispatch offers it and the reserve margin counts it at the
 * summer peak hour), which is what net summer capacity measures (output at the summer peak, net of
 * the station's own use); nameplate is the generator's rating and overstates thermal units in summer.
 * Nameplate is carried beside it for display.
 *
 * When: the inventory of month M is EIA's fleet as of M; the statements take effect the month
 * after (`statementMonth`), and the model's fleet compared is the fleet in force that month, so a
 * scenario with the statements has exactly the inventory's fleet from then on (until its later
 * builds and retirements move it again). Framework-free.
 */
import { isCombinedCycle, technologyFuel, type CapacityFuel } from '@carbon/connectors'
import { addMonths, monthIndex } from '@carbon/curves'
import { MODEL_FIRST_MONTH, MODEL_LAST_MONTH, TECHNOLOGIES, type Assumptions, type MonthKey, type ScenarioMarket, type Technology } from '../types.ts'
import { MARKET_BASES, type MarketBase } from './base/index.ts'
import { capacityPaths } from './engine.ts'

/** MW per model technology. */
export type FleetMw = Record<Technology, number>

/**
 * The model technology of each EIA-860M fuel group (packages/connectors `technologyFuel`, which
 * reads EIA's `Technology` words). Gas other than combined cycle (combustion turbines, steam
 * turbines, engines, compressed air) is the model's gas_ct: its peaking and mid-merit gas. Oil,
 * biomass, geothermal, waste and other technologies are not technologies of the model (its
 * `otherMustRunMw` and imports stand for them): they are listed apart by the check, never added
 * to a technology.
 */
const MODEL_TECHNOLOGY_OF_FUEL: Readonly<Record<CapacityFuel, Technology | null>> = {
  gas: 'gas_ct',
  coal: 'coal',
  nuclear: 'nuclear',
  hydro: 'hydro',
  wind: 'wind',
  solar: 'solar',
  storage: 'storage',
  oil: null,
  other: null,
}

/** Gaps smaller than this (MW) are left alone: no statement for rounding noise. */
export const FLEET_GAP_THRESHOLD_MW = 1

/** The model technology of an EIA-860M technology (case and spacing ignored), or null when the model has none for it. */
export function modelTechnologyOf(eiaTechnology: string): Technology | null {
  if (isCombinedCycle(eiaTechnology)) return 'gas_cc'
  return MODEL_TECHNOLOGY_OF_FUEL[technologyFuel(eiaTechnology)]
}

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/

function checkMonth(month: string, what: string): void {
  if (!MONTH_KEY.test(month)) throw new RangeError(`${what}: expected a month YYYY-MM, found ${JSON.stringify(month)}`)
}

function zeroFleet(): FleetMw {
  return Object.fromEntries(TECHNOLOGIES.map((t) => [t, 0])) as FleetMw
}

/** Assumptions with no statement: the base data alone. */
const NO_STATEMENTS: Assumptions = { name: 'base data', chain: [], sets: [], changes: [] }

/**
 * The installed capacity per technology a run of `assumptions` has in `month` in one market: the
 * base data's capacity at the end of its base year, its announced retirements and the scenario's
 * builds and retirements up to and including that month, at least 0 (the engine's own
 * capacityPaths, read at one month).
 */
export function fleetAt(market: ScenarioMarket, month: MonthKey, assumptions: Assumptions, bases: Record<ScenarioMarket, MarketBase> = MARKET_BASES): FleetMw {
  checkMonth(month, 'fleet month')
  const paths = capacityPaths(bases[market], assumptions, [month])
  const out = zeroFleet()
  for (const t of TECHNOLOGIES) out[t] = paths[t][0]!
  return out
}

/** The base data's fleet in `month`: start capacity and the announced (base) retirements up to that month, no scenario statement. */
export function baseFleetAt(market: ScenarioMarket, month: MonthKey, bases: Record<ScenarioMarket, MarketBase> = MARKET_BASES): FleetMw {
  return fleetAt(market, month, NO_STATEMENTS, bases)
}

/** The month a fleet check's statements take effect: the month after the inventory's, no earlier than the model's first month. */
export function statementMonth(inventoryMonth: MonthKey): MonthKey {
  checkMonth(inventoryMonth, 'inventory month')
  const next = addMonths(inventoryMonth, 1)
  const at = monthIndex(next) < monthIndex(MODEL_FIRST_MONTH) ? MODEL_FIRST_MONTH : next
  if (monthIndex(at) > monthIndex(MODEL_LAST_MONTH)) {
    throw new RangeError(`inventory month ${inventoryMonth}: its statements would take effect in ${at}, after the model's last month ${MODEL_LAST_MONTH}`)
  }
  return at
}

/** One EIA-860M technology of one balancing authority in the inventory's month: EIA's words and its operable MW. */
export type InventoryTechnology = { technology: string; summerMw: number; nameplateMw: number }

/** An inventory per model technology, with what the model has no technology for kept apart. */
export type FleetInventory = {
  month: MonthKey
  /** Net summer MW per model technology (the compared capacity). */
  summerMw: FleetMw
  nameplateMw: FleetMw
  /** EIA technologies outside the model (oil, biomass, geothermal, ...), by EIA's words. */
  notModelled: InventoryTechnology[]
}

const roundMw = (mw: number) => Math.round(mw * 1000) / 1000

/**
 * An inventory's technologies summed per model technology (modelTechnologyOf); the
 * others kept apart, summed per EIA technology, in EIA's words' order. A capacity that is not a
 * finite number is a RangeError naming the technology, the measure and the value.
 */
export function inventoryFleet(month: MonthKey, rows: readonly InventoryTechnology[]): FleetInventory {
  checkMonth(month, 'inventory month')
  const summerMw = zeroFleet()
  const nameplateMw = zeroFleet()
  const others = new Map<string, InventoryTechnology>()
  for (const row of rows) {
    for (const key of ['summerMw', 'nameplateMw'] as const) {
      if (!Number.isFinite(row[key])) throw new RangeError(`inventory ${month}, ${row.technology}: ${key} is not a number of MW (found ${String(row[key])})`)
    }
    const technology = modelTechnologyOf(row.technology)
    if (technology) {
      summerMw[technology] = roundMw(summerMw[technology] + row.summerMw)
      nameplateMw[technology] = roundMw(nameplateMw[technology] + row.nameplateMw)
      continue
    }
    const other = others.get(row.technology) ?? { technology: row.technology, summerMw: 0, nameplateMw: 0 }
    others.set(row.technology, { ...other, summerMw: roundMw(other.summerMw + row.summerMw), nameplateMw: roundMw(other.nameplateMw + row.nameplateMw) })
  }
  const notModelled = [...others.values()].sort((a, b) => a.technology.localeCompare(b.technology))
  return { month, summerMw, nameplateMw, notModelled }
}

/** One technology of a fleet check. */
export type FleetGapRow = {
  technology: Technology
  /** The model's MW in the statement month. */
  modelMw: number
  /** EIA-860M net summer MW (compared) and nameplate MW (shown). */
  inventoryMw: number
  nameplateMw: number
  /** inventoryMw - modelMw: above 0 the model has too little. */
  gapMw: number
  /** The statement that closes the gap, or null when it is below the threshold. */
  statement: string | null
}

export type FleetGap = {
  market: ScenarioMarket
  /** The inventory's month and the month the statements take effect. */
  month: MonthKey
  at: MonthKey
  rows: FleetGapRow[]
  /** Every row's statement, in TECHNOLOGIES order. */
  statements: string[]
  notModelled: InventoryTechnology[]
}

/** The statement that moves a technology's capacity by `gapMw` (rounded to whole MW), or null under the threshold. */
export function gapStatement(market: ScenarioMarket, technology: Technology, gapMw: number, at: MonthKey, thresholdMw = FLEET_GAP_THRESHOLD_MW): string | null {
  const mw = Math.round(Math.abs(gapMw))
  if (Math.abs(gapMw) < thresholdMw || mw === 0) return null
  return `${gapMw > 0 ? 'build' : 'retire'} ${technology} ${mw} MW in ${market} at ${at}`
}

/**
 * The gap per technology between the model's fleet and an inventory, with the statements that
 * close it. `model` is the fleet in force in the statement month (`statementMonth(inventory.month)`;
 * checkFleet reads it so), the inventory's net summer MW the target; a total below 0 counts as 0.
 */
export function fleetGap(market: ScenarioMarket, model: FleetMw, inventory: FleetInventory, options: { thresholdMw?: number } = {}): FleetGap {
  const at = statementMonth(inventory.month)
  const rows = TECHNOLOGIES.map((technology): FleetGapRow => {
    const modelMw = roundMw(model[technology])
    const inventoryMw = Math.max(0, inventory.summerMw[technology])
    const gapMw = roundMw(inventoryMw - modelMw)
    return {
      technology,
      modelMw,
      inventoryMw,
      nameplateMw: inventory.nameplateMw[technology],
      gapMw,
      statement: gapStatement(market, technology, gapMw, at, options.thresholdMw),
    }
  })
  const statements = rows.flatMap((r) => (r.statement === null ? [] : [r.statement]))
  return { market, month: inventory.month, at, rows, statements, notModelled: inventory.notModelled }
}

/**
 * The fleet check of one market: the fleet of `assumptions` (default: the base data alone) in the
 * month after the inventory's, against the inventory.
 */
export function checkFleet(
  market: ScenarioMarket,
  inventory: FleetInventory,
  assumptions: Assumptions = NO_STATEMENTS,
  options: { thresholdMw?: number; bases?: Record<ScenarioMarket, MarketBase> } = {},
): FleetGap {
  const model = fleetAt(market, statementMonth(inventory.month), assumptions, options.bases)
  return fleetGap(market, model, inventory, { thresholdMw: options.thresholdMw })
}
