/**
 * A curve prior from a fundamentals scenario run: the run's monthly on-peak and off-peak prices at
 * the curve's hub give the prior its seasonal shape (within strips) and its long-term path (past the
 * quotes). The package does not know where the prices come from (the server reads a scenario run and
 * passes them in); it only meets them with the quotes (docs/decisions/011-curve-prior-from-scenarios.md):
 *
 * - level: per block, the scenario is scaled by k so that, hours-weighted over every quote of that
 *   block, the scaled scenario reprices the quotes on average (k = Σ h·price / Σ h·scenario); a block
 *   with no quote of its own takes the other block's k (so the scenario's own peak/off-peak spread
 *   stays); with ATC quotes only, one k is fitted to them with the scenario's own on/off mix;
 * - fade: the scale holds up to the last quoted month and fades linearly to 1 over `fadeMonths`
 *   after it, so within a few years past the quotes the prior is the scenario itself;
 * - months the scenario does not cover take the escalation prior's seasonal shape and drift,
 *   anchored to the scenario's nearest covered month (continuous at the edge of the coverage).
 */
import type { MarketId } from '@carbon/schemas'
import { addMonths, compareMonths, isMonthKey, monthIndex, type MonthKey } from './calendar.ts'
import { CurveInputError, type CurveInputIssue } from './errors.ts'
import { escalationPrior } from './prior.ts'

/** Which scenario prices a build's prior comes from: what is hashed and recorded. */
export type ScenarioPriorRef = {
  /** The scenario run's id (a content hash: the same id is the same prices). */
  runId: string
  /** The scenario hub whose prices are used (the curve's hub, or the market's nearest hub the model prices). */
  hub: string
}

/** A scenario run's monthly prices for one hub ($/MWh), from `firstMonth`, one element per month. */
export type ScenarioPrior = ScenarioPriorRef & {
  firstMonth: MonthKey
  onpeak: readonly number[]
  offpeak: readonly number[]
}

/** Default months over which the scale fitted to the quotes fades to 1 after the last quoted month. */
export const DEFAULT_PRIOR_FADE_MONTHS = 36

/** What a build records about a scenario prior (its diagnostics). */
export type ScenarioPriorDiagnostics = {
  kind: 'scenario'
  runId: string
  hub: string
  /** k per block: the factor applied to the scenario up to the last quoted month. */
  scale: { onpeak: number; offpeak: number }
  fadeMonths: number
  /** The curve months the scenario covers (the rest follow the escalation shape from the nearest covered month). */
  coveredFrom: MonthKey | null
  coveredTo: MonthKey | null
}

/** Problems with the prices handed in, as curve input issues. */
export function checkScenarioPrior(prior: ScenarioPrior): CurveInputIssue[] {
  const issues: CurveInputIssue[] = []
  const at = (field: string, value: string, message: string) => issues.push({ field: `scenarioPrior.${field}`, value, message })
  if (!isMonthKey(prior.firstMonth)) at('firstMonth', String(prior.firstMonth), 'must be a month YYYY-MM')
  if (prior.onpeak.length === 0) at('onpeak', '[]', 'no months: a scenario prior needs prices')
  if (prior.onpeak.length !== prior.offpeak.length) {
    at('offpeak', `${prior.offpeak.length} months`, `must have as many months as onpeak (${prior.onpeak.length})`)
  }
  for (const block of ['onpeak', 'offpeak'] as const) {
    const bad = prior[block].findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
    if (bad >= 0 && issues.length === 0) at(`${block}[${bad}]`, String(prior[block][bad]), `must be a finite price (month ${addMonths(prior.firstMonth, bad)})`)
  }
  return issues
}

/**
 * The scenario's price per curve month and block (not yet scaled), with uncovered months filled
 * from the escalation shape anchored at the nearest covered month.
 */
export function scenarioUnits(
  market: MarketId,
  months: readonly MonthKey[],
  prior: ScenarioPrior,
  annualEscalation: number,
  shape: 'seasonal' | 'flat',
): { onpeak: Float64Array; offpeak: Float64Array; coveredFrom: MonthKey | null; coveredTo: MonthKey | null } {
  const issues = checkScenarioPrior(prior)
  if (issues.length > 0) throw new CurveInputError(issues)
  const start = monthIndex(prior.firstMonth)
  const lastCovered = addMonths(prior.firstMonth, prior.onpeak.length - 1)
  const covered = months.filter((m) => compareMonths(m, prior.firstMonth) >= 0 && compareMonths(m, lastCovered) <= 0)
  const fill = (block: 'onpeak' | 'offpeak') => {
    const values = prior[block]
    const out = new Float64Array(months.length)
    const escalation = (ms: readonly MonthKey[]) =>
      escalationPrior({ market, block, months: ms, level: 1, levelMonth: prior.firstMonth, annualEscalation, shape })
    months.forEach((m, k) => {
      const offset = monthIndex(m) - start
      if (offset >= 0 && offset < values.length) {
        out[k] = values[offset]!
        return
      }
      const anchor = offset < 0 ? prior.firstMonth : lastCovered
      const [atMonth, atAnchor] = escalation([m, anchor])
      out[k] = values[offset < 0 ? 0 : values.length - 1]! * (atMonth! / atAnchor!)
    })
    return out
  }
  return { onpeak: fill('onpeak'), offpeak: fill('offpeak'), coveredFrom: covered[0] ?? null, coveredTo: covered.at(-1) ?? null }
}

/**
 * The scale applied to the scenario in month `k` (0-based curve month): `scale` up to the last
 * quoted month (`liquidEnd`), then linearly to 1 over `fadeMonths` months, 1 after.
 */
export function fadedScale(scale: number, k: number, liquidEnd: number, fadeMonths: number): number {
  const beyond = k - liquidEnd
  if (beyond <= 0) return scale
  if (beyond >= fadeMonths) return 1
  return scale + (1 - scale) * (beyond / fadeMonths)
}
