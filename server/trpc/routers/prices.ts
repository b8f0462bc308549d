import { MarketId, MarketRun, NodeType } from '@carbon/schemas'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { getNode, listNodes } from '../../services/nodes/index.ts'
import { latestPrices, priceHistory } from '../../services/prices/index.ts'
import { LatestPricesOutput, PriceHistoryInput, PriceHistoryOutput } from '../../services/prices/schemas.ts'
import type { Platform } from '../../platform.ts'
import { getPriceFanout, LiveInput, openStreamSubscription, parseCursor, resolveFilter } from '../../services/stream/index.ts'
import { LiveEventsOutput } from '../../services/stream/schemas.ts'
import { dataProcedure, router } from '../trpc.ts'
import { tracked } from '@trpc/server'
import { TOPICS } from '../../adapters/bus/index.ts'
import { PRICES_CONSUMER_GROUP } from '../../workers/prices-consumer.ts'

const MAX_NODES = 500

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
    .output(LatestPricesOutput)
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
    .output(PriceHistoryOutput)
    .query(async ({ ctx, input }) => {
      await getNode(ctx.platform.pg.db, input.market, input.node)
      return priceHistory(ctx.platform.ch, input)
    }),

  live: dataProcedure
    .meta({ example: { market: 'MISO', runs: 'DA', nodes: 'INDIANA.HUB' } })
    .input(LiveInput)
    .output(LiveEventsOutput)
    .subscription(async function* ({ ctx, input, signal }) {
      const filter = await resolveFilter(ctx.platform.pg.db, input)
      const cursor = input.lastEventId ? parseCursor(input.lastEventId) : null
      const { platform } = ctx
      const subscription = await openStreamSubscription(
        { fanout: getPriceFanout(), ch: platform.ch, log: ctx.log, consumerLag: () => platform.bus.lag(TOPICS.pricesNormalized, PRICES_CONSUMER_GROUP) },
        { filter, cursor },
      )
      // Ends with the client: tRPC's signal, or the connection closing (see Context.connectionClosed).
      const gone = ctx.connectionClosed ? AbortSignal.any([signal ?? new AbortController().signal, ctx.connectionClosed]) : signal
      // Also when the generator is parked at a yield nobody pulls: detach from the fan-out now.
      gone?.addEventListener('abort', () => subscription.close(), { once: true })
      try {
        for await (const event of subscription.events(gone)) {
          yield tracked(event.id, { type: event.type, prices: event.prices, skipped: event.skipped ?? 0, reason: event.reason ?? null })
        }
      } finally {
        subscription.close()
      }
    }),
})
