import { ENTITLED_PRODUCTS, MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The reports' data: what the data functions return, the HTML pages and the PDFs print. Every
 * $/MWh figure is rounded to 2 decimals by the data function (format.ts round), once.
 */

const DateKey = z.iso.date()
const Price = z.number().nullable().describe('$/MWh, rounded to 2 decimals; null when not stored')

export const NodeDay = z.object({
  node: z.string(),
  type: z.enum(['hub', 'zone']),
  da: Price.describe('day-ahead average of the day'),
  rt: Price.describe('real-time average of the day'),
  onPeak: Price.describe('day-ahead on-peak average'),
  offPeak: Price.describe('day-ahead off-peak average'),
  spread: Price.describe('DA minus RT average'),
  previousDa: Price.describe('day-ahead average of the day before'),
  change: Price.describe('da minus previousDa'),
})
export type NodeDay = z.infer<typeof NodeDay>

export const HubHours = z.object({
  node: z.string(),
  /** hour: hours since the start of the day in the market clock (0..24), lmp rounded. */
  points: z.array(z.object({ hour: z.number(), lmp: z.number() })),
})
export type HubHours = z.infer<typeof HubHours>

export const DatasetDayHealth = z.object({
  dataset: z.string(),
  run: z.string(),
  completeness: z.number().describe('percent, 1 decimal'),
  deliveredIntervals: z.number().int(),
  expectedIntervals: z.number().int(),
  expectedNodes: z.number().int(),
})
export type DatasetDayHealth = z.infer<typeof DatasetDayHealth>

export const MarketSummaryReport = z.object({
  kind: z.literal('market-summary'),
  market: MarketId,
  marketName: z.string(),
  date: DateKey,
  previousDate: DateKey,
  timeZone: z.string(),
  rtRun: z.string().nullable().describe('the real-time run the RT averages are of'),
  generatedAt: z.iso.datetime(),
  nodes: z.array(NodeDay).describe('hubs, then zones, with day-ahead prices that day'),
  movers: z.array(NodeDay).describe('largest absolute change of the DA average against the day before'),
  chart: z.array(HubHours),
  health: z.array(DatasetDayHealth),
  emptyMessage: z.string().nullable().describe('why there is nothing to show, when the day has no prices'),
})
export type MarketSummaryReport = z.infer<typeof MarketSummaryReport>

const Blocks = z.object({ onpeak: z.number(), offpeak: z.number(), atc: z.number() })

export const CurveReportRow = z.object({
  period: z.string(),
  first: z.string(),
  last: z.string(),
  onpeak: Price,
  offpeak: Price,
  atc: Price,
  compared: Blocks.nullable().describe('the compareTo curve of the period'),
  change: Blocks.nullable().describe('asOf minus compareTo'),
})
export type CurveReportRow = z.infer<typeof CurveReportRow>

export const CurveReport = z.object({
  kind: z.literal('curve'),
  market: MarketId,
  node: z.string(),
  name: z.string(),
  unit: z.string(),
  asOf: DateKey,
  version: z.number().int(),
  owner: z.enum(['house', 'organization']),
  compareTo: DateKey.nullable(),
  compareMessage: z.string().nullable().describe('why there is no comparison'),
  prior: z.string().describe('what the curve follows beyond the quotes'),
  quoteCount: z.number().int(),
  generatedAt: z.iso.datetime(),
  rows: z.array(CurveReportRow),
})
export type CurveReport = z.infer<typeof CurveReport>

export const ScenarioYearPrice = z.object({
  market: z.string(),
  hub: z.string(),
  year: z.number().int(),
  onpeak: z.number(),
  offpeak: z.number(),
  onpeakP10: z.number(),
  onpeakP50: z.number(),
  onpeakP90: z.number(),
  offpeakP10: z.number(),
  offpeakP50: z.number(),
  offpeakP90: z.number(),
})
export type ScenarioYearPrice = z.infer<typeof ScenarioYearPrice>

export const ScenarioMixYear = z.object({
  market: z.string(),
  technology: z.string(),
  year: z.number().int(),
  capacityGw: z.number().describe('December capacity, GW, 2 decimals'),
  generationTwh: z.number().describe('generation over the year, TWh, 2 decimals'),
})
export type ScenarioMixYear = z.infer<typeof ScenarioMixYear>

export const ScenarioReport = z.object({
  kind: z.literal('scenario'),
  runId: z.string(),
  scenario: z.object({ id: z.string(), name: z.string(), version: z.number().int() }),
  owner: z.enum(['house', 'organization']),
  mode: z.string(),
  draws: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  runDate: DateKey,
  generatedAt: z.iso.datetime(),
  markets: z.array(MarketId),
  text: z.string(),
  canonical: z.string(),
  prices: z.array(ScenarioYearPrice).describe('yearly means of the monthly prices, per market and hub'),
  bands: z.boolean().describe('true for a Monte Carlo run: the P10/P50/P90 columns are bands'),
  mixYears: z.array(z.number().int()),
  mix: z.array(ScenarioMixYear),
  lineage: z.object({
    inputsHash: z.string(),
    engineVersion: z.string(),
    baseDataVersion: z.string(),
    fuelHistoryId: z.string(),
    requestedBy: z.string(),
    requestedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    chain: z.array(z.object({ name: z.string(), version: z.number().int(), canonicalHash: z.string() })),
  }),
})
export type ScenarioReport = z.infer<typeof ScenarioReport>

const Product = z.enum(ENTITLED_PRODUCTS)
const Value = z.number().nullable().describe('in the series unit, rounded once (prices 2 decimals, basis 3); null when not stored')

/** A change against an earlier stored value: the date compared with and the difference. */
export const FuelChange = z.object({ against: z.string().nullable().describe('the earlier period: a date, a week by its last day, a month as YYYY-MM'), value: Value })
export type FuelChange = z.infer<typeof FuelChange>

export const HenryHubSummary = z.object({
  unit: z.string().nullable(),
  daily: z
    .object({ date: DateKey, price: z.number(), day: FuelChange, week: FuelChange, month: FuelChange })
    .nullable()
    .describe('the latest daily price on or before the date and its change against the stored day before, 7 days and a month before'),
  monthly: z.object({ month: z.string(), price: z.number(), change: FuelChange }).nullable().describe('the latest month that has ended by the date'),
})
export type HenryHubSummary = z.infer<typeof HenryHubSummary>

export const GasHubRow = z.object({
  series: z.string(),
  name: z.string(),
  date: DateKey,
  price: z.number(),
  unit: z.string(),
  henryHub: Value.describe('Henry Hub the same day'),
  basis: Value.describe('price minus Henry Hub the same day'),
  note: z.string().nullable().describe('why there is no basis'),
})
export type GasHubRow = z.infer<typeof GasHubRow>

export const LngRow = z.object({
  series: z.string(),
  weekEnding: DateKey,
  price: z.number(),
  unit: z.string(),
  henryHubAverage: Value.describe('the Henry Hub daily average of the same week'),
  henryHubDays: z.number().int().nullable(),
  basis: Value,
})
export type LngRow = z.infer<typeof LngRow>

export const FuelForward = z.object({
  name: z.string(),
  unit: z.string(),
  asOf: DateKey,
  version: z.number().int(),
  owner: z.enum(['house', 'organization']),
  rows: z.array(z.object({ period: z.string(), first: z.string(), last: z.string(), price: z.number() })),
})
export type FuelForward = z.infer<typeof FuelForward>

export const LcfsRow = z.object({
  cadence: z.enum(['week', 'month']),
  period: z.string().describe('week ending YYYY-MM-DD, or the month YYYY-MM'),
  price: Value,
  priceChange: FuelChange,
  volume: Value,
  transfers: Value,
  priceUnit: z.string().nullable(),
  volumeUnit: z.string().nullable(),
})
export type LcfsRow = z.infer<typeof LcfsRow>

export const RecRow = z.object({
  series: z.string(),
  state: z.string().nullable(),
  program: z.string().nullable(),
  class: z.string().nullable(),
  vintage: z.string().nullable(),
  date: DateKey,
  price: z.number(),
  unit: z.string(),
})
export type RecRow = z.infer<typeof RecRow>

export const FuelsReport = z.object({
  kind: z.literal('fuels'),
  date: DateKey,
  generatedAt: z.iso.datetime(),
  products: z.array(Product).describe('the products shown: those the reader is entitled to on the channel'),
  leftOut: z.array(Product).describe('the products the reader is not entitled to on the channel: their sections are left out'),
  henryHub: HenryHubSummary.nullable().describe('null without GAS'),
  chart: z.array(z.object({ date: DateKey, price: z.number() })).describe('Henry Hub daily prices of the 90 days to its latest price on or before the date'),
  hubs: z.array(GasHubRow).nullable(),
  forward: FuelForward.nullable(),
  forwardMessage: z.string().nullable().describe('why there is no forward curve'),
  lng: z.array(LngRow).nullable(),
  lcfs: z.array(LcfsRow).nullable(),
  recs: z.array(RecRow).nullable(),
  emptyMessage: z.string().nullable().describe('why there is nothing to show, when no product shown has a stored value'),
})
export type FuelsReport = z.infer<typeof FuelsReport>

export type ReportData = MarketSummaryReport | CurveReport | ScenarioReport | FuelsReport
