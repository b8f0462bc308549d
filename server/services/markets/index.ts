import type { MarketId } from '@carbon/schemas'
import { asc, count, eq } from 'drizzle-orm'
import { markets, pricingNodes, type Database } from '../../adapters/postgres/schema/index.ts'
import { createReferenceCache } from '../reference-cache.ts'
import type { MarketListOutput } from './schemas.ts'

/**
 * Markets change with a migration and node counts with a node catalogue write, which in this
 * process drops the list at once (marketsChanged); a write by another process (an ingest worker)
 * shows here within ttlMs.
 */
const marketList = createReferenceCache({ ttlMs: 10_000, maxEntries: 1 })

/**
 * Every market with its clock, runs, peak definition and number of pricing nodes: read once per
 * 10 s (every authenticated page and markets.list call asks), frozen, shared.
 */
export function listMarkets(db: Database): Promise<MarketListOutput> {
  return marketList.get(db, 'markets', () => readMarkets(db))
}

/** The market list of `db` is read again on its next use (its markets or node catalogue changed). */
export function marketsChanged(db: Database): void {
  marketList.clear(db)
}

async function readMarkets(db: Database): Promise<MarketListOutput> {
  const nodeCounts = db
    .select({ market: pricingNodes.market, nodeCount: count().as('node_count') })
    .from(pricingNodes)
    .groupBy(pricingNodes.market)
    .as('node_counts')
  const rows = await db
    .select({ market: markets, nodeCount: nodeCounts.nodeCount })
    .from(markets)
    .leftJoin(nodeCounts, eq(nodeCounts.market, markets.id))
    .orderBy(asc(markets.id))
  return {
    markets: rows.map(({ market, nodeCount }) => ({
      id: market.id as MarketId,
      name: market.name,
      timeZone: market.timeZone,
      runs: market.runs,
      intervalMinutes: Object.fromEntries(
        market.runs.flatMap((run) => {
          const minutes = market.intervalMinutes[run]
          return minutes === undefined ? [] : [[run, minutes]]
        }),
      ),
      peak: {
        timeZone: market.peakTimeZone,
        hourEndingFrom: market.peakHourEndingFrom,
        hourEndingTo: market.peakHourEndingTo,
        days: market.peakDays,
        holidays: 'NERC' as const,
      },
      nodeCount: Number(nodeCount ?? 0),
    })),
  }
}
