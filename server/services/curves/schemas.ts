import { isSanePrice, MAX_ABS_PRICE } from '@carbon/curves'
import { MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The contracts of the curve procedures (curves.list/get/history/compare/build). A curve is named
 * by its market and hub node, so the one access gate reads the market from every input.
 */

const NodeName = z.string().min(1).max(128)
const IsoDate = z.iso.date()
const MonthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')

/** Today's date in UTC: no market's trade date is later (the Americas are behind UTC). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}

/** Why an as-of date cannot be built, or null: a curve is built as of a trade date that has happened. */
export function futureAsOfProblem(asOf: string, now: Date = new Date()): string | null {
  const today = todayUtc(now)
  return asOf > today ? `asOf ${asOf} is in the future (today is ${today} UTC): a curve is built as of a past or current trade date` : null
}

/** A build's as-of date: a date, not in the future. */
export const BuildAsOf = IsoDate.superRefine((asOf, ctx) => {
  const problem = futureAsOfProblem(asOf)
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: asOf })
})

/** A price in $/MWh within ±MAX_ABS_PRICE (a value like -1e308 stopped the solver for everyone). */
const Price = (field: 'price' | 'bid' | 'ask') =>
  z.number().refine(isSanePrice, { error: (issue) => `${field} ${String(issue.input)} $/MWh is outside -${MAX_ABS_PRICE}..${MAX_ABS_PRICE} $/MWh` })

export const CurveBlock = z.enum(['onpeak', 'offpeak', 'atc'])
export type CurveBlock = z.infer<typeof CurveBlock>

export const Granularity = z
  .enum(['monthly', 'quarterly', 'annual', 'standard'])
  .describe('standard: quarters for the first ten years, calendar years beyond')
export type Granularity = z.infer<typeof Granularity>

export const CurveRef = z.object({
  market: MarketId,
  node: NodeName.describe('the hub pricing node, e.g. INDIANA.HUB'),
})

const BlockPrices = z.object({ onpeak: z.number(), offpeak: z.number(), atc: z.number() })

export const CurvePoint = z.object({
  period: z.string().describe('2027-01 (month), 2027-Q3 (quarter) or Cal-2030 (calendar year)'),
  first: MonthKey,
  last: MonthKey,
  months: z.number().int().describe('delivery months aggregated (fewer than the period has when it starts before the curve)'),
  onpeak: z.number(),
  offpeak: z.number(),
  atc: z.number(),
  hours: z.object({ onpeak: z.number().int(), offpeak: z.number().int(), atc: z.number().int() }),
})
export type CurvePoint = z.infer<typeof CurvePoint>

