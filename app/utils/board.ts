import type { MarketRun, NodeType } from '@carbon/schemas'
import type { Market } from '#server/services/markets/schemas.ts'
import type { LatestPrice } from '#server/services/prices/schemas.ts'

/** Shapes of the price boards (overview and market pages); loaded by board.server.ts. */

/** The latest-price fields a board cell shows (the sparkline only where asked for). */
export type BoardPrice = Omit<LatestPrice, 'node'>

export type BoardRow = {
  node: string
  type: NodeType
  prices: Partial<Record<MarketRun, BoardPrice>>
}

export type MarketBoard = {
  market: Pick<Market, 'id' | 'name' | 'timeZone' | 'runs' | 'nodeCount'>
  runs: MarketRun[]
  rows: BoardRow[]
  /** Whether any requested run has a price for any node. */
  hasData: boolean
}

