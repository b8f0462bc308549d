import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { markets } from './markets.ts'

/** How far each market's dataset has been ingested (e.g. MISO x 'DA'). */
export const ingestWatermarks = pgTable(
  'ingest_watermarks',
  {
    market: text()
      .notNull()
      .references(() => markets.id, { onDelete: 'restrict' }),
    dataset: text().notNull(),
    lastIntervalStart: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'ingest_watermarks_pkey', columns: [t.market, t.dataset] })],
)
