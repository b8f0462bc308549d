import { MarketId } from '@carbon/schemas'
import { z } from 'zod'
import { CurveReportParams, MarketSummaryParams } from '../reports/types.ts'

/**
 * Scheduled reports' contracts: what a subscription asks for (a report kind and the parameters
 * that stay fixed from day to day: the market, the hub), and what a subscription and a produced
 * report look like to the hub and the API. The date of each report is the scheduler's (due.ts).
 */

/** A market summary of every operating day of one market. */
export const MarketSummarySubscriptionParams = MarketSummaryParams.pick({ market: true }).strict()
/** A hub's forward curve as it stood at the end of every operating day. */
export const CurveSubscriptionParams = CurveReportParams.pick({ market: true, node: true }).strict()

export const SubscriptionKind = z.enum(['market-summary', 'curve'])
export type SubscriptionKind = z.infer<typeof SubscriptionKind>

export const SubscribeInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('market-summary'), params: MarketSummarySubscriptionParams }),
  z.object({ kind: z.literal('curve'), params: CurveSubscriptionParams }),
])
export type SubscribeInput = z.infer<typeof SubscribeInput>
export type SubscriptionParams = SubscribeInput['params']

export const ReportSubscription = z.object({
  id: z.uuid(),
  kind: SubscriptionKind,
  params: z.object({ market: MarketId, node: z.string().optional() }),
  schedule: z.literal('daily'),
  active: z.boolean(),
  lastReportDate: z.iso.date().nullable(),
  createdAt: z.iso.datetime(),
})
export type ReportSubscription = z.infer<typeof ReportSubscription>

export const ReportOutputStatus = z.enum(['queued', 'running', 'done', 'failed', 'expired'])
export type ReportOutputStatus = z.infer<typeof ReportOutputStatus>

/** A produced (or to be produced) report as its organization sees it; the link comes from reportOutputLink. */
export const ReportOutput = z.object({
  id: z.uuid(),
  subscriptionId: z.uuid().nullable(),
  kind: SubscriptionKind,
  params: z.object({ market: MarketId, node: z.string().optional() }),
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
export type ReportOutput = z.infer<typeof ReportOutput>

export const ListReportOutputsInput = z.object({ limit: z.number().int().min(1).max(200).default(50) })

/** A fresh signed link to a produced report. */
export type ReportLink = { url: string; filename: string; expiresAt: string }

/** The message on `reports.render`: the report_outputs row id. */
export const ReportRenderMessage = z.object({ id: z.uuid() })
export type ReportRenderMessage = z.infer<typeof ReportRenderMessage>
