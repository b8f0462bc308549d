import { MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The contract of the backtest (curves.backtest, GET /api/v1/backtest, the /backtest hub page):
 * each curve as of a date D against what the day-ahead market then did in the 1..6 months after D.
 */

/** The quality gate: the mean absolute percentage error of months 1..6 at most this (percent). */
export const MAPE_GATE_PERCENT = 12
/** Months after the as-of date that are forecast and compared. */
export const BACKTEST_HORIZON_MONTHS = 6

const IsoDate = z.iso.date()
const MonthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)

export const BacktestBlock = z.enum(['onpeak', 'offpeak'])
export type BacktestBlock = z.infer<typeof BacktestBlock>

export const BacktestInput = z
  .object({
    market: MarketId,
    node: z.string().min(1).max(128).optional().describe('one hub (default: every curve of the market)'),
    from: IsoDate.optional().describe('earliest as-of date'),
    to: IsoDate.optional().describe('latest as-of date'),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    error: (issue) => {
      const input = issue.input as { from: string; to: string }
      return `from ${input.from} is after to ${input.to}`
    },
    path: ['from'],
  })
export type BacktestInput = z.input<typeof BacktestInput>

export const BacktestRow = z.object({
  node: z.string(),
  asOf: IsoDate,
  buildId: z.uuid(),
  version: z.number().int(),
  month: MonthKey,
  horizon: z.number().int().min(1).max(BACKTEST_HORIZON_MONTHS).describe('months after the as-of month (1 = the next month)'),
  block: BacktestBlock,
  forecast: z.number().describe("the curve's price of the month and block as of asOf, $/MWh"),
  realized: z.number().nullable().describe('the average day-ahead LMP of the hub over the hours of the month in this block (NERC peak rule), $/MWh; null when none is stored'),
  hours: z.number().int().describe("hours of the month (both blocks, in the market's prevailing peak time zone)"),
  samples: z.number().int().describe('day-ahead hours of the hub stored for the month'),
  complete: z.boolean().describe('every hour of the month is stored (samples >= hours): only complete months count in the MAPE'),
  ape: z.number().nullable().describe('|forecast - realized| / |realized| in percent; null unless complete (and realized is not 0)'),
})
export type BacktestRow = z.infer<typeof BacktestRow>

export const MapeSummary = z.object({
  mape: z.number().nullable().describe('mean absolute percentage error in percent over the complete months; null when there is none'),
  count: z.number().int().describe('complete (month, block) pairs counted'),
  passes: z.boolean().nullable().describe(`mape <= ${MAPE_GATE_PERCENT} %; null when there is nothing to judge`),
})
export type MapeSummary = z.infer<typeof MapeSummary>

export const BacktestOutput = z.object({
  market: MarketId,
  gatePercent: z.number(),
  horizonMonths: z.number().int(),
  /** The last month complete for any hub (null: no realized month yet). */
  realizedThrough: MonthKey.nullable(),
  overall: MapeSummary.describe("over every curve, as-of date, month 1..6 and block of the market"),
  hubs: z.array(MapeSummary.extend({ node: z.string(), name: z.string(), block: BacktestBlock.nullable().describe('null: both blocks') })),
  asOfs: z.array(MapeSummary.extend({ node: z.string(), asOf: IsoDate, buildId: z.uuid(), version: z.number().int() })),
  rows: z.array(BacktestRow),
})
export type BacktestOutput = z.infer<typeof BacktestOutput>
