/**
 * The demo's EIA-860M generator inventory (issue 18): monthly workbooks (August and September 2026
 * at first start) in the documented layout of the connectors' fixture (packages/connectors
 * series/eia860/sample.ts, whose builders make them), holding fleets of the size of the real MISO
 * and CAISO balancing areas. Imported as `@carbon/demo-data/capacity`, apart from the package's
 * entry: it resolves the scenario model's base scenario, which the price demo has no need of.
 *
 * Why generated and not the fixture: the fixture holds a handful of invented generators (a MISO
 * nuclear unit, one combined cycle, ...) so the reader's tests can name every row; against the
 * scenario model's fleet of tens of GW the fleet check would then suggest retiring nearly all of
 * it. The demo wants a believable picture: per model technology the net summer MW of the base
 * scenario's fleet in the month the check's statements take effect (the fleet a new scenario
 * extends: packages/scenario fleet.ts `fleetAt` on the built-in base scenario, as the server's
 * fleet check resolves it), but for a few deliberate gaps of a few hundred MW to 1.5 GW
 * ({@link DEMO_FLEET_GAPS}), so the check shows a short list of statements a user could agree
 * with. Beside them the technologies the model has none of (oil, biomass, landfill gas,
 * geothermal) at realistic small sizes, listed apart by the check.
 *
 * Why computed and not stored as a file: the targets follow the model's base data (a new base data
 * version moves them, and the designed gaps stay what they are). Why here and not in the server:
 * the publisher simulator (which depends on this package) can serve the same inventory, so a live
 * ingest of it does not replace the demo's with the fixture's handful of generators.
 *
 * Each technology is split into units of a realistic size (combined cycles of about 600 MW,
 * combustion turbines of 150, nuclear 1,100, ...), each unit a little different from the next
 * (a seeded sequence: the same bytes every time) and the units summing exactly to the target, so
 * the check's gaps are the designed ones to the MW. Nameplate is a few % above net summer, as
 * EIA's thermal units are. The plants, generators and entities are invented ("Demo ..."); the
 * fixture's generators of the other balancing authorities (PACW, ERCO, PJM) are kept, so the
 * CAISO (WEIM), ERCOT and PJM market pages have some capacity too. August is September without the
 * solar and battery units that came online in September, so the market page's change from the
 * previous month shows additions.
 */
import {
  buildXlsx,
  eia860mFileName,
  eia860mOperatingCells,
  EIA860M_OPERATING_SHEET,
  EIA860M_SAMPLE_GENERATORS,
  EIA860M_SAMPLE_HEADINGS,
  type CellSpec,
  type Eia860mSampleGenerator,
} from '@carbon/connectors'
import {
  BASE_SCENARIO_TEXT,
  checkScenario,
  fleetAt,
  statementMonth,
  TECHNOLOGIES,
  type Assumptions,
  type FleetMw,
  type ScenarioMarket,
  type Technology,
} from '@carbon/scenario'
import { hashString, mulberry32 } from './random.ts'

/** The inventory month the fleet check compares: the latest the demo stores. */
export const DEMO_INVENTORY_MONTH = '2026-09'

/** The months the demo stores an inventory of, oldest first. */
export const DEMO_INVENTORY_MONTHS = ['2026-08', DEMO_INVENTORY_MONTH] as const
export type DemoInventoryMonth = (typeof DEMO_INVENTORY_MONTHS)[number]

/**
 * The deliberate gaps, inventory minus the base scenario's fleet in the statement month (MW net
 * summer; the fleet check suggests `build` above 0, `retire` below). MISO: more wind online than
 * the base data's builds, gas steam and coal units EIA no longer counts operable. CAISO: solar
 * ahead of the base data, batteries behind the base scenario's build pace, a few peakers retired.
 */
export const DEMO_FLEET_GAPS: Readonly<Record<ScenarioMarket, Readonly<Partial<FleetMw>>>> = {
  MISO: { wind: 800, gas_ct: -450, coal: -1200 },
  CAISO: { solar: 1100, storage: -1500, gas_ct: -300 },
}

/** The fixture's balancing authorities whose generators the demo keeps (the others are there to be refused). */
export const DEMO_SAMPLE_BALANCING_AUTHORITIES: readonly string[] = ['PACW', 'ERCO', 'PJM']

/**
 * One EIA technology of a market's inventory: EIA's words, fuel and prime mover codes, the usual
 * unit size, nameplate over net summer, how many units a plant has, the plant names' last word.
 */
