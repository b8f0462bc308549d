/**
 * What the editor can offer while typing: keywords (statements, clauses and the value `forward`),
 * targets (with unit and description), units, technologies and markets. Plain data, in a fixed order.
 */
import { SCENARIO_MARKETS, TECHNOLOGIES, UNITS } from '../types.ts'
import { CLAUSE_KEYWORDS, STATEMENT_KEYWORDS, VALUE_KEYWORDS } from './parser.ts'
import { CONCRETE_TARGETS } from './targets.ts'

export type Completion = {
  label: string
  type: 'keyword' | 'target' | 'unit' | 'technology' | 'market'
  /** A short note: a target's unit and meaning, a keyword's use. */
  detail: string
}

const KEYWORD_DETAIL: Record<string, string> = {
  scenario: 'scenario "<name>" [extends "<parent>"]',
  set: 'set <target> = <number> <unit> [from YYYY-MM] [escalate <n> %/yr], or set fuel.gas = forward [from YYYY-MM]',
  build: 'build <tech> <MW> MW in <market> at YYYY-MM',
  retire: 'retire <tech> <MW> MW in <market> at YYYY-MM',
  extends: 'the parent scenario',
  from: 'the month the value applies from',
  escalate: 'growth per year after from, %/yr',
  in: 'the market',
  at: 'the month of the change',
  forward: "fuel.gas only: the run's Henry Hub forward curve (the latest house build), no unit, no escalate",
}

export function completions(): Completion[] {
  const keywords = [...STATEMENT_KEYWORDS, ...CLAUSE_KEYWORDS.filter((k) => k !== 'chain' && k !== 'by'), ...VALUE_KEYWORDS]
  return [
    ...keywords.map((k) => ({ label: k, type: 'keyword' as const, detail: KEYWORD_DETAIL[k] ?? '' })),
    ...CONCRETE_TARGETS.map((t) => ({ label: t.target, type: 'target' as const, detail: `${t.spec.unit}: ${t.spec.description}` })),
    ...UNITS.map((u) => ({ label: u, type: 'unit' as const, detail: 'unit' })),
    ...TECHNOLOGIES.map((t) => ({ label: t, type: 'technology' as const, detail: 'technology' })),
    ...SCENARIO_MARKETS.map((m) => ({ label: m, type: 'market' as const, detail: 'market' })),
  ]
}
