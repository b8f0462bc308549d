import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { dataKeys } from './markets.ts'

/**
 * How far each market's (or product's: `market` is a data key) dataset has been ingested: `lastIntervalStart` is the start of the last
 * interval of the last window fetched completely (e.g. MISO x 'miso.rt_lmp_final'). The
 * scheduler fetches from the interval after it.
 */
export const ingestWatermarks = pgTable(
  'ingest_watermarks',
  {
    market: text()
      .notNull()
      .references(() => dataKeys.id, { onDelete: 'restrict' }),
    dataset: text().notNull(),
    lastIntervalStart: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'ingest_watermarks_pkey', columns: [t.market, t.dataset] })],
)

/**
 * One row per publisher request the ingest made (scheduled or backfill): what it asked for, what
 * came back, where the raw payload is archived and what became of its rows. The data-health
 * page and the freshness metrics read it.
 *
 * status: 'ok' (every row published), 'partial' (some rows refused: issues > 0, sent to the
 * dead-letter topic), 'no-data' (not published yet: 404 / OASIS ERR_CODE 1000), 'failed' (the
 * file was unusable or the request failed after its retries; `error` says why).
 */
export const ingestRuns = pgTable(
  'ingest_runs',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    market: text()
      .notNull()
      .references(() => dataKeys.id, { onDelete: 'restrict' }),
    dataset: text().notNull(),
    /** 'schedule', 'backfill' or 'upload' (a series file a user entered). */
    trigger: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    windowEnd: timestamp({ withTimezone: true }).notNull(),
    /** The request URL (secrets travel in headers, never in it). */
    url: text().notNull(),
    file: text().notNull(),
    status: text().notNull(),
    httpStatus: integer(),
    attempts: integer().notNull().default(0),
    records: integer().notNull().default(0),
    /** Rows refused (each sent to prices.dlq with its reason). */
    issues: integer().notNull().default(0),
    /** Nodes seen for the first time in this file. */
    newNodes: integer().notNull().default(0),
    bytes: integer().notNull().default(0),
    /** Object-store key of the archived raw payload (null when nothing came back). */
    rawKey: text(),
    /** The publisher's publication time of the file (Last-Modified), when known. */
    publishedAt: timestamp({ withTimezone: true }),
    error: text(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('ingest_runs_dataset_started_idx').on(t.market, t.dataset, t.startedAt)],
)

/**
 * A backfill job: `npx carbon backfill --market --dataset --from --to`. Its id is derived from
 * those four, so running the same command again resumes from `doneUntil`.
 * status: 'running', 'done', 'failed'.
 */
export const ingestBackfills = pgTable('ingest_backfills', {
  id: text().primaryKey(),
  market: text()
    .notNull()
    .references(() => dataKeys.id, { onDelete: 'restrict' }),
  dataset: text().notNull(),
  fromTime: timestamp({ withTimezone: true }).notNull(),
  toTime: timestamp({ withTimezone: true }).notNull(),
  /** Everything before this has been fetched and published. */
  doneUntil: timestamp({ withTimezone: true }).notNull(),
  status: text().notNull(),
  requests: integer().notNull().default(0),
  records: integer().notNull().default(0),
  issues: integer().notNull().default(0),
  error: text(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
})
