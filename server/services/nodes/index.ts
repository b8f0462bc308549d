import { MarketId, type NodeType } from '@carbon/schemas'
import { and, asc, eq, inArray, isNull, lte, gt, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { pricingNodes, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { marketsChanged } from '../markets/index.ts'
import { createReferenceCache } from '../reference-cache.ts'
import {
  NodeSearchInput,
  NodeUpsert,
  type NodeSearchOutput,
  type PricingNode,
} from './schemas.ts'

const UPSERT_CHUNK = 1000

const nodeColumns = {
  market: pricingNodes.market,
  name: pricingNodes.name,
  type: pricingNodes.type,
  activeFrom: pricingNodes.activeFrom,
  activeTo: pricingNodes.activeTo,
}
type NodeRow = { market: string; name: string; type: NodeType; activeFrom: Date | null; activeTo: Date | null }

/**
 * Pricing nodes by market, type and case-insensitive name prefix, ordered by (market, name), one
 * page at a time. `nextCursor` continues after the last item (keyset pagination: no duplicates or
 * gaps while rows are added); it is null on the last page. Retired nodes are included.
 */
export async function searchNodes(
  db: Database,
  input: NodeSearchInput,
  options: { markets?: readonly MarketId[] } = {},
): Promise<NodeSearchOutput> {
  const parsed = NodeSearchInput.safeParse(input)
  if (!parsed.success) throw invalidInput('node search', parsed.error)
  const { market, type, q, cursor, limit } = parsed.data
  const after = cursor ? decodeCursor(cursor) : undefined

  const conditions: (SQL | undefined)[] = [
    market ? eq(pricingNodes.market, market) : undefined,
    // Restricts the search to the caller's entitled markets when given (an empty list finds nothing).
    options.markets ? inArray(pricingNodes.market, [...options.markets]) : undefined,
    type ? eq(pricingNodes.type, type) : undefined,
    // The user's text is a bound parameter; its LIKE wildcards are escaped so they match literally.
    q ? sql`lower(${pricingNodes.name}) like lower(${escapeLike(q) + '%'}) escape '\\'` : undefined,
    after ? sql`(${pricingNodes.market}, ${pricingNodes.name}) > (${after.market}, ${after.name})` : undefined,
  ]
  const rows = await db
    .select(nodeColumns)
    .from(pricingNodes)
    .where(and(...conditions))
    .orderBy(asc(pricingNodes.market), asc(pricingNodes.name))
    .limit(limit + 1)

  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(toPricingNode),
    nextCursor: rows.length > limit && last ? encodeCursor({ market: last.market, name: last.name }) : null,
  }
}

/** One node by market and exact name; AppError NOT_FOUND when there is none. */
export async function getNode(db: Database, market: MarketId, name: string): Promise<PricingNode> {
  const node = await catalogue.get(db, `node|${market}|${name}`, () => readNode(db, market, name))
  if (!node) throw AppError.notFound(`Pricing node '${name}' in market ${market}`, { market, node: name })
  return node
}

/**
 * The node catalogue as every price call reads it (the node of a history, the hubs and zones of
 * latest prices), kept for a few seconds: upsertNodes drops it at once in this process, another
 * process's upsert shows within ttlMs. Unknown nodes are kept too (null): a client asking again
 * and again for a node that does not exist should not cost a query each time.
 */
const catalogue = createReferenceCache({ ttlMs: 10_000, maxEntries: 50_000 })

async function readNode(db: Database, market: MarketId, name: string): Promise<PricingNode | null> {
  const [row] = await db
    .select(nodeColumns)
    .from(pricingNodes)
    .where(and(eq(pricingNodes.market, market), eq(pricingNodes.name, name)))
    .limit(1)
  return row ? toPricingNode(row) : null
}

/**
 * The nodes of a market active now (active_from null or past, active_to null or future; "now" as of
 * the catalogue's last read, at most 10 s ago), ordered
 * by type (hub, zone, generator, interface) then name. No `types` or an empty list means all types.
 */
export function listNodes(db: Database, options: { market: MarketId; types?: readonly NodeType[] }): Promise<PricingNode[]> {
  const types = [...new Set(options.types ?? [])].sort()
  return catalogue.get(db, `list|${options.market}|${types.join(',')}`, () => readNodeList(db, options))
}

async function readNodeList(db: Database, options: { market: MarketId; types?: readonly NodeType[] }): Promise<PricingNode[]> {
  const now = sql`now()`
  const rows = await db
    .select(nodeColumns)
    .from(pricingNodes)
    .where(
      and(
        eq(pricingNodes.market, options.market),
        options.types?.length ? inArray(pricingNodes.type, [...options.types]) : undefined,
        or(isNull(pricingNodes.activeFrom), lte(pricingNodes.activeFrom, now)),
        or(isNull(pricingNodes.activeTo), gt(pricingNodes.activeTo, now)),
      ),
    )
    .orderBy(asc(pricingNodes.type), asc(pricingNodes.name))
  return rows.map(toPricingNode)
}

/**
 * Inserts nodes or updates existing ones (matched by market + name), in one transaction, in
 * batches of 1000. `type` is always updated; `activeFrom` / `activeTo` only when the field is
 * given (null clears it), so a feed that does not know the dates does not erase them. When the
 * same node appears twice, the last one wins. Returns the number of nodes written.
 */
export async function upsertNodes(db: Database, nodes: readonly NodeUpsert[]): Promise<number> {
  const parsed = z.array(NodeUpsert).safeParse(nodes)
  if (!parsed.success) throw invalidInput('nodes', parsed.error)
  if (parsed.data.length === 0) return 0

  const unique = new Map<string, NodeUpsert>()
  for (const node of parsed.data) unique.set(`${node.market}\u0000${node.name}`, node)

  // Rows of one INSERT share their columns, so group by which optional dates are given.
  const groups = new Map<string, { withFrom: boolean; withTo: boolean; rows: NodeUpsert[] }>()
  for (const node of unique.values()) {
    const withFrom = node.activeFrom !== undefined
    const withTo = node.activeTo !== undefined
    const key = `${withFrom}:${withTo}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { withFrom, withTo, rows: [] }))
    group.rows.push(node)
  }

  const written = await db.transaction(async (tx) => {
    let written = 0
    for (const { withFrom, withTo, rows } of groups.values()) {
      for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
        const values = rows.slice(i, i + UPSERT_CHUNK).map((n) => ({
          market: n.market,
          name: n.name,
          type: n.type,
          ...(withFrom ? { activeFrom: toDate(n.activeFrom) } : {}),
          ...(withTo ? { activeTo: toDate(n.activeTo) } : {}),
        }))
        const result = await tx
          .insert(pricingNodes)
          .values(values)
          .onConflictDoUpdate({
            target: [pricingNodes.market, pricingNodes.name],
            set: {
              type: sql`excluded.type`,
              ...(withFrom ? { activeFrom: sql`excluded.active_from` } : {}),
              ...(withTo ? { activeTo: sql`excluded.active_to` } : {}),
            },
          })
          .returning({ id: pricingNodes.id })
        written += result.length
      }
    }
    return written
  })
  catalogue.clear(db)
  marketsChanged(db)
  return written
}

// Cursor: base64url of JSON [market, name] of the last item of the page.
const CursorSchema = z.tuple([MarketId, z.string().min(1)])

function encodeCursor(key: { market: string; name: string }): string {
  return Buffer.from(JSON.stringify([key.market, key.name]), 'utf8').toString('base64url')
}

function decodeCursor(cursor: string): { market: string; name: string } {
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  const parsed = CursorSchema.safeParse(value)
  if (!parsed.success) {
    throw AppError.badRequest('Invalid cursor: pass the nextCursor of a previous page unchanged', { field: 'cursor' })
  }
  const [market, name] = parsed.data
  return { market, name }
}

/** Escapes LIKE's wildcards (% and _) and its escape character (\) so they match themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function invalidInput(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  return AppError.badRequest(`Invalid ${what}: ${summary}`, { issues })
}

function toDate(iso: string | null | undefined): Date | null {
  return iso ? new Date(iso) : null
}

function toPricingNode(row: NodeRow): PricingNode {
  return {
    market: row.market as MarketId,
    name: row.name,
    type: row.type,
    activeFrom: row.activeFrom?.toISOString() ?? null,
    activeTo: row.activeTo?.toISOString() ?? null,
  }
}
