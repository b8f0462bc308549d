import { MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The contracts of the scenario service (server/services/scenarios) and of the `scenarios` procedures.
 *
 * Who calls: every service function takes the caller as `ScenarioAccess`, the same three facts the
 * curve service takes as its Requester:
 *   - `organizationId`: the caller's organization (a user's, a token's or a service client's). It owns
 *     what it saves and runs, and sees its own scenarios and runs plus the house ones. `null` is the
 *     platform itself (the house: the built-in `base` scenario and its run); no request ever has null.
 *   - `userId`: the person (null for a service client or the platform), stored as `created_by`.
 *   - `label`: how the audit log and the lineage name them (an email, a token name, '254Carbon').
 * Scenario texts are organization data (the owner's, or the house's for everyone signed in). Run
 * RESULTS are market data: `getRunResults` and `diffRuns` take the markets the caller named and was
 * entitled to on its channel (the procedure's gate or the hub loader checks that, and audits it).
 */
export type ScenarioAccess = { organizationId: string | null; userId: string | null; label: string }

/** How a house scenario or run names who made it (never a person). */
export const HOUSE_LABEL = '254Carbon'
/** The platform as a caller: writes house scenarios and runs. */
export const HOUSE_ACCESS: ScenarioAccess = { organizationId: null, userId: null, label: HOUSE_LABEL }

const MonthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
const Timestamp = z.iso.datetime()
/** A run id: the first 32 hex characters of the run identity's sha256 (packages/scenario identity.ts). */
export const RunId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'a run id: 32 lowercase hex characters')
  .describe('the run id: a hash of the canonical scenario, base-data version and engine version (and draws and seed for a Monte Carlo run)')
/** The runs ref `base`: the house base scenario's deterministic run on the current engine and base data. */
export const BASE_RUN_REF = 'base'
/** A run named by its id, or `base` (the house base run). */
export const RunRef = z
  .union([RunId, z.literal(BASE_RUN_REF)])
  .describe("a run id (32 hex characters), or 'base': the house base scenario's run on the current engine")
export const ScenarioId = z.uuid().describe('the scenario id')
/** The house base scenario's id: the same in every installation, so clients and examples can name it. */
export const HOUSE_BASE_ID = '00000000-0000-4000-8000-00000000ba5e'
/** A scenario text: at most 100,000 characters (a base scenario is a few hundred). */
export const ScenarioText = z.string().min(1, 'text: the scenario text is empty').max(100_000).describe('the scenario in the scenario language')

export const Owner = z
  .enum(['house', 'organization'])
  .describe("house: published by 254Carbon for everyone (the built-in base); organization: your organization's own")

export const RunStatusName = z.enum(['queued', 'running', 'done', 'failed'])
export type RunStatusName = z.infer<typeof RunStatusName>
export const RunMode = z.enum(['deterministic', 'montecarlo'])
export type RunMode = z.infer<typeof RunMode>

/** One problem of a scenario text (packages/scenario/src/language): where, the token, what is wrong. */
export const Diagnostic = z.object({
  file: z.string(),
  line: z.number().int().describe('1-based'),
  col: z.number().int().describe('1-based'),
  endLine: z.number().int(),
  endCol: z.number().int(),
  from: z.number().int().describe('0-based character offset'),
  to: z.number().int(),
  token: z.string(),
  message: z.string(),
  suggestion: z.string().optional(),
  severity: z.literal('error'),
})
export type Diagnostic = z.infer<typeof Diagnostic>

export const LastRun = z.object({ runId: z.string(), status: RunStatusName, finishedAt: Timestamp.nullable() })

export const ScenarioSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  owner: Owner,
  extends: z.string().nullable().describe('the parent scenario of the latest version (null for a root such as base)'),
  latestVersion: z.number().int(),
  updatedAt: Timestamp,
  lastRun: LastRun.nullable().describe('the latest run of any version you can see'),
})
export type ScenarioSummary = z.infer<typeof ScenarioSummary>

