import { MARKETS, RUN_INTERVAL_MINUTES, type PriceRecord } from '@carbon/schemas'
import { DEMO_NODES, generateDemoPrices, loadFixtureRecords } from '@carbon/demo-data'
import { sql } from 'drizzle-orm'
import type { Platform } from '../../platform.ts'
import { upsertNodes } from '../nodes/index.ts'
import { insertPrices } from '../prices/index.ts'
import { allPricesChanged } from '../prices/read-cache.ts'

export const DEFAULT_DEMO_DAYS = 90

export type SeedProgress = { tick(n: number): void; finish(): void }
export type SeedOptions = { days?: number; end?: Date; seed?: number; progress?: (total: number) => SeedProgress }

/** Records the generator will make: every demo node x every run of its market x every interval. */
export function expectedDemoRecords(days: number): number {
  return DEMO_NODES.reduce((sum, node) => {
    const perDay = MARKETS[node.market].runs
      .filter((run) => run !== 'RTH')
      .reduce((s, run) => s + 1440 / RUN_INTERVAL_MINUTES[run], 0)
    return sum + perDay * days
  }, 0)
}

/** Whether the price store holds any price at all. */
export async function hasPrices(platform: Platform): Promise<boolean> {
  const result = await platform.ch.client.query({ query: 'SELECT count() AS n FROM prices', format: 'JSONEachRow' })
  const rows = (await result.json()) as { n: number | string }[]
  return Number(rows[0]?.n ?? 0) > 0
}

/** Removes every price and pricing node, so the demo starts over. */
export async function clearDemo(platform: Platform): Promise<void> {
  await platform.ch.client.command({ query: 'TRUNCATE TABLE IF EXISTS prices' })
  allPricesChanged(platform.ch)
  await platform.pg.db.execute(sql`DELETE FROM pricing_nodes`)
}

/**
 * Loads the demo: the real publisher files shipped in packages/connectors/fixtures, then
 * `days` of generated history for every demo hub and zone, ending at `end` (default now).
 */
export async function seedDemo(platform: Platform, options: SeedOptions = {}): Promise<{ nodes: number; records: number }> {
  const days = options.days ?? DEFAULT_DEMO_DAYS
  const end = options.end ?? new Date()
  const fixtures = loadFixtureRecords()
  const nodeMap = new Map<string, (typeof DEMO_NODES)[number]>()
  for (const node of [...fixtures.nodes, ...DEMO_NODES]) nodeMap.set(`${node.market}:${node.name}`, node)
  const nodes = await upsertNodes(platform.pg.db, [...nodeMap.values()])

  const progress = options.progress?.(fixtures.records.length + expectedDemoRecords(days))
  let records = 0
  const insert = async (batch: PriceRecord[]) => {
    await insertPrices(platform.ch, batch)
    records += batch.length
    progress?.tick(batch.length)
  }
  await insert(fixtures.records)
  let pending: PriceRecord[] = []
  for (const batch of generateDemoPrices({ end, days, seed: options.seed })) {
    for (const record of batch) pending.push(record)
    if (pending.length >= 100_000) {
      await insert(pending)
      pending = []
    }
  }
  if (pending.length > 0) await insert(pending)
  progress?.finish()
  platform.log.info({ nodes, records, days }, 'demo data loaded')
  return { nodes, records }
}
