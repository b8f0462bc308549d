import { ENTITLED_PRODUCTS, MarketId } from '@carbon/schemas'
import { z } from 'zod'
import { CurveReportParams, FUELS_REPORT_KIND, MarketSummaryParams } from '../reports/types.ts'

/**
 * Scheduled reports' contracts: what a subscription asks for (a report kind and the parameters
 * that stay fixed from day to day: the market, the hub; none for the fuels report), and what a
 * subscription and a produced report look like to the hub and the API. The date of each report
 * is the scheduler's (due.ts).
 */

/** A market summary of every operating day of one market. */
export const MarketSummarySubscriptionParams = MarketSummaryParams.pick({ market: true }).strict()
/** A hub's forward curve as it stood at the end of every operating day. */
export const CurveSubscriptionParams = CurveReportParams.pick({ market: true, node: true }).strict()
/**
 * The gas, LNG and environmental report as of every day. No parameter: it covers products, not a
 * market, and which products a delivery shows is decided when it is rendered (those the
 * subscriber's organization may download then), as the page decides on the reader's products.
 */
export const FuelsSubscriptionParams = z.object({}).strict()

export const SubscriptionKind = z.enum(['market-summary', 'curve', FUELS_REPORT_KIND])
export type SubscriptionKind = z.infer<typeof SubscriptionKind>

export const SubscribeInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('market-summary'), params: MarketSummarySubscriptionParams }),
  z.object({ kind: z.literal('curve'), params: CurveSubscriptionParams }),
  z.object({ kind: z.literal(FUELS_REPORT_KIND), params: FuelsSubscriptionParams.default({}) }),
])
export type SubscribeInput = z.infer<typeof SubscribeInput>
export type SubscriptionParams = SubscribeInput['params']

/** The market (and hub) a market report is subscribed to. */
const MarketParams = z.object({ market: MarketId, node: z.string().optional() })
/** A produced fuels report's products: those it shows, once rendered (absent before, and when it was refused). */
const FuelsOutputParams = z.object({ products: z.array(z.enum(ENTITLED_PRODUCTS)).optional() })

const SubscriptionFields = z.object({
  id: z.uuid(),
  schedule: z.literal('daily'),
  active: z.boolean(),
  lastReportDate: z.iso.date().nullable(),
  createdAt: z.iso.datetime(),
})

/** A subscription: a market report names its market (and hub); the fuels report names none. */
export const ReportSubscription = z.discriminatedUnion('kind', [
  SubscriptionFields.extend({ kind: z.enum(['market-summary', 'curve']), params: MarketParams }),
  SubscriptionFields.extend({ kind: z.literal(FUELS_REPORT_KIND), params: z.object({}) }),
])
export type ReportSubscription = z.infer<typeof ReportSubscription>

export const ReportOutputStatus = z.enum(['queued', 'running', 'done', 'failed', 'expired'])
export type ReportOutputStatus = z.infer<typeof ReportOutputStatus>

const OutputFields = z.object({
  id: z.uuid(),
  subscriptionId: z.uuid().nullable(),
  reportDate: z.iso.date(),
  filename: z.string(),
  status: ReportOutputStatus,
  bytes: z.number().int().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
})

/** A produced (or to be produced) report as its organization sees it; the link comes from reportOutputLink. */
export const ReportOutput = z.discriminatedUnion('kind', [
  OutputFields.extend({ kind: z.enum(['market-summary', 'curve']), params: MarketParams }),
  OutputFields.extend({ kind: z.literal(FUELS_REPORT_KIND), params: FuelsOutputParams }),
])
export type ReportOutput = z.infer<typeof ReportOutput>

export const ListReportOutputsInput = z.object({ limit: z.number().int().min(1).max(200).default(50) })

/** A fresh signed link to a produced report. */
export type ReportLink = { url: string; filename: string; expiresAt: string }

/** The message on `reports.render`: the report_outputs row id. */
export const ReportRenderMessage = z.object({ id: z.uuid() })
export type ReportRenderMessage = z.infer<typeof ReportRenderMessage>