export const RunSummary = z.object({
  runId: z.string(),
  scenarioId: z.uuid(),
  scenarioName: z.string(),
  version: z.number().int(),
  owner: Owner,
  mode: RunMode,
  status: RunStatusName,
  progress: z.number().min(0).max(1),
  requestedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
})
export type RunSummary = z.infer<typeof RunSummary>

export const VersionSummary = z.object({
  version: z.number().int(),
  createdAt: Timestamp,
  createdByLabel: z.string().describe("who saved it ('254Carbon' for a house version)"),
  canonicalHash: z.string(),
})

export const ScenarioDetail = z.object({
  id: z.uuid(),
  name: z.string(),
  owner: Owner,
  extends: z.string().nullable(),
  version: z.number().int().describe('the version shown (default the latest)'),
  text: z.string().describe('the text as saved'),
  canonical: z.string().describe('the resolved assumptions in canonical form (what is hashed)'),
  canonicalHash: z.string(),
  versions: z.array(VersionSummary).describe('newest first'),
  runs: z.array(RunSummary).describe('runs of any version, newest first'),
})
export type ScenarioDetail = z.infer<typeof ScenarioDetail>

export const ListScenariosInput = z.object({})
export const ListScenariosOutput = z.object({ scenarios: z.array(ScenarioSummary) })

export const GetScenarioInput = z.object({
  id: ScenarioId,
  version: z.coerce.number().int().min(1).optional().describe('default: the latest version'),
})
export type GetScenarioInput = z.infer<typeof GetScenarioInput>

export const ValidateInput = z.object({ text: ScenarioText })
export const ValidateOutput = z.object({
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  canonical: z.string().nullable(),
  canonicalHash: z.string().nullable(),
})
export type ValidateOutput = z.infer<typeof ValidateOutput>

export const SaveInput = z.object({
  id: ScenarioId.optional().describe("the scenario to save a version of; default: your organization's scenario of the text's name, else a new one"),
  text: ScenarioText,
})
export type SaveInput = z.infer<typeof SaveInput>
export const SaveOutput = z.object({
  id: z.uuid(),
  version: z.number().int(),
  created: z.boolean().describe('false when the resolved (canonical) assumptions equal the latest version: no new version'),
})
export type SaveOutput = z.infer<typeof SaveOutput>

/** Monte Carlo draws a request may ask for. */
export const MAX_DRAWS = 2_000
export const DEFAULT_DRAWS = 200
export const DEFAULT_SEED = 1

export const RunRequestInput = z.object({
  scenarioId: ScenarioId,
  version: z.number().int().min(1).optional().describe('default: the latest version'),
  mode: RunMode.default('deterministic'),
  draws: z.number().int().min(10).max(MAX_DRAWS).optional().describe(`Monte Carlo draws (default ${DEFAULT_DRAWS})`),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe(`Monte Carlo seed (default ${DEFAULT_SEED})`),
})
export type RunRequestInput = z.input<typeof RunRequestInput>

export const LineageLink = z.object({
  name: z.string(),
  scenarioId: z.uuid(),
  versionId: z.uuid(),
  version: z.number().int(),
  canonicalHash: z.string(),
})
export type LineageLink = z.infer<typeof LineageLink>

/** A Henry Hub monthly history a run used (fuel-inputs.ts). */
export const FuelMonth = z.object({ month: MonthKey, price: z.number().min(0).describe('$/MMBtu') })

export const FuelSource = z.enum(['series', 'workbook']).describe('series: the stored dataset (GAS HENRY_HUB monthly); workbook: the EIA workbook bundled with the engine')

export const FuelSnapshot = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  source: FuelSource,
  release: z.string().nullable().describe('the workbook release date, or the date of the latest publication among the stored months'),
  workbookMonths: z.number().int().min(0).describe('months before the stored series\' first month, taken from the bundled workbook'),
  months: z.array(FuelMonth),
})
export type FuelSnapshot = z.infer<typeof FuelSnapshot>

/** What a run's lineage shows of its history beside the id: origin, release and span (no prices). */
export const FuelHistorySummary = z.object({
  source: FuelSource,
  release: z.string().nullable(),
  first: MonthKey.nullable(),
  last: MonthKey.nullable(),
  months: z.number().int().min(0),
  workbookMonths: z.number().int().min(0),
})
export type FuelHistorySummary = z.infer<typeof FuelHistorySummary>

