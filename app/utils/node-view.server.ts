import { MarketId, MarketRun, MARKETS } from '@carbon/schemas'
import { z } from 'zod'
import { isAppError } from '#server/errors.ts'
import type { AppLoadContext } from '@remix-run/node'
import { accessData, auditedInput } from './data-access.server.ts'
import { getNode } from '#server/services/nodes/index.ts'
import { latestPrices, priceHistory } from '#server/services/prices/index.ts'
import type { PriceHistoryOutput } from '#server/services/prices/schemas.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'
import {
  defaultRtRun,
  mergeRows,
  RANGE_KEYS,
  RESOLUTIONS,
  toPointValues,
  viewWindow,
  type NodeViewQuery,
  type RangeKey,
  type ViewRow,
} from './node-view.ts'

const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

/** Query parameters of the node page and its CSV. Unknown values are a 400, missing ones default. */
const NodeViewQuerySchema = z.object({
  resolution: z.preprocess(emptyToUndefined, z.enum(RESOLUTIONS).default('hourly')),
  range: z.preprocess(emptyToUndefined, z.enum(RANGE_KEYS as [RangeKey, ...RangeKey[]]).default('7d')),
  rt: z.preprocess(emptyToUndefined, MarketRun.exclude(['DA']).optional()),
  page: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(1)),
  end: z.preprocess(emptyToUndefined, z.enum(['rt', 'da']).default('rt')),
}) satisfies z.ZodType<NodeViewQuery, unknown>

const NodeRouteParams = z.object({
  market: z.string().min(1).max(16),
  node: z.string().min(1).max(128),
})

type Summary = PriceHistoryOutput['summary']

export type NodeViewData = {
  market: { id: MarketId; name: string; timeZone: string; runs: readonly MarketRun[] }
  node: { name: string; type: string; activeFrom: string | null; activeTo: string | null }
  query: NodeViewQuery & { rt: Exclude<MarketRun, 'DA'> }
  /** Runs a user can draw against DA. */
  rtRuns: Exclude<MarketRun, 'DA'>[]
  window: { from: string; to: string } | null
  latest: { da: string | null; rt: string | null }
  /** A user-facing notice when the history could not be shown (e.g. too many raw points). */
  notice: string | null
  summary: { da: Summary | null; rt: Summary | null }
  rows: ViewRow[]
}

/**
 * Everything the node page and its CSV show: validates the route and query, resolves the node
 * (404 when unknown), finds the latest data and loads DA and real-time history for the window
 * ending there. A BAD_REQUEST from the history service (range too long for the resolution)
 * becomes a notice, not an error page.
 */
/** The node page's route and query: an unknown market is a 404, a bad query or run a 400 naming it. */
function readNodeViewInput(request: Request, rawParams: Record<string, string | undefined>) {
  const params = parseOr(NodeRouteParams, rawParams)
  const marketId = MarketId.safeParse(params.market.toUpperCase())
  invariantResponse(marketId.success, `Unknown market '${params.market}'`, { status: 404 })
  const def = MARKETS[marketId.data]
  const query = parseOr(NodeViewQuerySchema, Object.fromEntries(new URL(request.url).searchParams))
  const rtRuns = def.runs.filter((r): r is Exclude<MarketRun, 'DA'> => r !== 'DA')
  const rt = query.rt ?? defaultRtRun(def.runs)
  invariantResponse(rt && rtRuns.includes(rt), `${def.id} has no real-time run '${query.rt ?? ''}'; choose one of ${rtRuns.join(', ')}`)
  return { params, def, query, rt, rtRuns }
}

export async function loadNodeView(
  request: Request,
  context: AppLoadContext,
  rawParams: Record<string, string | undefined>,
  purpose: { channel: 'hub' | 'downloads'; procedure: string },
): Promise<NodeViewData> {
  const { params, def, query, rt, rtRuns } = await auditedInput(request, context, purpose, () => readNodeViewInput(request, rawParams))

  const access = await accessData(request, context, { ...purpose, market: def.id })
  const { platform } = access
  const [node, daLatest, rtLatest] = await Promise.all([
    orRespond(getNode(platform.pg.db, def.id, params.node)),
    orRespond(latestPrices(platform.ch, { market: def.id, run: 'DA', nodes: [params.node] })),
    orRespond(latestPrices(platform.ch, { market: def.id, run: rt, nodes: [params.node] })),
  ])
  const latestDa = daLatest.prices[0]?.intervalEnd ?? null
  const latestRt = rtLatest.prices[0]?.intervalEnd ?? null

  const base: NodeViewData = {
    market: { id: def.id, name: def.name, timeZone: def.timeZone, runs: def.runs },
    node: { name: node.name, type: node.type, activeFrom: node.activeFrom, activeTo: node.activeTo },
    query: { ...query, rt },
    rtRuns,
    window: null,
    latest: { da: latestDa, rt: latestRt },
    notice: null,
    summary: { da: null, rt: null },
    rows: [],
  }
  // The window ends at the latest real-time interval, or with end=da at the last published DA
  // hour (usually tomorrow's); whichever exists when the other does not.
  const anchor = query.end === 'da' ? (latestDa ?? latestRt) : (latestRt ?? latestDa)
  if (!anchor) {
    await access.served({ nodes: [node.name], details: { empty: true } })
    return base
  }

  const { from, to } = viewWindow(new Date(anchor), query.range, query.resolution, def.timeZone)
  base.window = { from: from.toISOString(), to: to.toISOString() }
  const input = { market: def.id, node: node.name, from: from.toISOString(), to: to.toISOString(), resolution: query.resolution }
  try {
    const [da, rtHistory] = await Promise.all([
      priceHistory(platform.ch, { ...input, run: 'DA' }),
      priceHistory(platform.ch, { ...input, run: rt }),
    ])
    base.summary = { da: da.summary, rt: rtHistory.summary }
    base.rows = mergeRows(da.points.map(toPointValues), rtHistory.points.map(toPointValues))
  } catch (error) {
    if (isAppError(error) && error.code === 'BAD_REQUEST') base.notice = error.userMessage
    else throw error
  }
  await access.served({
    nodes: [node.name],
    rangeFrom: input.from,
    rangeTo: input.to,
    details: { resolution: query.resolution, rt, rows: base.rows.length },
  })
  return base
}
