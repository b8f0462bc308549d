/**
 * The contract between the scenario language (src/language) and the fundamentals model (src/model).
 * The language turns text into `Assumptions` (resolved along the `extends` chain, canonical order);
 * the model turns `Assumptions` into prices, generation and capacity per market and month.
 *
 * Browser-safe: nothing here (or in src/language) imports a Node module, so the hub's editor runs the
 * same parser as the server.
 */

/** Markets the model covers. Every market added later plugs in with its base data (src/model/base). */
export const SCENARIO_MARKETS = ['MISO', 'CAISO'] as const
export type ScenarioMarket = (typeof SCENARIO_MARKETS)[number]

/** Technologies of the supply stack. */
export const TECHNOLOGIES = ['solar', 'wind', 'storage', 'gas_cc', 'gas_ct', 'coal', 'nuclear', 'hydro'] as const
export type Technology = (typeof TECHNOLOGIES)[number]

/** Units the language accepts; each target names the one unit it takes. */
export const UNITS = ['$/MMBtu', '$/t', '$/MWh', 'MW', '%/yr', '%'] as const
export type Unit = (typeof UNITS)[number]

/** A month, `YYYY-MM`. */
export type MonthKey = string

/** Blocks of the output. */
export type Block = 'onpeak' | 'offpeak'

/** The first and last month the model computes (results of every run cover exactly this range). */
export const MODEL_FIRST_MONTH: MonthKey = '2025-01'
export const MODEL_LAST_MONTH: MonthKey = '2050-12'

/**
 * What a `set` statement may assign: the target pattern, its unit, whether `from` and `escalate` are
 * allowed, and what it means. `<market>` stands for one of SCENARIO_MARKETS, `<tech>` for one of
 * TECHNOLOGIES. The language checks targets and units against this table and suggests the closest
 * target on a typo; the model reads the same targets.
 */
export type TargetSpec = {
  pattern: string
  unit: Unit
  /** false: the value is a rate and `escalate` makes no sense on it. */
  escalates: boolean
  /**
   * true: `forward` may stand for the number (`set fuel.gas = forward [from YYYY-MM]`): the value of
   * each month is then the run's Henry Hub forward curve (the latest house build, kept in the run's
   * lineage), not a number. Only `fuel.gas` has it: the only curve a run reads is Henry Hub's.
   */
  forward?: true
  description: string
}

export const SET_TARGETS: readonly TargetSpec[] = [
  { pattern: 'fuel.gas', unit: '$/MMBtu', escalates: true, forward: true, description: 'Henry Hub natural gas price' },
  { pattern: 'fuel.gas.basis.<market>', unit: '$/MMBtu', escalates: true, description: "delivered gas basis to Henry Hub in a market's region" },
  { pattern: 'fuel.coal', unit: '$/MMBtu', escalates: true, description: 'delivered coal price' },
  { pattern: 'fuel.oil', unit: '$/MMBtu', escalates: true, description: 'distillate fuel oil price' },
  { pattern: 'fuel.uranium', unit: '$/MMBtu', escalates: true, description: 'nuclear fuel cost' },
  { pattern: 'policy.carbon', unit: '$/t', escalates: true, description: 'CO2 price applied in every market' },
  { pattern: 'policy.carbon.<market>', unit: '$/t', escalates: true, description: "CO2 price in one market (overrides policy.carbon there)" },
  { pattern: 'load.<market>.growth', unit: '%/yr', escalates: false, description: 'annual growth of energy and peak load' },
  { pattern: 'load.<market>.peak', unit: 'MW', escalates: false, description: 'annual peak load (scales the hourly shape)' },
  { pattern: 'macro.inflation', unit: '%/yr', escalates: false, description: 'general inflation: escalates variable O&M and the scarcity cap' },
  { pattern: 'power.<market>.scarcity_cap', unit: '$/MWh', escalates: true, description: 'price at zero reserve margin' },
  { pattern: 'power.<market>.reserve_target', unit: '%', escalates: false, description: 'reserve margin below which the scarcity adder starts' },
  { pattern: 'power.<market>.<tech>.vom', unit: '$/MWh', escalates: true, description: 'variable O&M of a technology' },
]

