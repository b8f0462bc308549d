import type { MarketId, MarketRun, NodeType } from '@carbon/schemas'
import type { Platform } from '#server/platform.ts'
import { listNodes } from '#server/services/nodes/index.ts'
import { latestPrices } from '#server/services/prices/index.ts'
import type { BoardRow, MarketBoard } from './board.ts'

/** The node types a price board lists: the traded points, not every generator bus. */
export const BOARD_NODE_TYPES: readonly NodeType[] = ['hub', 'zone']

const LATEST_MAX_NODES = 500

/**
 * One market's price board: its hubs and zones with the latest price of each requested run,
 * and an hourly sparkline of `sparklineHours` for the `sparklineRun`. Pure composition of the
 * node and price services; nodes without prices keep a row with empty cells.
 */
export async function loadBoard(
  platform: Platform,
  market: MarketBoard['market'],
  options: { runs: MarketRun[]; sparklineRun?: MarketRun; sparklineHours?: number },
): Promise<MarketBoard> {
  const nodes = await listNodes(platform.pg.db, { market: market.id as MarketId, types: BOARD_NODE_TYPES })
  const rows: BoardRow[] = nodes.map((n) => ({ node: n.name, type: n.type, prices: {} }))
  const byName = new Map(rows.map((r) => [r.node, r]))
  const names = nodes.map((n) => n.name)
  const runs = options.runs.filter((r) => market.runs.includes(r))

  await Promise.all(
    runs.flatMap((run) =>
      chunks(names, LATEST_MAX_NODES).map(async (chunk) => {
        const out = await latestPrices(platform.ch, {
          market: market.id as MarketId,
          run,
          nodes: chunk,
          sparklineHours: run === options.sparklineRun ? (options.sparklineHours ?? 24) : 0,
        })
        for (const { node, ...price } of out.prices) {
          const row = byName.get(node)
          if (row) row.prices[run] = price
        }
      }),
    ),
  )

  return {
    market: { id: market.id, name: market.name, timeZone: market.timeZone, runs: market.runs, nodeCount: market.nodeCount },
    runs,
    rows,
    hasData: rows.some((r) => Object.keys(r.prices).length > 0),
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