type UnitKind = {
  technology: string
  energySource: string
  primeMover: string
  unitMw: number
  nameplateRatio: number
  unitsPerPlant: number
  plantKind: string
}

/**
 * A model technology's part taken by one EIA technology: a fixed MW, a share of the target, or
 * (the last part of a technology) what is left.
 */
type Part = UnitKind & ({ fixedMw: number } | { share: number } | { rest: true })

const kind = (
  technology: string,
  [energySource, primeMover]: [string, string],
  unitMw: number,
  nameplateRatio: number,
  unitsPerPlant: number,
  plantKind: string,
): UnitKind => ({ technology, energySource, primeMover, unitMw, nameplateRatio, unitsPerPlant, plantKind })

const PV = kind('Solar Photovoltaic', ['SUN', 'PV'], 150, 1.03, 1, 'Solar')
const SOLAR_THERMAL = kind('Solar Thermal without Energy Storage', ['SUN', 'ST'], 130, 1.04, 3, 'Solar Thermal')
const WIND = kind('Onshore Wind Turbine', ['WND', 'WT'], 150, 1.02, 1, 'Wind')
const BATTERIES = kind('Batteries', ['MWH', 'BA'], 100, 1.01, 1, 'Storage')
const PUMPED = kind('Hydroelectric Pumped Storage', ['WAT', 'PS'], 350, 1.05, 3, 'Pumped Storage')
const CC = kind('Natural Gas Fired Combined Cycle', ['NG', 'CT'], 600, 1.07, 2, 'Energy Center')
const CT = kind('Natural Gas Fired Combustion Turbine', ['NG', 'GT'], 150, 1.09, 4, 'Peaking Station')
const GAS_STEAM = kind('Natural Gas Steam Turbine', ['NG', 'ST'], 400, 1.05, 2, 'Steam Station')
const ENGINES = kind('Natural Gas Internal Combustion Engine', ['NG', 'IC'], 40, 1.04, 4, 'Engine Plant')
const COAL = kind('Conventional Steam Coal', ['SUB', 'ST'], 600, 1.06, 2, 'Generating Station')
const NUCLEAR = kind('Nuclear', ['NUC', 'ST'], 1100, 1.04, 2, 'Nuclear')
const HYDRO = kind('Conventional Hydroelectric', ['WAT', 'HY'], 50, 1.03, 3, 'Hydro')
const OIL = kind('Petroleum Liquids', ['DFO', 'GT'], 50, 1.08, 2, 'Oil Peaker')
const WOOD = kind('Wood/Wood Waste Biomass', ['WDS', 'ST'], 40, 1.06, 1, 'Biomass')
const LANDFILL = kind('Landfill Gas', ['LFG', 'IC'], 10, 1.05, 2, 'Landfill Gas')
const GEOTHERMAL = kind('Geothermal', ['GEO', 'ST'], 50, 1.07, 3, 'Geothermal')

/** How each model technology's target is made of EIA technologies, per market (a technology of no part has 0 MW). */
const MODEL_PARTS: Readonly<Record<ScenarioMarket, Readonly<Partial<Record<Technology, readonly Part[]>>>>> = {
  MISO: {
    solar: [{ ...PV, rest: true }],
    wind: [{ ...WIND, rest: true }],
    storage: [
      { ...PUMPED, fixedMw: 2100 },
      { ...BATTERIES, rest: true },
    ],
    gas_cc: [{ ...CC, rest: true }],
    gas_ct: [
      { ...GAS_STEAM, share: 0.27 },
      { ...ENGINES, share: 0.05 },
      { ...CT, rest: true },
    ],
    coal: [{ ...COAL, rest: true }],
    nuclear: [{ ...NUCLEAR, rest: true }],
    hydro: [{ ...HYDRO, rest: true }],
  },
  CAISO: {
    solar: [
      { ...SOLAR_THERMAL, fixedMw: 390 },
      { ...PV, rest: true },
    ],
    wind: [{ ...WIND, rest: true }],
    storage: [
      { ...PUMPED, fixedMw: 1400 },
      { ...BATTERIES, rest: true },
    ],
    gas_cc: [{ ...CC, rest: true }],
    gas_ct: [
      { ...GAS_STEAM, share: 0.1 },
      { ...ENGINES, share: 0.15 },
      { ...CT, unitMw: 100, rest: true },
    ],
    nuclear: [{ ...NUCLEAR, rest: true }],
    hydro: [{ ...HYDRO, rest: true }],
  },
}

