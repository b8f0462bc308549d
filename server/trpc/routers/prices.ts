import { MarketId, MarketRun, NodeType } from '@carbon/schemas'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { getNode, listNodes } from '../../services/nodes/index.ts'
import { latestPrices, priceHistory } from '../../services/prices/index.ts'
import { LatestPricesOutput, PriceHistoryInput, PriceHistoryOutput } from '../../services/prices/schemas.ts'
import type { Platform } from '../../platform.ts'
import { LiveInput } from '../../services/stream/index.ts'
import { LiveEventsOutput } from '../../services/stream/schemas.ts'
import { liveProcedure } from '../live.ts'
import { sharedAnswerOutput } from '../shared-answers.ts'
import { dataProcedure, router } from '../trpc.ts'

const MAX_NODES = 500
/** As NodeName of the price schemas: no pricing node has a longer name. */
const MAX_NODE_NAME = 128

/**
 * REST query strings cannot carry arrays through trpc-to-openapi, so node lists are one
 * comma-separated string in every channel (tRPC, SDK and REST alike).
 */
const LatestInput = z.object({
  market: MarketId,
  run: MarketRun,
  nodes: z
    .string()
    .max(20_000)
    .optional()
    .describe('comma-separated node names; omit to get every node of `types`'),
  types: z
    .string()
    .regex(/^(hub|zone|generator|interface)(,(hub|zone|generator|interface))*$/, 'comma-separated node types')
    .default('hub,zone')
    .describe('comma-separated node types used when `nodes` is omitted (default hub,zone)'),
  sparklineHours: z.number().int().min(0).max(168).default(0),
})

function splitList(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))]
}

async function resolveNodes(platform: Platform, input: z.infer<typeof LatestInput>): Promise<string[]> {
  if (input.nodes) {
    const nodes = splitList(input.nodes)
    if (nodes.length === 0) throw AppError.badRequest('nodes: give at least one node name')
    if (nodes.length > MAX_NODES) throw AppError.badRequest(`nodes: at most ${MAX_NODES} nodes per call, got ${nodes.length}`)
    const long = nodes.find((n) => n.length > MAX_NODE_NAME)
    if (long) throw AppError.badRequest(`nodes: a node name has at most ${MAX_NODE_NAME} characters, got one of ${long.length}`)
    return nodes
  }
  const types = splitList(input.types).map((t) => NodeType.parse(t))
  const nodes = await listNodes(platform.pg.db, { market: input.market, types })
  return nodes.slice(0, MAX_NODES).map((n) => n.name)
}

export const pricesRouter = router({
  latest: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/prices/latest',
        tags: ['prices'],
        summary: 'Latest prices',
        description:
          'The latest interval of one market run for many nodes, with the interval before it and the change. ' +
          'Nodes without prices are absent from the answer.',
      },
      example: { market: 'MISO', run: 'DA', nodes: 'INDIANA.HUB' },
    })
    .input(LatestInput)
    .output(sharedAnswerOutput(LatestPricesOutput))
    .query(async ({ ctx, input }) => {
      const nodes = await resolveNodes(ctx.platform, input)
      if (nodes.length === 0) return { market: input.market, run: input.run, prices: [] }
      return latestPrices(ctx.platform.ch, {
        market: input.market,
        run: input.run,
        nodes,
        sparklineHours: input.sparklineHours,
      })
    }),

  history: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/prices/history',
        tags: ['prices'],
        summary: 'Price history of one node',
        description:
          'Prices of one node and market run over [from, to), raw or rolled up hourly (UTC hours) or daily ' +
          "(days of the market's time zone), with on-peak and off-peak averages by the market's own definition.",
      },
      example: { market: 'MISO', node: 'INDIANA.HUB', run: 'DA', from: '2026-07-14T05:00:00Z', to: '2026-07-15T05:00:00Z', resolution: 'hourly' },
    })
    .input(PriceHistoryInput)
    .output(sharedAnswerOutput(PriceHistoryOutput))
    .query(async ({ ctx, input }) => {
      await getNode(ctx.platform.pg.db, input.market, input.node)
      return priceHistory(ctx.platform.ch, input)
    }),

  live: dataProcedure
    .meta({ example: { market: 'MISO', runs: 'DA', nodes: 'INDIANA.HUB' } })
    .input(LiveInput)
    .output(LiveEventsOutput)
    // Stream caps, lifetime and access re-checked while open: server/trpc/live.ts.
    .subscription(({ ctx, input, signal }) => liveProcedure(ctx, input, signal)),
})
