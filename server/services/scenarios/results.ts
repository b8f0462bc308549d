import type { MarketId } from '@carbon/schemas'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { statementsByTarget } from './engine.ts'
import { readRunMix, readRunPrices } from './result-store.ts'
import { runOfCaller } from './runs.ts'
import type { AssumptionChange, PriceDelta, PriceRow, RunDiff, RunResults, ScenarioAccess } from './schemas.ts'

/** Reading run results (market data: the markets are the caller's, already entitled) and comparing two runs. */

type ResultsDeps = { db: Database; ch: ClickHouseHandle }

function requireDone(run: { runId: string; status: string; progress: number; error: string | null }): void {
  if (run.status === 'done') return
  if (run.status === 'failed') throw new AppError('CONFLICT', `run ${run.runId} failed: ${run.error ?? 'no reason recorded'}; it has no results`, { details: { runId: run.runId } })
  throw new AppError('CONFLICT', `run ${run.runId} is ${run.status} (${Math.round(run.progress * 100)} %): its results are there once it is done`, {
    details: { runId: run.runId, status: run.status },
  })
}

/**
 * getRunResults: a done run's prices, mix and system rows for the markets given (the caller named
 * them and was entitled to each on its channel), optionally within [from, to].
 */
export async function getRunResults(
  deps: ResultsDeps,
  access: ScenarioAccess,
  input: { runId: string; markets: readonly MarketId[]; from?: string; to?: string },
): Promise<RunResults> {
  if (input.from && input.to && input.from > input.to) {
    throw new AppError('BAD_REQUEST', `from ${input.from} is after to ${input.to}`, { details: { field: 'from', value: input.from } })
  }
  const { run } = await runOfCaller(deps.db, access, input.runId)
  requireDone(run)
  const prices = await readRunPrices(deps.ch, run.runId, input.markets, input)
  const { mix, system } = await readRunMix(deps.ch, run.runId, input.markets, input)
  return { runId: run.runId, prices, mix, system }
}

/** The canonical statements that differ between two canonical texts, by target (sorted). */
export function assumptionChanges(a: string, b: string): AssumptionChange[] {
  const left = statementsByTarget(a)
  const right = statementsByTarget(b)
  const targets = [...new Set([...left.keys(), ...right.keys()])].sort()
  return targets.flatMap((target) => {
    const x = left.get(target) ?? null
    const y = right.get(target) ?? null
    return x === y ? [] : [{ target, a: x, b: y }]
  })
}

/** Price deltas b - a per market, hub, block and month present in both runs. */
export function priceDeltas(a: PriceRow[], b: PriceRow[]): PriceDelta[] {
  const key = (p: PriceRow) => `${p.market}|${p.hub}|${p.block}|${p.month}`
  const other = new Map(b.map((p) => [key(p), p]))
  const out: PriceDelta[] = []
  for (const left of a) {
    const right = other.get(key(left))
    if (!right) continue
    const delta = right.price - left.price
    out.push({
      market: left.market,
      hub: left.hub,
      block: left.block,
      month: left.month,
      a: left.price,
      b: right.price,
      delta,
      deltaPct: left.price === 0 ? null : (delta / Math.abs(left.price)) * 100,
    })
  }
  return out
}

/** diffRuns: the assumption changes (canonical statements) and the monthly price changes of two done runs the caller sees. */
export async function diffRuns(deps: ResultsDeps, access: ScenarioAccess, input: { a: string; b: string; markets: readonly MarketId[] }): Promise<RunDiff> {
  const a = await runOfCaller(deps.db, access, input.a)
  const b = await runOfCaller(deps.db, access, input.b)
  requireDone(a.run)
  requireDone(b.run)
  const [pricesA, pricesB] = [await readRunPrices(deps.ch, a.run.runId, input.markets), await readRunPrices(deps.ch, b.run.runId, input.markets)]
  return {
    a: a.run.runId,
    b: b.run.runId,
    assumptions: assumptionChanges(a.version.canonical, b.version.canonical),
    prices: priceDeltas(pricesA, pricesB),
  }
}
