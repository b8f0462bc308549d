/**
 * Scheduled reports: subscriptions (a user's daily market summary or hub curve report), the
 * scheduler that queues each due report, the renderer's half that produces the PDF, and the
 * organization's produced reports with their signed, short-lived links.
 */
export * from './schemas.ts'
export * from './due.ts'
export { subscribe, unsubscribe, listSubscriptions } from './subscriptions.ts'
export { listReportOutputs, reportOutputLink, type AuditContext, type ReportLinkDeps } from './outputs.ts'
export { scheduleDueReports, dayAheadDays, reportFilename, type SchedulerDeps } from './scheduler.ts'
export { executeReportOutput, type RenderDeps } from './render.ts'
export * from './outbox.ts'
export { cleanupReportOutputs, type ReportCleanupDeps } from './cleanup.ts'
