import { MARKETS, MarketId, PRODUCTS, type EntitledProduct, type MarketId as MarketIdType } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { entitledProducts } from '#server/services/auth/entitlements.ts'
import { deadLetterSummary, type DeadLetterGroup } from '#server/services/dlq/index.ts'
import { completeness, dataHealth } from '#server/services/quality/index.ts'
import { FRESHNESS_TARGET_MS, type CompletenessSeries, type DataHealth } from '#server/services/quality/schemas.ts'
import { seriesHealth } from '#server/services/quality/series-health.ts'
import type { SeriesHealth } from '#server/services/quality/series-schemas.ts'
import { accessData, auditedInput } from './data-access.server.ts'
import { parseOr } from './http.server.ts'

const HOUR = 3_600_000

/** The windows the page offers (the quality service accepts up to 7 days). */
export const HEALTH_WINDOWS = { '6h': 6 * HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR } as const
export type HealthWindow = keyof typeof HEALTH_WINDOWS

const blankIsUndefined = (v: unknown) => (v === '' ? undefined : v)
const Query = z.object({
  window: z.preprocess(blankIsUndefined, z.enum(['6h', '24h', '7d']).default('24h')),
  market: z.preprocess(blankIsUndefined, MarketId.optional()),
  dataset: z.preprocess(blankIsUndefined, z.string().max(128).optional()),
})

const MARKET_ORDER: readonly MarketIdType[] = MarketId.options

export type DataHealthView = {
  health: DataHealth
  window: HealthWindow
  /** The dataset charted (asked for, else the first with intervals in the window), with its series. */
  selected: { market: MarketIdType; dataset: string } | null
  series: CompletenessSeries | null
  markets: { id: MarketIdType; name: string; timeZone: string }[]
  /** Dead letters per dataset of the user's markets, most pending first, with their latest reasons. */
  deadLetters: DeadLetterGroup[]
  /** The series beside power the user may see in the hub: their products, and the GRID fundamentals of their markets. */
  seriesHealth: SeriesHealth
  products: { id: EntitledProduct; label: string; timeZone: string }[]
}

/** The power part of the page for a user entitled to products only (the quality service needs a market). */
function noMarkets(now: Date, window: number): DataHealth {
  return {
    generatedAt: now.toISOString(),
    window: { from: new Date(now.getTime() - window).toISOString(), to: now.toISOString() },
    freshnessTargetSeconds: FRESHNESS_TARGET_MS / 1000,
    markets: [],
    series: null,
  }
}

/**
 * The Data health page's data: the markets the user is entitled to in the hub (the same door,
 * entitlement check and audit row as every price page), their data-health summary over the
 * window, and the per-interval completeness of one dataset for the chart; beside them the health
 * of the series beside power (docs/decisions/023): the products the user is entitled to in the
 * hub and the GRID fundamentals of their markets. A user entitled to products only sees no
 * market section.
 */
export async function loadDataHealth(request: Request, context: AppLoadContext): Promise<DataHealthView> {
  const spec = { procedure: 'hub:data-health' }
  const query = await auditedInput(request, context, spec, () => parseOr(Query, Object.fromEntries(new URL(request.url).searchParams)))
  const access = await accessData(request, context, spec)
  const { platform } = access
  const markets = MARKET_ORDER.filter((m) => access.entitled.includes(m))
  const asked = query.market && query.dataset && markets.includes(query.market) ? { market: query.market, dataset: query.dataset } : undefined
  const input = { markets, now: new Date(), window: HEALTH_WINDOWS[query.window] }

  const products = await entitledProducts(platform.pg.db, access.principal, 'hub')
  const [health, besidePower] = await Promise.all([
    markets.length > 0 ? dataHealth(platform.ch, platform.pg.db, { ...input, series: asked }) : noMarkets(input.now, input.window),
    seriesHealth(platform.ch, platform.pg.db, { products, markets, now: input.now }),
  ])
  let selected = asked ?? null
  let series = health.series
  if (!asked) {
    const first = health.markets.flatMap((m) => m.datasets).find((d) => d.completeness !== null)
    if (first) {
      selected = { market: first.market, dataset: first.dataset }
      series = (await completeness(platform.ch, { ...input, markets: [first.market], series: selected })).series
    }
  }

  const deadLetters = (await deadLetterSummary(platform.pg.db)).filter((g) => g.market !== null && (markets as string[]).includes(g.market))
  await access.served({ details: { markets, products, window: query.window, dataset: selected ? `${selected.market}:${selected.dataset}` : null } })
  return {
    health: { ...health, series: null },
    window: query.window,
    selected,
    series,
    markets: markets.map((id) => ({ id, name: MARKETS[id].name, timeZone: MARKETS[id].timeZone })),
    deadLetters,
    seriesHealth: besidePower,
    products: products.map((id) => ({ id, label: PRODUCTS[id].label, timeZone: PRODUCTS[id].timeZone })),
  }
}
