import { MarketId, ProductId, SeriesFrequency, SeriesId, SeriesMeasure, SeriesUnit } from '@carbon/schemas'
import { z } from 'zod'

const Utc = z.iso.datetime({ offset: true })

/**
 * Which series: a product's (GAS, LNG, LCFS, REC), or a market's fundamentals (product GRID with
 * the market their balancing authorities map to). A product other than GRID takes no market.
 */
export const SeriesScopeInput = z
  .object({
    product: ProductId,
    market: MarketId.optional().describe('GRID only: the market whose fundamentals to read'),
  })
  .superRefine((input, ctx) => {
    if (input.product === 'GRID' && !input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: 'GRID series need the market they belong to' })
    if (input.product !== 'GRID' && input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: `${input.product} series belong to no market: leave market out` })
  })
export type SeriesScopeInput = z.input<typeof SeriesScopeInput>

export const SeriesSummary = z.object({
  series: z.string(),
  measure: SeriesMeasure,
  frequency: SeriesFrequency,
  unit: SeriesUnit,
  attributes: z.record(z.string(), z.string()),
  count: z.number().int(),
  first: z.iso.datetime().describe('period start of the oldest value'),
  last: z.iso.datetime().describe('period start of the latest value'),
  lastValue: z.number(),
})
export type SeriesSummary = z.infer<typeof SeriesSummary>

export const SeriesCatalogueOutput = z.object({
  product: ProductId,
  market: MarketId.nullable(),
  series: z.array(SeriesSummary),
})
export type SeriesCatalogueOutput = z.infer<typeof SeriesCatalogueOutput>

export const SeriesHistoryInput = z
  .object({
    product: ProductId,
    market: MarketId.optional().describe('GRID only: the market whose fundamentals to read'),
    series: SeriesId,
    measure: SeriesMeasure.default('price'),
    frequency: SeriesFrequency.optional().describe('when the series is kept at several (Henry Hub: day and month); default the finest stored'),
    from: Utc.describe('inclusive period start, ISO 8601'),
    to: Utc.describe('exclusive period start, ISO 8601'),
  })
  .superRefine((input, ctx) => {
    if (input.product === 'GRID' && !input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: 'GRID series need the market they belong to' })
    if (input.product !== 'GRID' && input.market) ctx.addIssue({ code: 'custom', path: ['market'], message: `${input.product} series belong to no market: leave market out` })
    if (Date.parse(input.from) >= Date.parse(input.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  })
export type SeriesHistoryInput = z.input<typeof SeriesHistoryInput>

export const SeriesValue = z.object({
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime(),
  value: z.number(),
  attributes: z.record(z.string(), z.string()),
  source: z.string(),
  publishedAt: z.iso.datetime().nullable(),
})

export const SeriesHistoryOutput = z.object({
  product: ProductId,
  market: MarketId.nullable(),
  series: z.string(),
  measure: SeriesMeasure,
  unit: SeriesUnit.nullable().describe('null when the range holds no value'),
  frequency: SeriesFrequency.nullable(),
  values: z.array(SeriesValue),
  truncated: z.boolean().describe('true when the range held more values than one answer carries'),
})
export type SeriesHistoryOutput = z.infer<typeof SeriesHistoryOutput>

export const SeriesBasisInput = z
  .object({
    product: z.enum(['GAS', 'LNG']).describe('GAS: a hub\'s daily price minus Henry Hub\'s; LNG: a weekly benchmark minus the Henry Hub average of the same week'),
    series: SeriesId.describe('the leg: a gas hub (CHICAGO_CITYGATES) or an LNG benchmark (JKM, TTF)'),
    from: Utc.describe('inclusive period start, ISO 8601'),
    to: Utc.describe('exclusive period start, ISO 8601'),
  })
  .refine((input) => Date.parse(input.from) < Date.parse(input.to), { path: ['to'], message: 'must be after from' })
export type SeriesBasisInput = z.input<typeof SeriesBasisInput>

export const BasisValue = z.object({
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime(),
  value: z.number().describe('leg - reference'),
  leg: z.number(),
  reference: z.number(),
  referenceDays: z.number().int().nullable().describe('LNG: the Henry Hub days the weekly average used (fewer in a week with a holiday); null for GAS'),
})

export const SeriesBasisOutput = z.object({
  product: z.enum(['GAS', 'LNG']),
  series: z.string().describe('the basis series id, e.g. JKM_HH'),
  leg: z.string(),
  reference: z.literal('HENRY_HUB'),
  unit: SeriesUnit.nullable(),
  frequency: z.enum(['day', 'week']),
  values: z.array(BasisValue),
  unmatched: z
    .array(z.object({ side: z.enum(['hub', 'reference']), periodStart: z.iso.datetime(), periodEnd: z.iso.datetime() }))
    .describe('periods only one side has: no basis for them'),
})
export type SeriesBasisOutput = z.infer<typeof SeriesBasisOutput>