/** One calendar month of measured representative days (packages/scenario load-shapes.ts). */
export const MeasuredMonth = z.object({
  month: z.number().int().min(1).max(12),
  peak: z.array(z.number()).length(24),
  off: z.array(z.number()).length(24),
  peakDays: z.number().int().min(0),
  offDays: z.number().int().min(0),
})

/** A market's hourly load shapes measured from its EIA-930 demand series. */
export const MeasuredLoad = z.object({
  market: z.enum(['MISO', 'CAISO']),
  series: z.string(),
  first: z.string(),
  last: z.string(),
  months: z.array(MeasuredMonth),
})

/** The load shapes a run used, when any market's were measured (fuel-inputs.ts). */
export const LoadShapesSnapshot = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/), loads: z.array(MeasuredLoad) })
export type LoadShapesSnapshot = z.infer<typeof LoadShapesSnapshot>

/** What a run's lineage shows of its measured load shapes: id, and per market the series, span and months (no values). */
export const LoadShapesSummary = z.object({
  id: z.string(),
  markets: z.array(z.object({ market: z.string(), series: z.string(), first: z.string(), last: z.string(), months: z.array(z.number().int()) })),
})
export type LoadShapesSummary = z.infer<typeof LoadShapesSummary>

/** One month of a Henry Hub forward curve a run used: $/MMBtu (a hub's forward is not bounded below). */
export const ForwardMonth = z.object({ month: MonthKey, price: z.number().describe('$/MMBtu') })

/**
 * The Henry Hub forward curve a run's `set fuel.gas = forward` followed (fuel-inputs.ts): the latest
 * house build of the GAS HENRY_HUB curve, its months after the history's last month through
 * 2050-12; only runs whose scenario sets `forward` have one. `id` is
 * the content id (packages/scenario `forwardGasId` of curve, as-of and months) that enters the
 * base-data version; build id and version say which build the months were read from.
 */
export const GasForwardSnapshot = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  curveId: z.string().describe('the curve, e.g. GAS:HENRY_HUB'),
  buildId: z.uuid(),
  version: z.number().int().min(1),
  asOf: z.iso.date(),
  months: z.array(ForwardMonth).min(1),
})
export type GasForwardSnapshot = z.infer<typeof GasForwardSnapshot>

/** What a run's lineage shows of its forward gas curve: the curve, build, as-of and the months it covered (no prices). */
export const GasForwardSummary = z.object({
  id: z.string(),
  curveId: z.string(),
  name: z.string().describe('the curve\'s name, e.g. "Henry Hub gas"'),
  buildId: z.string(),
  version: z.number().int(),
  asOf: z.string(),
  first: MonthKey,
  last: MonthKey,
  months: z.number().int().min(1),
})
export type GasForwardSummary = z.infer<typeof GasForwardSummary>

export const Lineage = z.object({
  chain: z.array(LineageLink).describe('the scenario version first, then its parent, up to the root (base)'),
  baseDataVersion: z.string().describe("sha256 prefix of the base-data tables, the fuel history id, and the measured load shapes' and forward gas curve's ids when the run has them: part of the run id"),
  fuelHistoryId: z.string().describe('sha256 prefix of the Henry Hub monthly history the run used (release, months, prices)'),
  fuelHistory: FuelHistorySummary.optional().describe('where that history came from and its span (runs recorded before snapshots have none)'),
  loadShapes: LoadShapesSummary.nullable().optional().describe('EIA-930 measured hourly load shapes the run used (null: the built-in shapes of every market)'),
  gasForward: GasForwardSummary.nullable()
    .optional()
    .describe(
      "the Henry Hub forward curve the run's `set fuel.gas = forward` priced gas with, after the history (beyond its last month, its last price); absent (or null) when the scenario does not set fuel.gas = forward: the run did not use a curve",
    ),
  engineVersion: z.string(),
  requestedByLabel: z.string(),
  requestedAt: Timestamp,
})
export type Lineage = z.infer<typeof Lineage>

