import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import { compareCurves, getCurve, type CurveViewer } from '../curves/index.ts'
import type { BuildSummary, CurveCompareOutput } from '../curves/schemas.ts'
import { round } from './format.ts'
import { parseParams } from './params.ts'
import type { CurveReport, CurveReportRow } from './schemas.ts'
import { CurveReportParams } from './types.ts'

type Deps = { db: Database; ch: ClickHouseHandle }

/**
 * Reader of the house builds only: no organization has this id (the nil UUID), so only builds
 * without an owner match (server/services/curves visibleTo).
 */
export const HOUSE_CURVE_VIEWER: CurveViewer = { organizationId: '00000000-0000-0000-0000-000000000000' }

type Blocks = { onpeak: number; offpeak: number; atc: number }
const roundBlocks = (b: Blocks | null): Blocks | null => (b ? { onpeak: round(b.onpeak), offpeak: round(b.offpeak), atc: round(b.atc) } : null)

/**
 * A hub's forward curve at the standard granularity (quarters for ten years, calendar years to
 * 2050), on-peak, off-peak and ATC, with the change against an earlier as-of date (compareTo,
 * default the one before asOf; when there is none the report says so). The builds are those the
 * viewer sees: its organization's before the house's.
 */
export async function curveReport(deps: Deps, params: CurveReportParams, viewer: CurveViewer = HOUSE_CURVE_VIEWER): Promise<CurveReport> {
  const input = parseParams(CurveReportParams, params)
  const curve = await getCurve(deps, { market: input.market, node: input.node, asOf: input.asOf, granularity: 'standard' }, viewer)
  const comparison = await compareWith(deps, input, curve.build.asOf, viewer)
  const byPeriod = new Map((comparison.compare?.rows ?? []).map((r) => [r.period, r]))
  const rows: CurveReportRow[] = curve.points.map((p) => {
    const other = byPeriod.get(p.period)
    return {
      period: p.period,
      first: p.first,
      last: p.last,
      onpeak: round(p.onpeak),
      offpeak: round(p.offpeak),
      atc: round(p.atc),
      compared: roundBlocks(other?.other ?? null),
      change: roundBlocks(other?.change ?? null),
    }
  })
  return {
    kind: 'curve',
    market: curve.curve.market,
    node: curve.curve.node,
    name: curve.curve.name,
    unit: curve.curve.unit,
    asOf: curve.build.asOf,
    version: curve.build.version,
    owner: curve.build.owner,
    compareTo: comparison.compare?.other.asOf ?? null,
    compareMessage: comparison.message,
    prior: priorText(curve.build),
    quoteCount: curve.build.quoteCount,
    generatedAt: new Date().toISOString(),
    rows,
  }
}

/**
 * The comparison with compareTo (a named date must exist: NOT_FOUND otherwise) or with the
 * as-of date before (its absence is a message, not an error).
 */
async function compareWith(
  deps: Deps,
  input: CurveReportParams,
  asOf: string,
  viewer: CurveViewer,
): Promise<{ compare: CurveCompareOutput | null; message: string | null }> {
  try {
    const compare = await compareCurves(deps, { market: input.market, node: input.node, asOf, against: input.compareTo, granularity: 'standard' }, viewer)
    return { compare, message: null }
  } catch (error) {
    if (input.compareTo === undefined && isAppError(error) && error.code === 'NOT_FOUND') {
      return { compare: null, message: `No curve was built before ${asOf} to compare with.` }
    }
    throw error
  }
}

function priorText(build: BuildSummary): string {
  const prior = build.prior
  if (prior.kind === 'escalation') return 'escalation of the last quotes'
  const hub = prior.hub ? ` (${prior.hub})` : ''
  return prior.base ? `the base scenario${hub}` : `scenario run ${prior.runId ?? '?'}${hub}`
}
