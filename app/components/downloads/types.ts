import type { EntitledProduct, MarketId } from '@carbon/schemas'
import type { ExportEstimate, ExportJob } from '#server/services/exports/schemas.ts'
import type { ReportOutput, ReportSubscription } from '#server/services/report-subscriptions/schemas.ts'

/** What the download center's loader and actions answer (shared by the server half and the views). */

export type MarketChoice = { id: MarketId; name: string; entitled: boolean; nodes: { name: string; type: string }[]; curveHubs: string[]; runs: string[] }
export type RunChoice = { runId: string; label: string }

export type DownloadCenter =
  | { refused: string; status: number }
  | {
      refused: null
      markets: MarketChoice[]
      scenarioRuns: RunChoice[]
      defaults: { from: string; to: string }
      jobs: ExportJob[]
      subscriptions: ReportSubscription[]
      outputs: ReportOutput[]
      /** The fuels report's products the organization may download (what a delivery of it would show now). */
      reportProducts: EntitledProduct[]
      limits: { maxRows: number; maxActive: number; maxRowsPerDay: number; linkSeconds: number; retentionHours: number }
      at: number
    }

export type CenterAnswer =
  | { intent: 'estimate'; ok: true; estimate: ExportEstimate; signature: string }
  | { intent: 'create'; ok: true; job: ExportJob }
  | { intent: 'cancel'; ok: true; job: ExportJob }
  | { intent: 'subscribe'; ok: true; subscription: ReportSubscription; created: boolean }
  | { intent: 'unsubscribe'; ok: true; subscription: ReportSubscription }
  | { intent: string; ok: false; error: string; signature?: string }

