import type { PriceRecord } from '@carbon/schemas'

export type BulkPrices = {
  /** Node names are `<prefix>.N0000` .. */
  prefix: string
  nodes: number
  /** The first interval's start (ms); intervals are five minutes, all nodes of one before the next. */
  start: number
  source: string
  /** LMPs cycle `lmpBase + (i % lmpCycle) * 0.01`, rounded to cents. */
  lmpBase: number
  lmpCycle: number
}

/** Record `i` of a bulk MISO RT5 load (the sidecar tests' Kafka backlogs). */
export function bulkPriceRecord(i: number, bulk: BulkPrices): PriceRecord {
  const start = bulk.start + Math.floor(i / bulk.nodes) * 300_000
  const lmp = Math.round((bulk.lmpBase + (i % bulk.lmpCycle) * 0.01) * 100) / 100
  return {
    market: 'MISO',
    node: `${bulk.prefix}.N${String(i % bulk.nodes).padStart(4, '0')}`,
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + 300_000).toISOString(),
    lmp,
    energy: lmp - 1,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source: bulk.source,
    publishedAt: null,
  }
}
