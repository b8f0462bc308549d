import { type MarketRun, NodeType } from '@carbon/schemas'
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core'

/** Reference data: data keys, markets and their pricing nodes, products. */

export const nodeType = pgEnum('node_type', NodeType.options as [NodeType, ...NodeType[]])

/**
 * Every key data is entitled, ingested and dead-lettered under: a market (MISO) or a product
 * beside power (GAS, LNG, LCFS, REC). The `market` columns of entitlements, watermarks, runs and
 * backfills reference it, so one key space serves both (docs/decisions/023).
 */
export const dataKeys = pgTable(
  'data_keys',
  {
    id: text().primaryKey(),
    kind: text().$type<'market' | 'product'>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('data_keys_kind_check', sql`${t.kind} IN ('market', 'product')`)],
)

export const markets = pgTable('markets', {
  /** Market id as used everywhere else ('MISO', 'CAISO'). */
  id: text()
    .primaryKey()
    .references(() => dataKeys.id, { onDelete: 'restrict' }),
  name: text().notNull(),
  /** IANA time zone of the market clock (trade days, daily rollups). */
  timeZone: text().notNull(),
  runs: text().array().$type<MarketRun[]>().notNull(),
  /** Interval length in minutes per run, e.g. { "DA": 60, "RT5": 5 }. */
  intervalMinutes: jsonb().$type<Partial<Record<MarketRun, number>>>().notNull(),
  peakTimeZone: text().notNull(),
  peakHourEndingFrom: integer().notNull(),
  peakHourEndingTo: integer().notNull(),
  /** ISO weekdays, 1 = Monday. */
  peakDays: integer().array().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
})

export const pricingNodes = pgTable(
  'pricing_nodes',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    market: text()
      .notNull()
      .references(() => markets.id, { onDelete: 'restrict' }),
    name: text().notNull(),
    type: nodeType().notNull(),
    activeFrom: timestamp({ withTimezone: true }),
    activeTo: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Also the keyset order of node search: (market, name).
    unique('pricing_nodes_market_name_key').on(t.market, t.name),
    // Case-insensitive prefix search: lower(name) LIKE 'abc%' (text_pattern_ops works under any collation).
    index('pricing_nodes_name_prefix_idx').using('btree', sql`lower(${t.name}) text_pattern_ops`),
  ],
)

/** The products beside power prices (@carbon/schemas PRODUCTS), seeded like the markets. */
export const products = pgTable('products', {
  id: text()
    .primaryKey()
    .references(() => dataKeys.id, { onDelete: 'restrict' }),
  label: text().notNull(),
  name: text().notNull(),
  /** 'commodity' or 'environmental'. */
  kind: text().notNull(),
  /** IANA time zone its dates are read in. */
  timeZone: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
})