/** The technologies the model has none of, net summer MW per market (the check lists them apart). */
const NOT_MODELLED: Readonly<Record<ScenarioMarket, readonly { kind: UnitKind; summerMw: number }[]>> = {
  MISO: [
    { kind: OIL, summerMw: 1150 },
    { kind: WOOD, summerMw: 310 },
    { kind: LANDFILL, summerMw: 420 },
  ],
  CAISO: [
    { kind: GEOTHERMAL, summerMw: 1480 },
    { kind: WOOD, summerMw: 520 },
    { kind: LANDFILL, summerMw: 260 },
    { kind: { ...OIL, primeMover: 'IC', unitMw: 20 }, summerMw: 140 },
  ],
}

/** Units of these technologies that came online in September (the last ones of each), per market: August is without them. */
const SEPTEMBER_ADDITIONS: Readonly<Record<ScenarioMarket, Readonly<Record<string, number>>>> = {
  MISO: { [PV.technology]: 3, [BATTERIES.technology]: 2 },
  CAISO: { [PV.technology]: 4, [BATTERIES.technology]: 3 },
}

/** Where the plants are, their names' first word and their owners, per market. */
const MARKET_PLACES: Readonly<Record<ScenarioMarket, { states: readonly string[]; places: readonly string[]; entities: readonly string[] }>> = {
  MISO: {
    states: ['IN', 'IL', 'MI', 'MN', 'IA', 'WI', 'MO', 'AR', 'LA', 'MS', 'ND', 'KY'],
    places: ['Prairie', 'Lakeshore', 'Cornbelt', 'Bayou', 'River Bend', 'Oak Grove', 'Cedar', 'Driftless', 'Iron Range', 'Delta', 'Bluestem', 'Big Muddy', 'Northwoods', 'Sandhill'],
    entities: ['Demo Midwest Power', 'Demo Great Lakes Energy', 'Demo Delta Electric', 'Demo Prairie Renewables', 'Demo Heartland Generation', 'Demo River Valley Cooperative'],
  },
  CAISO: {
    states: ['CA'],
    places: ['Mojave', 'Central Valley', 'Sierra', 'Coastal', 'Imperial', 'Tehachapi', 'Sacramento', 'Bay', 'Kern', 'Shasta', 'Inland Empire', 'Salton'],
    entities: ['Demo Pacific Power', 'Demo Golden State Energy', 'Demo Sierra Utilities', 'Demo Desert Renewables', 'Demo Coastal Generation'],
  },
}

/** The second word of a plant's name once every place has a plant of the kind (none at first). */
const PLACE_FEATURES = ['', 'Ridge', 'Creek', 'Valley', 'Bluff', 'Springs', 'Point']

/** Each market's plant ids start here (the fixture's are 99,001 and on). */
const PLANT_ID_BASE: Readonly<Record<ScenarioMarket, number>> = { MISO: 70_001, CAISO: 80_001 }
const ENTITY_ID_BASE: Readonly<Record<ScenarioMarket, number>> = { MISO: 60_001, CAISO: 61_001 }

/** A demo generator: the fixture's row shape, and the month it came online. */
export type DemoGenerator = Eia860mSampleGenerator & { online: DemoInventoryMonth | null }

const tenths = (mw: number) => Math.round(mw * 10)

/**
 * `totalMw` split into units of about `unitMw` (at least one), each within ±15 % of the others'
 * mean, in tenths of a MW summing exactly to the total (largest remainders); none when the total
 * is 0. The same seed gives the same units.
 */
export function splitUnits(totalMw: number, unitMw: number, seed: string): number[] {
  const total = tenths(totalMw)
  if (total < 0 || !Number.isFinite(totalMw)) throw new RangeError(`demo capacity ${seed}: not a capacity to split (${totalMw} MW)`)
  if (total === 0) return []
  const count = Math.max(1, Math.round(totalMw / unitMw))
  const next = mulberry32(hashString(seed))
  const weights = Array.from({ length: count }, () => 0.85 + 0.3 * next())
  const weightSum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (total * w) / weightSum)
  const units = exact.map(Math.floor)
  const short = total - units.reduce((a, b) => a + b, 0)
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of byRemainder.slice(0, short)) units[i]! += 1
  return units.map((t) => t / 10)
}

/**
 * Each scenario market's own balancing authority, whose inventory the fleet check reads (the
 * server's fleet-check.ts FLEET_RESPONDENTS; its test holds the two equal).
 */
export const DEMO_RESPONDENTS: Readonly<Record<ScenarioMarket, string>> = { MISO: 'MISO', CAISO: 'CISO' }

