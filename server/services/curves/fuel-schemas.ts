import { isSaneFuelPrice, MAX_ABS_FUEL_PRICE } from '@carbon/curves'
import { z } from 'zod'
import { BuildAsOf, BuildSummary, Granularity, StoredQuote } from './schemas.ts'

/**
 * The contracts of the fuel curve procedures (fuelCurves.list/get/build). Every input names its
 * `product` (GAS or LNG), so the one access gate decides on the product (server/trpc/trpc.ts).
 */

const IsoDate = z.iso.date()
const MonthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')

export const FuelProduct = z.enum(['GAS', 'LNG']).describe('GAS: gas hub curves; LNG: basis curves to Henry Hub')

export const FuelCurveRef = z.object({
  product: FuelProduct,
  curve: z
    .string()
    .regex(/^[A-Z0-9_-]{1,64}$/, 'a curve name: a gas hub series id (HENRY_HUB) or a basis (JKM-HH, TTF-HH)')
    .describe('GAS: the hub series id, e.g. HENRY_HUB; LNG: JKM-HH or TTF-HH'),
})

/** A price in $/MMBtu within ±MAX_ABS_FUEL_PRICE (a basis may be negative). */
const FuelPrice = (field: 'price' | 'bid' | 'ask') =>
  z.number().refine(isSaneFuelPrice, { error: (issue) => `${field} ${String(issue.input)} $/MMBtu is outside -${MAX_ABS_FUEL_PRICE}..${MAX_ABS_FUEL_PRICE} $/MMBtu` })

export const FuelQuoteInput = z
  .object({
    contract: z.string().min(1).max(32).describe('2027-01 (month), 2027-Q3, Cal-2028, or 2027-01/2027-03 (strip, inclusive)'),
    price: FuelPrice('price').describe(`$/MMBtu (a basis may be negative), within ±${MAX_ABS_FUEL_PRICE}`),
    bid: FuelPrice('bid').nullable().optional(),
    ask: FuelPrice('ask').nullable().optional(),
  })
  .refine((q) => q.bid == null || q.ask == null || q.bid <= q.ask, {
    error: (issue) => {
      const q = issue.input as { bid: number; ask: number }
      return `bid ${q.bid} is above the ask ${q.ask}`
    },
    path: ['bid'],
  })

export const FuelBuildParams = z.object({
  annualEscalation: z.number().min(-0.2).max(0.5).optional().describe("the prior's yearly escalation (default: gas 0.025, basis 0)"),
  priorWeightGrowth: z.number().min(0).max(1e6).optional().describe('how fast the curve returns to the prior past the last quote'),
  priorShape: z.enum(['seasonal', 'flat']).optional().describe('the prior\'s monthly shape (default: gas seasonal, a winter premium; basis flat)'),
})

export const FuelStoredQuote = StoredQuote.omit({ block: true }).extend({
  repriced: z.number().nullable().describe('the calendar-days-weighted average of the built curve over the contract (null until built)'),
})
export type FuelStoredQuote = z.infer<typeof FuelStoredQuote>

/** A power build's summary with the product and curve for market and node, and no scenario prior. */
export const FuelBuildSummary = BuildSummary.omit({ market: true, node: true, prior: true }).extend({
  product: FuelProduct,
  curve: z.string(),
  owner: z.enum(['house', 'organization']).describe("house: published by 254Carbon for everyone entitled to the product; organization: your organization's own build"),
})
export type FuelBuildSummary = z.infer<typeof FuelBuildSummary>

const FuelCurveInfo = FuelCurveRef.extend({
  name: z.string(),
  commodity: z.enum(['gas', 'lng_basis']),
  unit: z.string().describe('USD/MMBtu (AECO: CAD/GJ)'),
})

export const FuelListInput = z.object({ product: FuelProduct })
export const FuelListOutput = z.object({
  curves: z.array(FuelCurveInfo.extend({ asOfDates: z.array(IsoDate).describe('as-of dates with a built curve, newest first'), latest: FuelBuildSummary.nullable() })),
})
export type FuelListOutput = z.infer<typeof FuelListOutput>