export const SummaryRow = z.object({
  market: z.string(),
  hub: z.string(),
  block: z.string(),
  avg2030to2035: z.number().describe('hours-unweighted mean of the monthly prices 2030-01..2035-12, $/MWh'),
})
export type SummaryRow = z.infer<typeof SummaryRow>

export const RunStatus = z.object({
  runId: z.string(),
  owner: Owner,
  status: RunStatusName,
  progress: z.number().min(0).max(1),
  error: z.string().nullable(),
  mode: RunMode,
  draws: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  scenario: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
  inputsHash: z.string(),
  engineVersion: z.string(),
  baseDataVersion: z.string(),
  fuelHistoryId: z.string(),
  lineage: Lineage,
  requestedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  summary: z.array(SummaryRow).nullable(),
})
export type RunStatus = z.infer<typeof RunStatus>

export const GetRunInput = z.object({ runId: RunRef })
export const ListRunsInput = z.object({ scenarioId: ScenarioId.optional() })
export const ListRunsOutput = z.object({ runs: z.array(RunSummary) })

/** A month range of results: both ends inclusive, `YYYY-MM`. */
const MonthRange = {
  from: MonthKey.optional().describe('first month, YYYY-MM (default: the first the model computes)'),
  to: MonthKey.optional().describe('last month, YYYY-MM (default 2050-12)'),
}

export const ResultsInput = z
  .object({
    runId: RunRef,
    market: MarketId.describe('the market whose results you want (results are market data: your entitlement to it is checked)'),
    ...MonthRange,
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    error: (issue) => {
      const input = issue.input as { from: string; to: string }
      return `from ${input.from} is after to ${input.to}`
    },
    path: ['from'],
  })

export const PriceRow = z.object({
  market: z.string(),
  hub: z.string(),
  block: z.string(),
  month: MonthKey,
  price: z.number().describe('$/MWh (the deterministic run)'),
  p10: z.number(),
  p50: z.number(),
  p90: z.number().describe('Monte Carlo bands; equal to price on a deterministic run'),
})
export type PriceRow = z.infer<typeof PriceRow>
export const MixRow = z.object({
  market: z.string(),
  technology: z.string(),
  month: MonthKey,
  capacityMw: z.number(),
  generationMwh: z.number(),
})
export type MixRow = z.infer<typeof MixRow>
export const SystemRow = z.object({
  market: z.string(),
  month: MonthKey,
  loadMwh: z.number(),
  peakMw: z.number(),
  reserveMargin: z.number(),
})
export type SystemRow = z.infer<typeof SystemRow>

export const RunResults = z.object({
  runId: z.string(),
  prices: z.array(PriceRow).describe('by market, hub, block, month'),
  mix: z.array(MixRow).describe('by market, technology, month'),
  system: z.array(SystemRow).describe('by market, month'),
})
export type RunResults = z.infer<typeof RunResults>

export const DiffInput = z.object({
  a: RunRef.describe('the run compared against'),
  b: RunRef.describe('the other run: deltas are b - a'),
  market: MarketId.describe('the market whose prices are compared (your entitlement to it is checked)'),
})

export const AssumptionChange = z.object({
  target: z.string().describe('what the statements assign: a set target (fuel.gas) or a capacity change (build solar in MISO at 2028-06)'),
  a: z.string().nullable().describe("run a's canonical statement(s), null when absent"),
  b: z.string().nullable(),
})
export type AssumptionChange = z.infer<typeof AssumptionChange>
export const PriceDelta = z.object({
  market: z.string(),
  hub: z.string(),
  block: z.string(),
  month: MonthKey,
  a: z.number(),
  b: z.number(),
  delta: z.number().describe('b - a, $/MWh'),
  deltaPct: z.number().nullable().describe('(b - a) / |a| x 100; null when a is 0'),
})
export type PriceDelta = z.infer<typeof PriceDelta>
export const RunDiff = z.object({
  a: z.string(),
  b: z.string(),
  assumptions: z.array(AssumptionChange),
  prices: z.array(PriceDelta),
})
export type RunDiff = z.infer<typeof RunDiff>
