import { sql } from 'drizzle-orm'
import { bigint, boolean, date, index, jsonb, pgTable, real, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { requestAndOutboxColumns } from './curves.ts'
import { organizations, users } from './identity.ts'

/**
 * One export job of the download center (server/services/exports): a dataset (prices, curves,
 * scenario results) in a format (csv, parquet) for an organization. The row is its own outbox
 * entry like curve_builds and scenario_runs: inserted `queued`, put on `exports.run`, written by
 * the export worker.
 *
 * `markets` are every market the export reads: the `downloads` channel of each is checked when
 * the job is created and again whenever a link is issued. `channel` is how it was asked for
 * ('hub' or 'api'): an API job also needs the API channel of each market.
 *
 * status: 'queued', 'running' (progress 0..1), 'done' (`object_key`, `rows`, `bytes`, `sha256`
 * set), 'failed' (`error` says why), 'cancelled', 'expired' (the file was removed after
 * `expires_at`; the row is deleted by the clean-up later).
 */
export const exportJobs = pgTable(
  'export_jobs',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** 'prices' | 'curves' | 'scenario'. */
    dataset: text().notNull(),
    /** 'csv' | 'parquet'. */
    format: text().notNull(),
    /** 'hub' | 'api': the channel the job was created through. */
    channel: text().notNull(),
    markets: text().array().notNull(),
    /** The validated request (server/services/exports/schemas.ts ExportRequest). */
    params: jsonb().notNull(),
    /** The file name the download carries (Content-Disposition). */
    filename: text().notNull(),
    estimatedRows: bigint({ mode: 'number' }).notNull(),
    estimatedBytes: bigint({ mode: 'number' }).notNull(),
    status: text().notNull(),
    progress: real().notNull().default(0),
    rows: bigint({ mode: 'number' }),
    bytes: bigint({ mode: 'number' }),
    sha256: text(),
    objectKey: text(),
    error: text(),
    /** When the file and its links stop being served (set when done; retention). */
    expiresAt: timestamp({ withTimezone: true }),
    ...requestAndOutboxColumns(),
  },
  (t) => [
    index('export_jobs_org_requested_idx').on(t.organizationId, t.requestedAt),
    index('export_jobs_pending_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} in ('queued', 'running')`),
    index('export_jobs_expires_idx').on(t.expiresAt),
    // The download route finds a file's job by its key.
    index('export_jobs_object_key_idx').on(t.objectKey),
  ],
)

/**
 * A user's subscription to a scheduled report (server/services/report-subscriptions): `kind`
 * 'market-summary' (params `{market}`) or 'curve' (params `{market, node}`), rendered daily after
 * the day-ahead publication: the report of operating day D once day D has ended in the market's
 * clock and the market's day-ahead prices for D+1 are stored. The subscriber's organization must
 * stay entitled to the market's `downloads` channel (checked again at every rendering).
 */
export const reportSubscriptions = pgTable(
  'report_subscriptions',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    params: jsonb().notNull(),
    /** 'daily' (after the day-ahead publication). */
    schedule: text().notNull().default('daily'),
    active: boolean().notNull().default(true),
    /** The last report date rendered for this subscription (the scheduler's watermark). */
    lastReportDate: date({ mode: 'string' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('report_subscriptions_user_kind_params_key').on(t.userId, t.kind, t.params)],
)

/**
 * One rendered (or to be rendered) scheduled report: the PDF stored in the object store under
 * `object_key`. Its own outbox entry on `reports.render`. status: 'queued', 'running', 'done',
 * 'failed', 'expired'.
 */
export const reportOutputs = pgTable(
  'report_outputs',
  {
    id: uuid().primaryKey().defaultRandom(),
    subscriptionId: uuid().references(() => reportSubscriptions.id, { onDelete: 'set null' }),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    params: jsonb().notNull(),
    /** The report's date (the operating day of a market summary, the as-of date of a curve report). */
    reportDate: date({ mode: 'string' }).notNull(),
    filename: text().notNull(),
    status: text().notNull(),
    progress: real().notNull().default(0),
    bytes: bigint({ mode: 'number' }),
    objectKey: text(),
    error: text(),
    expiresAt: timestamp({ withTimezone: true }),
    ...requestAndOutboxColumns(),
  },
  (t) => [
    unique('report_outputs_subscription_date_key').on(t.subscriptionId, t.reportDate),
    index('report_outputs_org_requested_idx').on(t.organizationId, t.requestedAt),
    index('report_outputs_object_key_idx').on(t.objectKey),
    index('report_outputs_pending_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
)