export const FuelGetInput = FuelCurveRef.extend({
  asOf: IsoDate.optional().describe('default: the latest as-of date with a built curve'),
  version: z.number().int().min(1).optional().describe('default: the latest successful build of that as-of date'),
  granularity: Granularity.default('standard'),
})
export type FuelGetInput = z.input<typeof FuelGetInput>

export const FuelPoint = z.object({
  period: z.string().describe('2027-01 (month), 2027-Q3 (quarter) or Cal-2030 (calendar year)'),
  first: MonthKey,
  last: MonthKey,
  months: z.number().int().describe('delivery months aggregated (fewer than the period has when it starts before the curve)'),
  days: z.number().int().describe('calendar days of those months: the weight of the average'),
  price: z.number(),
})
export const FuelGetOutput = z.object({
  curve: FuelCurveInfo,
  build: FuelBuildSummary,
  granularity: Granularity,
  points: z.array(FuelPoint),
  quotes: z.array(FuelStoredQuote),
})
export type FuelGetOutput = z.infer<typeof FuelGetOutput>

export const FuelBuildInput = FuelCurveRef.extend({
  asOf: BuildAsOf.describe('the trade date the quotes are of: today or earlier'),
  quotes: z.array(FuelQuoteInput).min(1).max(1_000).optional(),
  quotesCsv: z.string().max(500_000).optional().describe('the quotes as CSV (header contract,price[,bid,ask]) instead of `quotes`'),
  params: FuelBuildParams.optional(),
  waitMs: z.number().int().min(0).max(60_000).default(20_000).describe('how long to wait for the solver before answering with a queued build'),
}).refine((input) => (input.quotes === undefined) !== (input.quotesCsv === undefined), {
  message: 'send either quotes or quotesCsv',
  path: ['quotes'],
})
export type FuelBuildInput = z.input<typeof FuelBuildInput>

/**
 * Two builds of a fuel curve side by side (the curve pages' "Compare with"): `asOf`/`version` name
 * the shown build as FuelGetInput does; `against`/`againstVersion` the compared one (default: the
 * as-of date before `asOf`; on the shown date itself, its newest other version).
 */
export const FuelCompareInput = FuelCurveRef.extend({
  asOf: IsoDate.optional().describe('default: the latest as-of date with a built curve'),
  version: z.number().int().min(1).optional().describe('default: the latest successful build of that as-of date'),
  against: IsoDate.optional().describe('the as-of date to compare with (default: the one before asOf)'),
  againstVersion: z.number().int().min(1).optional().describe('a version of `against` (default: its latest; on asOf itself, the newest other version)'),
  granularity: Granularity.default('standard'),
})
export type FuelCompareInput = z.input<typeof FuelCompareInput>

export const FuelCompareRow = z.object({
  period: z.string(),
  first: MonthKey,
  last: MonthKey,
  base: z.number().nullable().describe('the shown build\'s days-weighted price (null: a period only the compared build has)'),
  other: z.number().nullable().describe('the compared build\'s price (null: a period only the shown build has)'),
  change: z.number().nullable().describe('base minus other'),
})
export type FuelCompareRow = z.infer<typeof FuelCompareRow>

export const FuelCompareOutput = z.object({
  base: FuelBuildSummary,
  other: FuelBuildSummary,
  granularity: Granularity,
  rows: z.array(FuelCompareRow),
})
export type FuelCompareOutput = z.infer<typeof FuelCompareOutput>

/** A period of the shown build with the compared build's price and the change, where the comparison has the same months. */
export const FuelPeriodRow = FuelPoint.extend({
  compared: z.number().nullable(),
  change: z.number().nullable(),
})
export type FuelPeriodRow = z.infer<typeof FuelPeriodRow>

/** The curve pages' view: one build (as FuelGetInput names it), optionally compared with another (FuelCompareInput's against). */
export const FuelHistoryInput = FuelCurveRef.extend({
  asOf: IsoDate.optional(),
  version: z.number().int().min(1).optional(),
  compare: IsoDate.optional(),
  compareVersion: z.number().int().min(1).optional(),
  granularity: Granularity.default('standard'),
})
export type FuelHistoryInput = z.input<typeof FuelHistoryInput>
