import { inferNodeType, type CatalogueNode } from '@carbon/connectors'
import type { MarketId, NodeType } from '@carbon/schemas'
import { eq } from 'drizzle-orm'
import { pricingNodes, type Database } from '../../adapters/postgres/schema/index.ts'
import { upsertNodes } from '../nodes/index.ts'

/**
 * The ingest's view of the node catalogue (Postgres `pricing_nodes`): which nodes each market
 * knows, loaded once per market and kept current as the ingest registers new ones. Several ingest
 * replicas may register the same node: upsertNodes is idempotent.
 */
export type NodeCatalogue = {
  /** Registers the nodes a publisher's catalogue lists (MISO market reports name each node's type). */
  register(market: MarketId, nodes: readonly CatalogueNode[]): Promise<number>
  /** The names among `names` of nodes never seen before, sorted, each once. */
  unknownNodes(market: MarketId, names: readonly string[]): Promise<string[]>
  /** Registers nodes first seen in a feed that does not say their type (type inferred from the name). */
  admit(market: MarketId, names: readonly string[]): Promise<number>
}

export function createNodeCatalogue(db: Database): NodeCatalogue {
  const known = new Map<MarketId, Promise<Set<string>>>()

  function namesOf(market: MarketId): Promise<Set<string>> {
    let names = known.get(market)
    if (!names) {
      names = db
        .select({ name: pricingNodes.name })
        .from(pricingNodes)
        .where(eq(pricingNodes.market, market))
        .then((rows) => new Set(rows.map((r) => r.name)))
      names.catch(() => known.delete(market))
      known.set(market, names)
    }
    return names
  }

  async function write(market: MarketId, nodes: readonly { name: string; type: NodeType }[]): Promise<number> {
    if (nodes.length === 0) return 0
    await upsertNodes(db, nodes.map((n) => ({ market, name: n.name, type: n.type })))
    const names = await namesOf(market)
    for (const node of nodes) names.add(node.name)
    return nodes.length
  }

  return {
    async register(market, nodes) {
      const names = await namesOf(market)
      // Only new names: a daily report lists every node, and re-writing 2,600 rows each time is waste.
      return write(market, nodes.filter((n) => !names.has(n.name)))
    },
    async unknownNodes(market, names) {
      const known = await namesOf(market)
      const unknown = new Set<string>()
      for (const name of names) if (!known.has(name)) unknown.add(name)
      return [...unknown].sort()
    },
    async admit(market, names) {
      return write(market, names.map((name) => ({ name, type: inferNodeType(market, name) })))
    },
  }
}