export const StoredQuote = z.object({
  contract: z.string(),
  block: CurveBlock,
  price: z.number(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  first: MonthKey,
  last: MonthKey,
  repriced: z.number().nullable().describe("the hours-weighted average of the built curve over the contract (null until built)"),
})
export type StoredQuote = z.infer<typeof StoredQuote>

export const BuildSummary = z.object({
  id: z.uuid(),
  market: MarketId,
  node: z.string(),
  asOf: IsoDate,
  version: z.number().int(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  source: z.string(),
  inputsHash: z.string(),
  method: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  diagnostics: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  firstMonth: z.string().nullable(),
  lastMonth: z.string().nullable(),
  quoteCount: z.number().int(),
  prior: z
    .object({
      kind: z.enum(['scenario', 'escalation']),
      runId: z.string().nullable().describe('the scenario run whose prices are the prior (null: the escalation placeholder of builds made before scenario priors)'),
      base: z.boolean().describe('true when that run is the built-in base scenario'),
      hub: z.string().nullable().describe("the scenario hub whose prices are used (the curve's hub, or the nearest hub the model prices)"),
    })
    .describe('the prior the curve follows where quotes say nothing: beyond the quoted tenor and within strips'),
  owner: z.enum(['house', 'organization']).describe("house: published by 254Carbon for everyone entitled to the market; organization: your organization's own build"),
  requestedBy: z.string().describe("who built it: '254Carbon' for a house build, else the person or token of your organization"),
  requestedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
})
export type BuildSummary = z.infer<typeof BuildSummary>

export const CurveListInput = z.object({ market: MarketId.optional() })
export const CurveSummary = CurveRef.extend({
  name: z.string(),
  unit: z.string(),
  asOfDates: z.array(IsoDate).describe('as-of dates with a built curve, newest first'),
  latest: BuildSummary.nullable(),
})
export const CurveListOutput = z.object({ curves: z.array(CurveSummary) })
export type CurveListOutput = z.infer<typeof CurveListOutput>

export const CurveGetInput = CurveRef.extend({
  asOf: IsoDate.optional().describe('default: the latest as-of date with a built curve'),
  version: z.number().int().min(1).optional().describe('default: the latest successful build of that as-of date'),
  granularity: Granularity.default('standard'),
})
export type CurveGetInput = z.input<typeof CurveGetInput>
export const CurveGetOutput = z.object({
  curve: CurveRef.extend({ name: z.string(), unit: z.string() }),
  build: BuildSummary,
  granularity: Granularity,
  points: z.array(CurvePoint),
  quotes: z.array(StoredQuote),
})
export type CurveGetOutput = z.infer<typeof CurveGetOutput>

export const CurveHistoryInput = CurveRef.extend({
  month: MonthKey.describe('the delivery month to follow across as-of dates'),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
}).refine((input) => !input.from || !input.to || input.from <= input.to, {
  error: (issue) => {
    const input = issue.input as { from: string; to: string }
    return `from ${input.from} is after to ${input.to}`
  },
  path: ['from'],
})
export const CurveHistoryOutput = z.object({
  month: MonthKey,
  points: z.array(BlockPrices.extend({ asOf: IsoDate, version: z.number().int(), buildId: z.uuid() })),
})
export type CurveHistoryOutput = z.infer<typeof CurveHistoryOutput>

export const CurveCompareInput = CurveRef.extend({
  asOf: IsoDate.optional().describe('default: the latest as-of date with a built curve'),
  against: IsoDate.optional().describe('the as-of date to compare with (default: the one before asOf)'),
  granularity: Granularity.default('standard'),
})
export const CurveCompareOutput = z.object({
  base: BuildSummary,
  other: BuildSummary,
  granularity: Granularity,
  rows: z.array(
    z.object({ period: z.string(), first: MonthKey, last: MonthKey, base: BlockPrices.nullable(), other: BlockPrices.nullable(), change: BlockPrices.nullable() }),
  ),
})
export type CurveCompareOutput = z.infer<typeof CurveCompareOutput>

export const QuoteInput = z
  .object({
    contract: z.string().min(1).max(32).describe('2027-01 (month), 2027-Q3, Cal-2028, or 2027-01/2027-03 (strip, inclusive)'),
    block: CurveBlock,
    price: Price('price').describe(`$/MWh, within ±${MAX_ABS_PRICE}`),
    bid: Price('bid').nullable().optional(),
    ask: Price('ask').nullable().optional(),
  })
  .refine((q) => q.bid == null || q.ask == null || q.bid <= q.ask, {
    error: (issue) => {
      const q = issue.input as { bid: number; ask: number }
      return `bid ${q.bid} is above the ask ${q.ask}`
    },
    path: ['bid'],
  })
export type QuoteInput = z.infer<typeof QuoteInput>

export const BuildParams = z.object({
  annualEscalation: z.number().min(-0.2).max(0.5).optional().describe("the default prior's yearly escalation (default 0.025)"),
  priorWeightGrowth: z.number().min(0).max(1e6).optional().describe('how fast the curve returns to the prior past the last quote'),
  priorFadeMonths: z.number().int().min(0).max(600).optional().describe('months over which the scenario prior, scaled to the quotes, fades to the scenario itself past the last quote (default 36)'),
})

/** A scenario run id (a content hash). */
export const ScenarioRunId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a scenario run id')

export const CurveBuildInput = CurveRef.extend({
  asOf: BuildAsOf.describe('the trade date the quotes are of: today or earlier'),
  quotes: z.array(QuoteInput).min(1).max(1_000).optional(),
  quotesCsv: z.string().max(500_000).optional().describe('the quotes as CSV (header contract,block,price[,bid,ask]) instead of `quotes`'),
  params: BuildParams.optional(),
  priorRunId: ScenarioRunId.optional().describe(
    "the scenario run whose prices are the prior beyond the quoted tenor and within strips: your organization's or a house run, done (default: the base scenario)",
  ),
  waitMs: z.number().int().min(0).max(60_000).default(20_000).describe('how long to wait for the solver before answering with a queued build'),
}).refine((input) => (input.quotes === undefined) !== (input.quotesCsv === undefined), {
  message: 'send either quotes or quotesCsv',
  path: ['quotes'],
})
export type CurveBuildInput = z.input<typeof CurveBuildInput>
