import { sql } from 'drizzle-orm'
import { check, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { organizations, users } from './identity.ts'
import { dataKeys } from './markets.ts'

/** What a curve prices: power (on/off-peak blocks), gas at a hub, or an LNG basis to Henry Hub. */
export type CurveCommodity = 'power' | 'gas' | 'lng_basis'

/**
 * Forward curves. Power: one per market hub (e.g. MISO INDIANA.HUB), priced in USD/MWh, with on-peak,
 * off-peak and around-the-clock blocks; points in ClickHouse `curve_points` (migrations/clickhouse/0004).
 * Fuel (migration 0012): `market` is the product data key (GAS, LNG), `node` the gas hub's series id
 * (HENRY_HUB) or the basis (JKM-HH), one price per month in `unit` (USD/MMBtu); points in ClickHouse
 * `fuel_curve_points` (migrations/clickhouse/0008). Postgres holds what a build was made from and how.
 */
export const curves = pgTable(
  'curves',
  {
    /** `<market or product>:<node>`, e.g. `MISO:INDIANA.HUB`, `GAS:HENRY_HUB`, `LNG:JKM-HH`. */
    id: text().primaryKey(),
    /** The data key the curve is entitled under: a market for power, GAS or LNG for fuel. */
    market: text()
      .notNull()
      .references(() => dataKeys.id, { onDelete: 'restrict' }),
    /** The hub's pricing node name (pricing_nodes.name); for fuel the hub's series id or the basis name. */
    node: text().notNull(),
    name: text().notNull(),
    unit: text().notNull().default('USD/MWh'),
    commodity: text().$type<CurveCommodity>().notNull().default('power'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('curves_market_node_key').on(t.market, t.node), check('curves_commodity_check', sql`${t.commodity} IN ('power', 'gas', 'lng_basis')`)],
)

/**
 * The columns of a work row that is its own outbox entry (server/services/outbox/relay.ts): who
 * asked and when, when the work started and finished, and the outbox state. Curve builds and
 * scenario runs carry them; fresh builders per call (a column builder belongs to one table).
 */
export function requestAndOutboxColumns() {
  return {
    requestedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** Who asked, as the audit log names principals (an email, a token name, 'demo'). */
    requestedByLabel: text().notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    /** When the row was last put on its topic; null while it still has to be (the outbox). */
    publishedAt: timestamp({ withTimezone: true }),
    /** How many times the row was put on its topic. */
    publishAttempts: integer().notNull().default(0),
  }
}

/**
 * One build of a curve: the quotes it was given (as validated, in input order), the method
 * parameters, and once solved the solver's diagnostics. Versioned by curve, owner, as-of date and
 * `version` (1, 2, ... per curve, owner and as-of): a snapshot is never overwritten, a rebuild is a
 * new version, and the latest successful version is the owner's curve of that as-of date.
 *
 * Owner (docs/decisions/010-curve-ownership.md): `organization_id` null is a house build, published
 * by the platform (the demo builds) and readable by everyone entitled to the market; otherwise the
 * build is private to that organization (read and written by it alone).
 *
 * status: 'queued' (stored; published to curves.build by the outbox), 'running', 'done', 'failed'
 * (`error` says why: an inconsistent quote set names its contracts there).
 *
 * The row is its own outbox entry (server/services/curves/outbox.ts): `published_at` is null until
 * the request is on curves.build, and a queued or running build whose last publication is older
 * than the relay's bound is published again, at most a bounded number of times (`publish_attempts`),
 * then failed with the reason. A crash between the insert and the publish loses nothing.
 */
export const curveBuilds = pgTable(
  'curve_builds',
  {
    id: uuid().primaryKey().defaultRandom(),
    curveId: text()
      .notNull()
      .references(() => curves.id, { onDelete: 'restrict' }),
    /** The organization the build is private to; null for a house build (published by the platform). */
    organizationId: uuid().references(() => organizations.id, { onDelete: 'cascade' }),
    asOf: date({ mode: 'string' }).notNull(),
    version: integer().notNull(),
    status: text().notNull(),
    /** 'hub', 'csv', 'api', 'demo'. */
    source: text().notNull(),
    quotes: jsonb().notNull(),
    /** SHA-256 of the canonical inputs (market, as-of, months, sorted quotes, parameters). */
    inputsHash: text().notNull(),
    params: jsonb().notNull(),
    firstMonth: text(),
    lastMonth: text(),
    method: text(),
    diagnostics: jsonb(),
    error: text(),
    ...requestAndOutboxColumns(),
    /**
     * The scenario run (scenario_runs.run_id) whose prices were the prior beyond the quoted tenor;
     * null for builds made before scenario priors (the escalation prior).
     */
    priorRunId: text(),
  },
  (t) => [
    unique('curve_builds_version_key').on(t.curveId, t.organizationId, t.asOf, t.version).nullsNotDistinct(),
    index('curve_builds_curve_as_of_idx').on(t.curveId, t.asOf, t.status),
    index('curve_builds_pending_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
)
