import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, real, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { requestAndOutboxColumns } from './curves.ts'
import { organizations, users } from './identity.ts'

/**
 * Scenarios (packages/scenario): named assumption sets in the scenario language, saved per
 * organization and versioned. `organization_id` null is a house scenario (the built-in `base`),
 * readable by everyone and written only by the platform. A save that changes the text is a new
 * version; versions are never edited.
 */
export const scenarios = pgTable(
  'scenarios',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid().references(() => organizations.id, { onDelete: 'cascade' }),
    /** The name in the text's `scenario "..."` line, unique per owner. */
    name: text().notNull(),
    latestVersion: integer().notNull().default(0),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('scenarios_owner_name_key').on(t.organizationId, t.name).nullsNotDistinct()],
)

/**
 * One saved version of a scenario: the text as written, its canonical form and the hash of that
 * canonical form, and the version of the parent (`extends`) it was resolved against at save time.
 */
export const scenarioVersions = pgTable(
  'scenario_versions',
  {
    id: uuid().primaryKey().defaultRandom(),
    scenarioId: uuid()
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    text: text().notNull(),
    /** Canonical form of the resolved assumptions (sorted, normalized numbers): what is hashed. */
    canonical: text().notNull(),
    canonicalHash: text().notNull(),
    /** The parent scenario's version this one extends (null for a root such as `base`). */
    parentVersionId: uuid(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdByLabel: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('scenario_versions_version_key').on(t.scenarioId, t.version)],
)

/**
 * One run of a scenario version: immutable once done. `run_id` is the hash of the canonical
 * scenario, the base-data version and the engine version (and, for a Monte Carlo run, draws and
 * seed): rerunning the same inputs is the same run (the row is found, not made again), and its
 * results (ClickHouse `scenario_prices`, `scenario_mix`, keyed by run_id) are the same bytes.
 *
 * `lineage` holds the scenario version and its parent chain (name, version id, version, hash per
 * link), the base-data and fuel-history snapshot ids and the engine version.
 *
 * status: 'queued' (stored; put on scenarios.run by the outbox), 'running' (progress 0..1),
 * 'done', 'failed' (`error` says why). The row is its own outbox entry like curve_builds.
 */
export const scenarioRuns = pgTable(
  'scenario_runs',
  {
    id: uuid().primaryKey().defaultRandom(),
    runId: text().notNull(),
    /** The organization that asked; null for house runs (the base run). */
    organizationId: uuid().references(() => organizations.id, { onDelete: 'cascade' }),
    scenarioVersionId: uuid()
      .notNull()
      .references(() => scenarioVersions.id, { onDelete: 'restrict' }),
    /** 'deterministic' or 'montecarlo'. */
    mode: text().notNull(),
    draws: integer(),
    seed: integer(),
    inputsHash: text().notNull(),
    engineVersion: text().notNull(),
    baseDataVersion: text().notNull(),
    fuelHistoryId: text().notNull(),
    lineage: jsonb().notNull(),
    status: text().notNull(),
    progress: real().notNull().default(0),
    error: text(),
    /** Summary figures written when done (e.g. average prices per market), for lists. */
    summary: jsonb(),
    ...requestAndOutboxColumns(),
  },
  (t) => [
    unique('scenario_runs_owner_run_key').on(t.organizationId, t.runId).nullsNotDistinct(),
    index('scenario_runs_version_idx').on(t.scenarioVersionId),
    index('scenario_runs_pending_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
)