/** The built-in base scenario resolved (it extends nothing): what a new scenario extends. */
export function baseScenarioAssumptions(): Assumptions {
  const check = checkScenario(BASE_SCENARIO_TEXT, 'base', () => undefined)
  if (!check.assumptions) {
    const first = check.diagnostics[0]
    throw new Error(`the built-in base scenario does not resolve: ${first ? `${first.line}:${first.col}: ${first.message}` : 'no assumptions'}`)
  }
  return check.assumptions
}

/** The base scenario's fleet in the month the fleet check's statements take effect (the month after the inventory's). */
export function baseScenarioFleet(market: ScenarioMarket, inventoryMonth: string = DEMO_INVENTORY_MONTH): FleetMw {
  return fleetAt(market, statementMonth(inventoryMonth), baseScenarioAssumptions())
}

/** The demo inventory's net summer MW per model technology: the base scenario's fleet plus the designed gap. */
export function demoFleetTargets(market: ScenarioMarket): FleetMw {
  const model = baseScenarioFleet(market)
  const gaps = DEMO_FLEET_GAPS[market]
  const targets = { ...model }
  for (const t of TECHNOLOGIES) {
    targets[t] = tenths(model[t] + (gaps[t] ?? 0)) / 10
    if (targets[t] < 0) throw new RangeError(`demo capacity ${market} ${t}: the gap ${gaps[t]} MW is more than the base scenario's ${model[t]} MW`)
    if (targets[t] > 0 && !MODEL_PARTS[market][t]) throw new RangeError(`demo capacity ${market} ${t}: ${targets[t]} MW but no EIA technology to hold it`)
  }
  return targets
}

/** A technology's target split into its EIA technologies' MW (fixed parts, then shares, the last part the rest). */
function partsMw(market: ScenarioMarket, technology: Technology, targetMw: number): { kind: UnitKind; summerMw: number }[] {
  const parts = MODEL_PARTS[market][technology] ?? []
  let left = tenths(targetMw)
  return parts.map((part) => {
    const mw = 'rest' in part ? left : Math.min(left, tenths('fixedMw' in part ? part.fixedMw : targetMw * part.share))
    left -= mw
    return { kind: part, summerMw: mw / 10 }
  })
}

const OPERATING = '(OP) Operating'
const STANDBY = '(SB) Standby/Backup: available for service but not normally used'

/** Thermal units gain in winter; the others are rated alike in both seasons. */
const WINTER_GAIN: Readonly<Record<string, number>> = { NG: 1.06, SUB: 1.03, NUC: 1.02, DFO: 1.05, WDS: 1.02, LFG: 1.02, GEO: 1.03 }

/** Builds one market's generators, numbering plants and entities as it goes. */
class FleetWriter {
  readonly generators: DemoGenerator[] = []
  private plant = 0

  private readonly plantsOfKind = new Map<string, number>()

  constructor(private readonly market: ScenarioMarket) {}

  /** "Demo Prairie Wind", then "Demo Prairie Ridge Wind", ..., then the same with " 2": unique per kind. */
  private plantName(plantKind: string): string {
    const { places } = MARKET_PLACES[this.market]
    const q = this.plantsOfKind.get(plantKind) ?? 0
    this.plantsOfKind.set(plantKind, q + 1)
    const feature = PLACE_FEATURES[Math.floor(q / places.length) % PLACE_FEATURES.length]
    const round = Math.floor(q / (places.length * PLACE_FEATURES.length))
    return ['Demo', places[q % places.length], feature, plantKind, round > 0 ? String(round + 1) : ''].filter(Boolean).join(' ')
  }

  /** `units` (net summer MW) of one EIA technology, grouped into plants; the last `added` of them came online in September. */
  add(k: UnitKind, units: readonly number[], added = 0): void {
    const { states, entities } = MARKET_PLACES[this.market]
    for (let first = 0; first < units.length; first += k.unitsPerPlant) {
      const p = this.plant++
      const plantName = this.plantName(k.plantKind)
      const entity = p % entities.length
      units.slice(first, first + k.unitsPerPlant).forEach((summerMw, u) => {
        const index = first + u
        const nameplateMw = tenths(summerMw * k.nameplateRatio) / 10
        // Every ninth gas steam unit and every eleventh engine is kept as standby: still operable, still counted.
        const standby = (k.technology === GAS_STEAM.technology && index % 9 === 8) || (k.technology === ENGINES.technology && index % 11 === 10)
        this.generators.push({
          entityId: ENTITY_ID_BASE[this.market] + entity,
          entityName: entities[entity]!,
          plantId: PLANT_ID_BASE[this.market] + p,
          plantName,
          state: states[p % states.length]!,
          ba: DEMO_RESPONDENTS[this.market],
          generatorId: `${k.primeMover}${u + 1}`,
          nameplateMw,
          summerMw,
          winterMw: tenths(Math.min(nameplateMw, summerMw * (WINTER_GAIN[k.energySource] ?? 1))) / 10,
          technology: k.technology,
          energySource: k.energySource,
          primeMover: k.primeMover,
          status: standby ? STANDBY : OPERATING,
          online: index >= units.length - added ? DEMO_INVENTORY_MONTH : null,
        })
      })
    }
  }
}

