import { MarketId } from '@carbon/schemas'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { getRunResults, runOfCaller, toRunStatus } from '../scenarios/index.ts'
import type { MixRow, PriceRow, ScenarioAccess } from '../scenarios/schemas.ts'
import { round } from './format.ts'
import { parseParams } from './params.ts'
import type { ScenarioMixYear, ScenarioReport, ScenarioYearPrice } from './schemas.ts'
import { ScenarioReportParams } from './types.ts'

type Deps = { db: Database; ch: ClickHouseHandle }

/** The years the mix table shows (those the run has). */
export const MIX_YEARS = [2030, 2035, 2040, 2045, 2050] as const

/**
 * A scenario run's report: the scenario text and canonical form, the yearly mean of the monthly
 * on/off-peak prices per hub (with the P10/P50/P90 bands of a Monte Carlo run), the capacity and
 * generation by technology for a few years, and the lineage. Only a run the reader's
 * organization sees (its own or a house run: NOT_FOUND otherwise) and only a done one (CONFLICT).
 * `markets` limits the markets shown (default: every market).
 */
export async function scenarioReport(
  deps: Deps,
  params: ScenarioReportParams,
  access: { organizationId: string | null },
  markets: readonly MarketId[] = MarketId.options,
): Promise<ScenarioReport> {
  const { runId } = parseParams(ScenarioReportParams, params)
  const scenarioAccess: ScenarioAccess = { organizationId: access.organizationId, userId: null, label: 'report' }
  const context = await runOfCaller(deps.db, scenarioAccess, runId)
  const status = toRunStatus(context)
  const results = await getRunResults(deps, scenarioAccess, { runId, markets })
  const prices = yearlyPrices(results.prices)
  const years = [...new Set(results.mix.map((m) => Number(m.month.slice(0, 4))))].sort((a, b) => a - b)
  const mixYears = [years[0], ...MIX_YEARS].filter((y): y is number => y !== undefined && years.includes(y))
  const shownMarkets = [...new Set(results.prices.map((p) => p.market))].filter((m): m is MarketId => MarketId.safeParse(m).success)
  return {
    kind: 'scenario',
    runId: status.runId,
    scenario: status.scenario,
    owner: status.owner,
    mode: status.mode,
    draws: status.draws,
    seed: status.seed,
    runDate: (status.finishedAt ?? status.requestedAt).slice(0, 10),
    generatedAt: new Date().toISOString(),
    markets: shownMarkets,
    text: context.version.text,
    canonical: context.version.canonical,
    prices,
    bands: status.mode === 'montecarlo',
    mixYears: [...new Set(mixYears)],
    mix: yearlyMix(results.mix, new Set(mixYears)),
    lineage: {
      inputsHash: status.inputsHash,
      engineVersion: status.engineVersion,
      baseDataVersion: status.baseDataVersion,
      fuelHistoryId: status.fuelHistoryId,
      requestedBy: status.lineage.requestedByLabel,
      requestedAt: status.requestedAt,
      finishedAt: status.finishedAt,
      chain: status.lineage.chain.map((l) => ({ name: l.name, version: l.version, canonicalHash: l.canonicalHash })),
    },
  }
}

type Sums = { price: number; p10: number; p50: number; p90: number; n: number }
const emptySums = (): Sums => ({ price: 0, p10: 0, p50: 0, p90: 0, n: 0 })

/** Yearly means (hours-unweighted, as the run summary) of the monthly prices and bands, per market, hub and year. */
export function yearlyPrices(rows: readonly PriceRow[]): ScenarioYearPrice[] {
  const groups = new Map<string, { market: string; hub: string; year: number; onpeak: Sums; offpeak: Sums }>()
  for (const r of rows) {
    if (r.block !== 'onpeak' && r.block !== 'offpeak') continue
    const year = Number(r.month.slice(0, 4))
    const key = `${r.market}|${r.hub}|${year}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { market: r.market, hub: r.hub, year, onpeak: emptySums(), offpeak: emptySums() }))
    const s = g[r.block]
    s.price += r.price
    s.p10 += r.p10
    s.p50 += r.p50
    s.p90 += r.p90
    s.n++
  }
  const mean = (s: Sums, v: number) => (s.n === 0 ? 0 : round(v / s.n))
  return [...groups.values()]
    .filter((g) => g.onpeak.n > 0 && g.offpeak.n > 0)
    .map((g) => ({
      market: g.market,
      hub: g.hub,
      year: g.year,
      onpeak: mean(g.onpeak, g.onpeak.price),
      offpeak: mean(g.offpeak, g.offpeak.price),
      onpeakP10: mean(g.onpeak, g.onpeak.p10),
      onpeakP50: mean(g.onpeak, g.onpeak.p50),
      onpeakP90: mean(g.onpeak, g.onpeak.p90),
      offpeakP10: mean(g.offpeak, g.offpeak.p10),
      offpeakP50: mean(g.offpeak, g.offpeak.p50),
      offpeakP90: mean(g.offpeak, g.offpeak.p90),
    }))
    .sort((a, b) => a.market.localeCompare(b.market) || a.hub.localeCompare(b.hub) || a.year - b.year)
}

/** December capacity (GW) and the year's generation (TWh) per market, technology and year shown. */
export function yearlyMix(rows: readonly MixRow[], years: ReadonlySet<number>): ScenarioMixYear[] {
  const groups = new Map<string, { market: string; technology: string; year: number; capacityMw: number; lastMonth: string; generationMwh: number }>()
  for (const r of rows) {
    const year = Number(r.month.slice(0, 4))
    if (!years.has(year)) continue
    const key = `${r.market}|${r.technology}|${year}`
    const g = groups.get(key) ?? { market: r.market, technology: r.technology, year, capacityMw: 0, lastMonth: '', generationMwh: 0 }
    g.generationMwh += r.generationMwh
    if (r.month > g.lastMonth) {
      g.lastMonth = r.month
      g.capacityMw = r.capacityMw
    }
    groups.set(key, g)
  }
  return [...groups.values()]
    .map((g) => ({ market: g.market, technology: g.technology, year: g.year, capacityGw: round(g.capacityMw / 1000), generationTwh: round(g.generationMwh / 1e6) }))
    .sort((a, b) => a.market.localeCompare(b.market) || a.technology.localeCompare(b.technology) || a.year - b.year)
}
