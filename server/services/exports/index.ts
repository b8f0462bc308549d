/**
 * The download center (issue 13): export jobs of prices, curves and scenario results as CSV or
 * Parquet, written by the export worker into the object store and downloaded through short-lived
 * signed links. See jobs.ts (estimate, create, get, list, cancel), run.ts (the worker's half),
 * cleanup.ts (retention), sources.ts (what each dataset exports), writers/ (CSV, Parquet).
 */
export { estimateExport, createExport, getExport, listExports, cancelExport, parseExportRequest, toExportJob, MAX_LIST_LIMIT } from './jobs.ts'
export type { ExportDeps, ExportEnv, ExportJobRow } from './jobs.ts'
export { cleanupExports } from './cleanup.ts'
export { executeExport, exportObjectKey, ExportInterrupted, PROGRESS_INTERVAL_MS, type ExportProgressEvent, type ExportRunDeps } from './run.ts'
export { publishExport, relayExportsOnce, startExportRelay, EXPORT_RELAY_DEFAULTS, type ExportRunMessage } from './outbox.ts'
export { scopeOf, type AuditRequest, type ExportChannel } from './access.ts'
export { exportFilename } from './sources.ts'
export * from './schemas.ts'
