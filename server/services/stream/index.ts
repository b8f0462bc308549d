import { MarketId, MarketRun, NodeType } from '@carbon/schemas'
import { z } from 'zod'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { listNodes } from '../nodes/index.ts'
import type { PriceFanout } from './fanout.ts'
import type { StreamFilter } from './types.ts'

export { formatCursor, parseCursor, type Cursor } from './cursor.ts'
export { startPriceFanout, type PriceFanout } from './fanout.ts'
export { openStreamSubscription, type StreamSubscription } from './subscription.ts'
export type { StreamEvent, StreamFilter, StreamPrice } from './types.ts'

const MAX_NODES = 5_000
const list = (value: string) => [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))]

/** A live subscription's parameters, the same for tRPC (hub, SDK) and the REST SSE endpoint. */
export const LiveInput = z.object({
  market: MarketId,
  runs: z
    .string()
    .regex(/^(DA|RT5|RT15|RTH)(,(DA|RT5|RT15|RTH))*$/, 'comma-separated market runs (DA, RT5, RT15, RTH)')
    .optional()
    .describe('comma-separated market runs; omit for every run'),
  nodes: z.string().max(100_000).optional().describe('comma-separated node names; omit to follow every node of `types`'),
  types: z
    .string()
    .regex(/^(hub|zone|generator|interface)(,(hub|zone|generator|interface))*$/, 'comma-separated node types')
    .optional()
    .describe('comma-separated node types used when `nodes` is omitted; omit both for every node of the market'),
  lastEventId: z.string().max(40_000).optional().describe('resume after this event id (the SSE Last-Event-ID)'),
})
export type LiveInput = z.infer<typeof LiveInput>

/** The filter a subscription applies: node types become the node names the catalogue knows now. */
export async function resolveFilter(db: Database, input: LiveInput): Promise<StreamFilter> {
  const runs = input.runs ? new Set(list(input.runs).map((r) => MarketRun.parse(r))) : null
  if (input.nodes) {
    const nodes = list(input.nodes)
    if (nodes.length === 0) throw AppError.badRequest('nodes: give at least one node name')
    if (nodes.length > MAX_NODES) throw AppError.badRequest(`nodes: at most ${MAX_NODES} nodes per subscription, got ${nodes.length}`)
    return { market: input.market, runs, nodes: new Set(nodes) }
  }
  if (!input.types) return { market: input.market, runs, nodes: null }
  const types = list(input.types).map((t) => NodeType.parse(t))
  const nodes = await listNodes(db, { market: input.market, types })
  return { market: input.market, runs, nodes: new Set(nodes.map((n) => n.name)) }
}

const globalForStream = globalThis as unknown as { __carbonFanout?: PriceFanout }

/** The web process's fan-out (started by `carbon serve`). */
export function getPriceFanout(): PriceFanout {
  const fanout = globalForStream.__carbonFanout
  if (!fanout) throw new AppError('UNAVAILABLE', 'The live price stream is not running in this process')
  return fanout
}

export function setPriceFanout(fanout: PriceFanout | undefined): void {
  globalForStream.__carbonFanout = fanout
}
