/**
 * The scenario language: text -> diagnostics and resolved Assumptions -> canonical text.
 * Browser-safe (no Node module anywhere under language/): the hub's editor runs it as you type.
 *
 * Values: as written in their unit, except percentages (`%/yr`, `%`), which are fractions in
 * Assumptions: `set load.MISO.growth = 1.5 %/yr` -> value 0.015; `escalate 2 %/yr` -> 0.02.
 * `set fuel.gas = forward` -> value null (the run's Henry Hub forward curve, types.ts SetAssumption).
 */
import { type Assumptions } from '../types.ts'
import { canonicalText } from './canonical.ts'
import { type Diagnostic } from './diagnostics.ts'
import { parseScenario } from './parser.ts'
import { resolveScenario, type ResolveOptions, type ScenarioLookup } from './resolve.ts'

export { formatDiagnostic, type Diagnostic, type Span } from './diagnostics.ts'
export { parseScenario, STATEMENT_KEYWORDS, CLAUSE_KEYWORDS, VALUE_KEYWORDS, type ParsedChange, type ParsedSet, type ScenarioDocument, type ScenarioHeader } from './parser.ts'
export { resolveScenario, sortAssumptions, type ResolveOptions, type ScenarioLookup } from './resolve.ts'
export { canonicalChange, canonicalSet, canonicalStatements, canonicalText } from './canonical.ts'
export { completions, type Completion } from './completions.ts'
export { closest, editDistance } from './suggest.ts'
export { formatNumber, formatPercent } from './numbers.ts'
export { lex, type Line, type Token } from './lexer.ts'
export { CONCRETE_TARGETS, FORWARD_TARGET_NAMES, TARGET_NAMES } from './targets.ts'

export type ScenarioCheck = {
  /** Set when the text and its whole chain are free of errors. */
  assumptions?: Assumptions
  canonical?: string
  /** The text's own problems, then the chain's (an unknown or broken parent, a cycle). */
  diagnostics: Diagnostic[]
}

/** Parse and resolve in one: what the editor and `carbon scenario check` run. */
export function checkScenario(text: string, file: string, lookup: ScenarioLookup, options: ResolveOptions = {}): ScenarioCheck {
  const { document, diagnostics } = parseScenario(text, file)
  const resolved = resolveScenario(document, lookup, options)
  const all = [...diagnostics, ...resolved.diagnostics].sort((a, b) => a.from - b.from || a.to - b.to)
  if (all.length > 0 || !resolved.assumptions) return { diagnostics: all }
  return { assumptions: resolved.assumptions, canonical: canonicalText(resolved.assumptions), diagnostics: [] }
}
