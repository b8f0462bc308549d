import type { PriceRecord } from '@carbon/schemas'

/**
 * Test prices: `records(prefix, count, nodes)` makes `count` five-minute MISO RT5 records cycling
 * over nodes `<prefix>.N0 .. N<nodes-1>`, intervals and LMPs strictly increasing across calls (so
 * every price is unique and order is visible), all with the given `source`.
 */
export function priceRecordFactory(source: string, start = Date.parse('2026-11-20T00:00:00Z')) {
  let sequence = 0
  return function records(prefix: string, count: number, nodes = 3): PriceRecord[] {
    return Array.from({ length: count }, (_, i) => {
      const n = sequence++
      const from = start + Math.floor(n / nodes) * 300_000
      return {
        market: 'MISO',
        node: `${prefix}.N${i % nodes}`,
        run: 'RT5',
        intervalStart: new Date(from).toISOString(),
        intervalEnd: new Date(from + 300_000).toISOString(),
        lmp: 20 + n / 100,
        energy: null,
        congestion: null,
        loss: null,
        ghg: null,
        source,
        publishedAt: null,
      } satisfies PriceRecord
    })
  }
}