/** Source position of a statement (1-based line and column), for lineage and messages. */
export type SourcePosition = { file: string; line: number; col: number }

/** The word that stands for a value taken from the run's forward curve (`set fuel.gas = forward`). */
export const FORWARD_VALUE = 'forward'

/** One `set` after resolution: `value` applies from `from` (MODEL_FIRST_MONTH when absent). */
export type SetAssumption = {
  /** Concrete target, e.g. `fuel.gas`, `load.MISO.growth`, `power.CAISO.gas_cc.vom`. */
  target: string
  /**
   * The value in `unit` (percentages as fractions), or null for `= forward` (only on a target whose
   * spec has `forward`, i.e. `fuel.gas`): each month's value is the run's Henry Hub forward curve.
   * One field, no separate flag: a set with a number is exactly the object (and JSON) it always was,
   * and no code can read a number from a forward set without first saying what null means.
   */
  value: number | null
  unit: Unit
  from: MonthKey | null
  /** Escalation after `from`, as a fraction per year (2 %/yr -> 0.02); null when not given (always null with `forward`). */
  escalate: number | null
  /** The scenario (in the extends chain) that set it. */
  scenario: string
}

/** One `build` or `retire` after resolution. */
export type CapacityChange = {
  kind: 'build' | 'retire'
  technology: Technology
  mw: number
  market: ScenarioMarket
  at: MonthKey
  scenario: string
}

/**
 * A scenario resolved along its `extends` chain: the child's `set` of a target replaces every
 * statement of its ancestors for that target; builds and retirements accumulate. Sorted canonically
 * (sets by target then from; changes by market, at, technology, kind, mw) so equal meaning gives equal
 * objects.
 */
export type Assumptions = {
  name: string
  /** Names from the root (`base`) to this scenario. */
  chain: string[]
  sets: SetAssumption[]
  changes: CapacityChange[]
}

/** True for a set whose value is the run's forward curve (`set fuel.gas = forward`). */
export function isForwardSet(set: SetAssumption): boolean {
  return set.value === null
}

/**
 * Whether a run of `assumptions` needs the Henry Hub forward curve: some `fuel.gas` set says
 * `forward`. A run that does not is computed (and identified) without the curve.
 */
export function usesForwardGas(assumptions: Assumptions): boolean {
  return assumptions.sets.some((s) => s.target === 'fuel.gas' && isForwardSet(s))
}

/** Hubs each market's prices are reported at (the curve hubs of server/services/curves/catalog.ts). */
export const SCENARIO_HUBS: Record<ScenarioMarket, readonly string[]> = {
  MISO: ['INDIANA.HUB', 'ILLINOIS.HUB'],
  CAISO: ['TH_SP15_GEN-APND', 'TH_NP15_GEN-APND'],
}

/**
 * A model run's output for one market. Arrays are indexed by month from MODEL_FIRST_MONTH to
 * MODEL_LAST_MONTH (`months` of the result), all numbers finite.
 */
export type MarketResult = {
  market: ScenarioMarket
  /** Prices per hub and block, $/MWh (nominal). */
  hubs: { hub: string; onpeak: Float64Array; offpeak: Float64Array }[]
  /** Monthly energy, MWh, and peak load, MW. */
  loadMwh: Float64Array
  peakMw: Float64Array
  /** Installed capacity (MW) and generation (MWh) per technology and month; storage generation is its discharge. */
  capacityMw: Record<Technology, Float64Array>
  generationMwh: Record<Technology, Float64Array>
  /** Reserve margin at the month's peak hour ((available capacity - peak) / peak). */
  reserveMargin: Float64Array
  /** Gas price used ($/MMBtu, Henry Hub, nominal) and carbon price ($/t). */
  gasPrice: Float64Array
  carbonPrice: Float64Array
}

export type ScenarioResult = {
  engine: string
  baseData: string
  months: MonthKey[]
  markets: MarketResult[]
}

/** P10/P50/P90 bands of a Monte Carlo run, per market, hub and block, indexed by month. */
export type Bands = {
  draws: number
  seed: number
  markets: {
    market: ScenarioMarket
    hubs: { hub: string; block: Block; p10: Float64Array; p50: Float64Array; p90: Float64Array }[]
  }[]
}