/** One market's demo generators of September (August: those whose `online` is null). */
export function demoMarketGenerators(market: ScenarioMarket): DemoGenerator[] {
  const targets = demoFleetTargets(market)
  const writer = new FleetWriter(market)
  for (const technology of TECHNOLOGIES) {
    for (const { kind: k, summerMw } of partsMw(market, technology, targets[technology])) {
      writer.add(k, splitUnits(summerMw, k.unitMw, `${market}|${k.technology}`), SEPTEMBER_ADDITIONS[market][k.technology] ?? 0)
    }
  }
  for (const { kind: k, summerMw } of NOT_MODELLED[market]) writer.add(k, splitUnits(summerMw, k.unitMw, `${market}|${k.technology}`))
  return writer.generators
}

/** The demo's own generators of September, MISO's then CAISO's (a month's are those online by then). */
export function demoGenerators(): DemoGenerator[] {
  return (['MISO', 'CAISO'] as const).flatMap(demoMarketGenerators)
}

const onlineBy = (month: DemoInventoryMonth) => (g: DemoGenerator) => g.online === null || g.online <= month

/** Every generator of a month's demo inventory: MISO's and CAISO's own, then the fixture's of the other balancing authorities. */
export function demoInventoryGenerators(month: DemoInventoryMonth, own: readonly DemoGenerator[] = demoGenerators()): Eia860mSampleGenerator[] {
  const others = EIA860M_SAMPLE_GENERATORS.filter((g) => DEMO_SAMPLE_BALANCING_AUTHORITIES.includes(g.ba))
  return [...own.filter(onlineBy(month)).map(({ online: _online, ...g }) => g), ...others]
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const columnOf = (heading: (typeof EIA860M_SAMPLE_HEADINGS)[number]) => String.fromCharCode(65 + EIA860M_SAMPLE_HEADINGS.indexOf(heading))
/** The row of the i-th generator in eia860mOperatingCells' layout (header in row 3). */
const generatorRow = (i: number) => 4 + i

/**
 * The Operating sheet of a month: the fixture's layout (eia860mOperatingCells), its title naming
 * the month and the demo, the demo's county, and for the units that came online in the month that
 * month (the fixture's builder writes January 2020 for every unit).
 */
function operatingCells(month: DemoInventoryMonth, own: readonly DemoGenerator[]): Record<string, CellSpec> {
  const mine = own.filter(onlineBy(month))
  const cells = eia860mOperatingCells(demoInventoryGenerators(month, own))
  const [year, m] = month.split('-').map(Number) as [number, number]
  cells.A2 = `Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form EIA-860), ${MONTH_NAMES[m - 1]} ${year} (254Carbon DEMO, invented generators)`
  // The demo's own generators come first, in the order written.
  mine.forEach((g, i) => {
    cells[`${columnOf('County')}${generatorRow(i)}`] = 'Demo County'
    if (g.online !== month) return
    cells[`${columnOf('Operating Month')}${generatorRow(i)}`] = m
    cells[`${columnOf('Operating Year')}${generatorRow(i)}`] = year
  })
  return cells
}

/** The statuses' sheets EIA has beside Operating (the demo's are empty, as the fixture's). */
const OTHER_SHEETS = ['Planned', 'Retired', 'Canceled or Postponed', 'Operating_PR', 'Planned_PR', 'Retired_PR']

/** EIA's file name of a demo month's workbook (`september_generator2026.xlsx`): the reader takes the month from it. */
export const demoInventoryFile = (month: DemoInventoryMonth) => eia860mFileName(month)

/** The bytes of a month's demo EIA-860M workbook. */
export function demoInventoryWorkbook(month: DemoInventoryMonth): Uint8Array {
  const empty: Record<string, CellSpec> = { A3: 'Entity ID' }
  return buildXlsx([
    { name: EIA860M_OPERATING_SHEET, cells: operatingCells(month, demoGenerators()) },
    ...OTHER_SHEETS.map((name) => ({ name, cells: empty })),
  ])
}
